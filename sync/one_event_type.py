"""A refresh of one event type Calendly reported changed (``event_type.*`` webhooks): its
fields and active or deleted state, a team one's hosts (``sync.hosts``), then its
available times in every window the full sync reads them in, through the full sync's writes, so what is left is what a full sync
would leave. A deleted or deactivated event type keeps no slots (``upsert_event_types``).

The caller decides whether the event type is the subscription's to touch; ``covers`` is
asked again of what Calendly answers, so an owner named falsely in a body cannot widen it.
"""

from __future__ import annotations

from collections.abc import Callable

from accounts.models import CalendlyCredential
from accounts.tokens import TokenUnavailable
from availability.models import CalendlyUser, EventType
from calendly import CalendlyError, CallStats, MalformedResource, NotFound
from calendly.resources import parse_event_type
from sync import available_times, hosts, runs, writes
from sync.one_booking import TRANSIENT, Outcome
from sync.windows import sync_windows

KINDS = ("solo", "group")


def users_of(uri: str) -> set[str]:
    """Whose pages show the event type's slots: its owner and its hosts."""
    row = EventType.objects.filter(uri=uri).first()
    if row is None:
        return set()
    owner = CalendlyUser.objects.filter(pk=row.owner_id).values_list("uri", flat=True)
    return {*owner, *row.hosts.values_list("uri", flat=True)}


def retire(uri: str) -> Outcome:
    users = users_of(uri)
    writes.retire_event_type(uri)
    return Outcome("the event type was deleted: its slots are gone", changed_users=users)


def refresh(
    uri: str,
    organization: str,
    credential: CalendlyCredential | None,
    covers: Callable[[str | None], bool],
    make_client: runs.ClientFactory = runs.default_client,
) -> Outcome:
    """Reads the event type with ``credential`` and stores it and its slots; ``covers(owner
    URI)`` says whether an event type of that owner is the caller's to store."""
    if credential is None:
        return Outcome("failed: no connected credential may read it")
    client = make_client(credential.pk, CallStats())
    try:
        event_type = parse_event_type(client.resource(uri))
    except NotFound:
        return retire(uri)
    except MalformedResource as error:
        return Outcome(f"failed: Calendly's event type is unreadable: {error}")
    except (CalendlyError, TokenUnavailable) as error:
        kind = "transient" if isinstance(error, TRANSIENT) else "failed"
        return Outcome(f"{kind}: {error}", problems={uri: kind}, retry=kind == "transient")
    if event_type.uri != uri or not covers(event_type.profile_owner):
        return Outcome("Calendly's event type is not the subscription's: nothing stored")
    if event_type.kind not in KINDS:
        return Outcome(f"of unknown kind {event_type.kind[:40]!r}: nothing stored")
    before = users_of(uri)
    writes.upsert_event_types([event_type], organization or None)
    changed = before | users_of(uri)
    if not event_type.active or event_type.deleted_at:
        return Outcome("stored; it is not bookable, so it has no slots", changed_users=changed)
    row_id = writes.event_type_ids([uri])[uri]
    windows = sync_windows(available_times=True)
    try:
        # A team event type's hosts first (an update may have changed them), as a sync does.
        for job in hosts.host_jobs(client, [event_type], organization or None):
            job.write(job.fetch())
        changed |= users_of(uri)
        for window in windows:
            times = available_times.read_window(client, uri, window)
            writes.replace_slot_window(row_id, window, times)
    except (CalendlyError, TokenUnavailable) as error:
        kind = "transient" if isinstance(error, TRANSIENT) else "failed"
        return Outcome(
            f"stored; its slots not re-read ({kind}: {error})",
            changed_users=changed,
            problems={uri: kind},
            retry=kind == "transient",
        )
    return Outcome(f"stored, and its slots re-read in {len(windows)} window(s)", changed)
