"""A re-sync of what one booking changed: its hosts' busy times and its event type's
available times, in the sync windows the booking touches, and nothing else.

Called by the webhook task (``webhooks.tasks``) when Calendly reports a booking made or
canceled. It reuses the full sync's windows (``sync.windows.sync_windows``) and its atomic window
replacement (``writes.replace_busy_window`` / ``writes.replace_slot_window``), so a window
written here is exactly what the full sync would have written for it. No ``SyncRun`` is
made: these are two to four requests, and a run would take the "one sync at a time" lock
a person's "Sync now" needs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from accounts.models import CalendlyCredential
from accounts.tokens import RefreshDeferred, TokenUnavailable
from availability.models import CalendlyUser, EventType
from calendly import (
    CalendlyClient,
    CalendlyError,
    CallStats,
    RateLimited,
    ServerError,
    Unavailable,
)
from calendly.resources import ScheduledEvent
from sync import available_times, runs, writes
from sync.windows import Window, request_start, sync_windows

log = logging.getLogger(__name__)
TRANSIENT = (RateLimited, ServerError, Unavailable, RefreshDeferred)
# Slots that overlap a booking start up to one slot length before it, and buffers reach
# past its ends: the span re-read is the booking widened by its length and an hour.
SLACK = timedelta(hours=1)


@dataclass(frozen=True)
class Booking:
    event_type: str
    start: datetime
    end: datetime
    hosts: list[str]
    organization: str = ""
    uri: str = ""  # the scheduled event's
    name: str = ""  # its name, which busy times do not give


@dataclass
class Outcome:
    summary: str
    changed_users: set[str] = field(default_factory=set)
    problems: dict[str, str] = field(default_factory=dict)
    retry: bool = False  # only transient failures: worth trying again shortly


def touched(windows: list[Window], start: datetime, end: datetime) -> list[Window]:
    """The windows [start, end) overlaps; none when it lies before or after all of them."""
    return [w for w in windows if start < w.end and end > w.start]


def reader_for(user_uri: str, organization: str) -> CalendlyCredential | None:
    """A credential that may read this person's busy times: their own, else an admin's."""
    own = CalendlyCredential.objects.filter(
        calendly_user_uri=user_uri, state=CalendlyCredential.State.ACTIVE
    ).first()
    return own or (runs.admin_credential(organization) if organization else None)


def _organization_of(booking: Booking) -> str:
    if booking.organization:
        return booking.organization
    org = (
        CalendlyUser.objects.filter(uri__in=booking.hosts, organization__isnull=False)
        .values_list("organization__uri", flat=True)
        .first()
    )
    return org or ""


def resync_booking(
    booking: Booking, make_client: runs.ClientFactory = runs.default_client
) -> Outcome:
    span = booking.end - booking.start
    start, end = booking.start - span - SLACK, booking.end + SLACK
    busy_windows = touched(sync_windows(), start, end)
    slot_windows = touched(sync_windows(available_times=True), start, end)
    if not busy_windows and not slot_windows:
        return Outcome("outside the synced horizon: nothing to re-read")
    organization = _organization_of(booking)
    _remember_name(booking)
    outcome = Outcome("")
    known = dict(CalendlyUser.objects.filter(uri__in=booking.hosts).values_list("uri", "pk"))
    for host, host_id in known.items():  # a host not synced here has nothing to correct
        reader = reader_for(host, organization)
        work = partial(_busy, user=host, user_id=host_id)
        if _read(outcome, host, reader, make_client, busy_windows, work):
            outcome.changed_users.add(host)
    event_type = EventType.objects.filter(uri=booking.event_type).select_related("owner").first()
    if event_type and event_type.active and not event_type.deleted_at:
        owner = event_type.owner.uri if event_type.owner else booking.hosts[0]
        reader = reader_for(owner, organization)
        work = partial(_slots, event_type=booking.event_type, event_type_id=event_type.pk)
        if _read(outcome, booking.event_type, reader, make_client, slot_windows, work):
            outcome.changed_users.update({owner, *booking.hosts})
    outcome.retry = bool(outcome.problems) and all(
        p.startswith("transient") for p in outcome.problems.values()
    )
    done = f"{len(busy_windows)} busy and {len(slot_windows)} slot window(s)"
    outcome.summary = f"re-read {done}, {len(outcome.problems)} problem(s)"
    return outcome


def _remember_name(booking: Booking) -> None:
    """The payload names the event: the busy blocks written below (and later) show it."""
    if booking.uri and booking.name:
        event = ScheduledEvent(booking.uri, booking.name, booking.start, "active")
        writes.upsert_scheduled_events([event])


def _read(outcome: Outcome, subject: str, credential, make_client, windows, work) -> bool:
    """``work(client, window)`` for each window with ``credential``; False on a problem."""
    if credential is None:
        outcome.problems[subject] = "failed: no connected credential may read it"
        return False
    client = make_client(credential.pk, CallStats())
    for window in windows:
        try:
            work(client, window)
        except (CalendlyError, TokenUnavailable) as error:
            kind = "transient" if isinstance(error, TRANSIENT) else "failed"
            outcome.problems[subject] = f"{kind}: {error}"
            log.info("Targeted re-sync of %s: %s", subject, error)
            return False
    return True


def _busy(client: CalendlyClient, window: Window, *, user: str, user_id: int) -> int:
    busy = client.busy_times(user, partial(request_start, window), window.end)
    return writes.replace_busy_window(user_id, window, busy)


def _slots(client: CalendlyClient, window: Window, *, event_type: str, event_type_id: int) -> int:
    times = available_times.read_window(client, event_type, window)
    return writes.replace_slot_window(event_type_id, window, times)
