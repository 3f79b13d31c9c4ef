"""Availability and bookings over the stored data: what the API and the control endpoints share."""

from __future__ import annotations

from datetime import datetime, timedelta

from sandbox.availability import (
    Interval,
    Slot,
    busy_blocks,
    group_openings,
    host_slot_starts,
    merge_slots,
    pooled_starts,
    schedule_intervals,
)
from sandbox.ids import random_uuid
from sandbox.meeting_limits import within_limits
from sandbox.records import EventType, Invitee, ScheduledEvent
from sandbox.store import State

# Busy blocks are gathered a day beyond the window so that a buffer reaching into it counts.
MARGIN = timedelta(days=1)


class SlotUnavailable(Exception):
    """The requested start is not an available time of the event type."""


def hosts_for(event_type: EventType) -> list[str]:
    return event_type.hosts if event_type.pooling_type else [event_type.owner_uuid]


def user_busy(state: State, user_uuid: str, window: Interval) -> list:
    return busy_blocks(
        state.events_by_user.get(user_uuid, []),
        state.blocks_by_user.get(user_uuid, []),
        window[0],
        window[1],
    )


def host_starts(
    state: State, event_type: EventType, window: Interval, now: datetime
) -> dict[str, set[datetime]]:
    per_host: dict[str, set[datetime]] = {}
    for host in hosts_for(event_type):
        schedule = state.schedule_for(event_type, host)
        if schedule is None:
            per_host[host] = set()
            continue
        working = schedule_intervals(schedule, window[0], window[1])
        busy = user_busy(state, host, (window[0] - MARGIN, window[1] + MARGIN))
        per_host[host] = within_limits(state, event_type, host,
                                       host_slot_starts(event_type, working, busy, window, now))
    return per_host


def available_slots(
    state: State, event_type: EventType, window: Interval, now: datetime
) -> list[Slot]:
    if not event_type.active:
        return []
    starts = pooled_starts(event_type, list(host_starts(state, event_type, window, now).values()))
    openings: list[Slot] = []
    if event_type.invitees_limit > 1:
        own = [e for e in state.events_by_user.get(event_type.owner_uuid, [])
               if e.event_type_uuid == event_type.uuid]
        openings = group_openings(event_type, own, window, now)
    return merge_slots(event_type, starts, openings)


def book(
    state: State, event_type: EventType, start: datetime, email: str, name: str, now: datetime
) -> tuple[ScheduledEvent, Invitee]:
    """Book `start` if it is one of the event type's available times, as an invitee would."""
    window = (start, start + timedelta(seconds=1))
    if not any(slot.start == start for slot in available_slots(state, event_type, window, now)):
        raise SlotUnavailable(f"{start.isoformat()} is not an available time of this event type")
    invitee = Invitee(random_uuid(), email, name, now, now, timezone="UTC")
    group = _open_group_event(state, event_type, start)
    if group is not None:
        group.invitees.append(invitee)
        group.updated_at = now
        return group, invitee
    event = _new_event(event_type, start, _pick_hosts(state, event_type, window, now), now)
    event.invitees.append(invitee)
    state.add_event(event)
    return event, invitee


def _open_group_event(state: State, event_type: EventType, start: datetime) -> ScheduledEvent | None:
    if event_type.invitees_limit <= 1:
        return None
    return next(
        (e for e in state.events_by_user.get(event_type.owner_uuid, [])
         if e.event_type_uuid == event_type.uuid and e.start == start and e.status == "active"),
        None,
    )


def _pick_hosts(state: State, event_type: EventType, window: Interval, now: datetime) -> list[str]:
    if event_type.pooling_type in ("collective", "multi_pool"):
        return list(event_type.hosts)
    if event_type.pooling_type == "round_robin":
        free = host_starts(state, event_type, window, now)
        return [next(host for host in event_type.hosts if window[0] in free[host])]
    return [event_type.owner_uuid]


def _new_event(
    event_type: EventType, start: datetime, hosts: list[str], now: datetime
) -> ScheduledEvent:
    return ScheduledEvent(
        uuid=random_uuid(),
        event_type_uuid=event_type.uuid,
        org_uuid=event_type.org_uuid,
        name=event_type.name,
        start=start,
        end=start + timedelta(minutes=event_type.duration),
        hosts=hosts,
        created_at=now,
        updated_at=now,
        invitees=[],
        invitees_limit=event_type.invitees_limit,
        buffer_before=event_type.buffer_before,
        buffer_after=event_type.buffer_after,
        location=event_type.location,
    )


def cancel(state: State, event: ScheduledEvent, reason: str | None, by: str, now: datetime) -> None:
    cancellation = {"canceled_by": by, "reason": reason, "canceler_type": "host"}
    event.status = "canceled"
    event.cancellation = cancellation
    event.updated_at = now
    for invitee in event.invitees:
        if invitee.status == "active":
            invitee.status = "canceled"
            invitee.cancellation = cancellation
            invitee.updated_at = now
