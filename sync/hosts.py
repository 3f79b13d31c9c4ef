"""Who hosts each team event type: Calendly's ``/event_type_memberships`` (api-2026.md §2),
read for every bookable team event type a run lists and stored as ``EventType.hosts``.

A team event type has a ``pooling_type`` (round robin, collective, multi-pool) or a
``kind`` other than solo: group, or a kind Calendly has not documented, which is named as
a problem and read as a team one, since its hosts cannot be guessed. A solo event type's
one host is its profile's owner, known without a request. Only bookable (active, not
deleted) event types are read: hosts are shown only beside bookable ones (the slot picker,
copy times), and one switched back on is read by the next run that lists it.

Hosts not known here yet (they never signed in, or a user sync sees no one else's
membership) are stored as CalendlyUsers from the embedded ``member``. Odd answers are named
problems of the event type, never a failed run: a record without its member (skipped, and
no stored host is removed, since it may be one), a member of another organization (who
left it: not stored as a host), a record of another event type, no host at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import partial

from availability.models import EventType, Organization
from calendly import CalendlyClient, CallStats
from calendly import resources as r
from sync import writes
from sync.parallel import SUBJECT_ERRORS, Job

KINDS = ("solo", "group")  # Calendly's documented event type kinds


@dataclass(frozen=True)
class Hosts:
    members: list[r.User]
    complete: bool  # every record was read: the stored hosts become exactly ``members``


def label(event_type: r.EventType) -> str:
    return f"“{event_type.name}”" if event_type.name else event_type.uri[:200]


def team_event_types(event_types: Iterable[r.EventType], stats: CallStats) -> list[r.EventType]:
    """The bookable team event types among ``event_types``, each once (a listing that repeats
    a record must not cost a hosts read per copy); an unknown kind is named."""
    chosen: dict[str, r.EventType] = {}
    for event_type in event_types:
        if not event_type.active or event_type.deleted_at or event_type.uri in chosen:
            continue
        if event_type.kind not in KINDS:
            stats.reject(
                f"Event type {label(event_type)}: Calendly gives its kind as "
                f"{event_type.kind[:50]!r}, which this dashboard does not know; its hosts are "
                "read as a team event type's"
            )
        if event_type.pooling_type or event_type.kind != "solo":
            chosen[event_type.uri] = event_type
    return list(chosen.values())


def host_jobs(
    client: CalendlyClient, event_types: Iterable[r.EventType], organization: str | None
) -> list[Job]:
    """A job per bookable team event type: its hosts, every page, then stored."""
    return [
        Job(
            f"{event_type.uri}#hosts",
            partial(_read, client, event_type, organization),
            partial(_write, event_type.uri, organization),
        )
        for event_type in team_event_types(event_types, client.stats)
    ]


def _read(client: CalendlyClient, event_type: r.EventType, organization: str | None) -> Hosts:
    listing = client.event_type_memberships(event_type.uri)
    try:
        records = list(listing)
    except SUBJECT_ERRORS as error:
        error.message = (
            f"could not read the hosts of {label(event_type)} ({error.message}); "
            "the hosts known before stay"
        )
        raise
    odd = partial(_odd, client.stats, event_type)
    members: dict[str, r.User] = {}
    for record in records:
        member = record.member
        if record.event_type and record.event_type != event_type.uri:
            odd(f"a host record of another event type ({record.event_type[:200]}) left out")
        elif organization and member.current_organization not in (None, organization):
            who = member.name or member.email or member.uri[:200]
            odd(f"{who} is no longer in the organization, so not stored as a host")
        else:
            members[member.uri] = member
    if not records and not listing.rejected:
        odd("Calendly lists no host")
    return Hosts(list(members.values()), complete=not listing.rejected)


def _odd(stats: CallStats, event_type: r.EventType, what: str) -> None:
    stats.reject(f"Hosts of {label(event_type)}: {what}")


def _write(event_type_uri: str, organization: str | None, hosts: Hosts) -> int:
    """The event type's hosts become those listed (only added to, when a record could not
    be read); hosts not known here are stored as users first."""
    event_type = writes.event_type_ids([event_type_uri]).get(event_type_uri)
    if event_type is None:
        return 0
    known = writes.user_ids(member.uri for member in hosts.members)
    new = [
        member
        if member.current_organization
        else replace(member, current_organization=organization)
        for member in hosts.members
        if member.uri not in known
    ]
    if new:
        orgs = {member.current_organization for member in new}
        org_ids = dict(Organization.objects.filter(uri__in=orgs).values_list("uri", "id"))
        known |= writes.upsert_users(new, org_ids)
    ids = [known[member.uri] for member in hosts.members]
    through = EventType.hosts.through
    if hosts.complete:
        through.objects.filter(eventtype_id=event_type).exclude(calendlyuser_id__in=ids).delete()
    through.objects.bulk_create(
        [through(eventtype_id=event_type, calendlyuser_id=pk) for pk in ids],
        ignore_conflicts=True,
    )
    return len(ids) + len(new)
