"""Busy blocks and available slots: plain arithmetic on intervals, with zoneinfo for local time.

Schedules are written in the owner's wall-clock time ("09:00"-"17:00" on Mondays in
Europe/Berlin); every conversion goes through zoneinfo day by day, so a daylight-saving
change moves the UTC instants of the working day but never the local hours.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sandbox.increments import buffered_span, slot_starts
from sandbox.records import WEEKDAYS, EventType, ExternalBlock, Rule, Schedule, ScheduledEvent

Interval = tuple[datetime, datetime]
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class BusyBlock:
    kind: str  # "calendly" or "external", as in the spec's UserBusyTime
    start: datetime
    end: datetime
    buffered_start: datetime
    buffered_end: datetime
    event_uuid: str | None = None


@dataclass(frozen=True)
class Slot:
    start: datetime
    invitees_remaining: int


def local_to_utc(day: date, hhmm: str, zone: ZoneInfo) -> datetime:
    hours, minutes = (int(part) for part in hhmm.split(":"))
    if hours == 24:
        day, hours = day + ONE_DAY, 0
    # A wall time inside a spring-forward gap does not exist; zoneinfo reads it with the
    # offset in force before the gap (fold=0), which lands just after the gap: what a
    # person who wrote "02:30" on that night can actually be booked at.
    return datetime.combine(day, time(hours, minutes), tzinfo=zone).astimezone(UTC)


def rule_for_day(rules: list[Rule], day: date) -> Rule | None:
    """A date override wins over the weekly rule for that weekday."""
    override = next((rule for rule in rules if rule.date == day), None)
    if override is not None:
        return override
    weekday = WEEKDAYS[day.weekday()]
    return next((rule for rule in rules if rule.wday == weekday), None)


def schedule_intervals(schedule: Schedule, start: datetime, end: datetime) -> list[Interval]:
    """Working intervals (UTC) of `schedule` that overlap [start, end), unclipped.

    Unclipped so that slot grids stay aligned on the start of the working interval,
    whatever window the caller asked for.
    """
    zone = ZoneInfo(schedule.timezone)
    day = start.astimezone(zone).date() - ONE_DAY
    last = end.astimezone(zone).date() + ONE_DAY
    found: list[Interval] = []
    while day <= last:
        rule = rule_for_day(schedule.rules, day)
        for begin, finish in rule.intervals if rule else []:
            interval = (local_to_utc(day, begin, zone), local_to_utc(day, finish, zone))
            if interval[0] < end and interval[1] > start:
                found.append(interval)
        day += ONE_DAY
    return sorted(found)


def busy_blocks(
    events: Iterable[ScheduledEvent], blocks: Iterable[ExternalBlock], start: datetime, end: datetime
) -> list[BusyBlock]:
    """What makes a user busy in [start, end): active Calendly events, buffers included, and
    external calendar blocks; ascending, as the spec says user_busy_times is."""
    found = [_event_block(event) for event in events if event.status == "active"]
    found += [BusyBlock("external", b.start, b.end, b.start, b.end) for b in blocks]
    overlapping = [b for b in found if b.buffered_start < end and b.buffered_end > start]
    return sorted(overlapping, key=lambda b: (b.start, b.end, b.kind))


def _event_block(event: ScheduledEvent) -> BusyBlock:
    return BusyBlock(
        "calendly",
        event.start,
        event.end,
        event.start - timedelta(minutes=event.buffer_before),
        event.end + timedelta(minutes=event.buffer_after),
        event.uuid,
    )


def overlaps(interval: Interval, busy: list[BusyBlock]) -> bool:
    return any(b.buffered_start < interval[1] and b.buffered_end > interval[0] for b in busy)


def host_slot_starts(
    event_type: EventType,
    working: list[Interval],
    busy: list[BusyBlock],
    window: Interval,
    now: datetime,
) -> set[datetime]:
    """Slot starts one host can take: the event type's starts in each working interval
    (`sandbox.increments`), keeping those in the window, not in the past, whose buffered
    span meets no busy block (nor its buffers)."""
    earliest = max(window[0], now)
    starts: set[datetime] = set()
    for interval in working:
        for slot in slot_starts(event_type, interval):
            if earliest <= slot < window[1] and not overlaps(buffered_span(event_type, slot), busy):
                starts.add(slot)
    return starts


def pooled_starts(event_type: EventType, per_host: list[set[datetime]]) -> set[datetime]:
    """Collective needs every host free; round robin needs any one; others use the owner.
    Multi-pool needs one host of each pool; the sandbox seats every host in a pool of
    their own, so it needs them all, as collective does."""
    if not per_host:
        return set()
    if event_type.pooling_type in ("collective", "multi_pool"):
        return set.intersection(*per_host)
    if event_type.pooling_type == "round_robin":
        return set.union(*per_host)
    return per_host[0]


def group_openings(
    event_type: EventType, own_events: Iterable[ScheduledEvent], window: Interval, now: datetime
) -> list[Slot]:
    """A group event already booked but not full stays bookable at its own start time."""
    earliest = max(window[0], now)
    return [
        Slot(event.start, event_type.invitees_limit - event.active_invitees())
        for event in own_events
        if event.status == "active"
        and earliest <= event.start < window[1]
        and event.active_invitees() < event_type.invitees_limit
    ]


def merge_slots(event_type: EventType, starts: set[datetime], openings: list[Slot]) -> list[Slot]:
    slots = {start: Slot(start, event_type.invitees_limit) for start in starts}
    slots.update({opening.start: opening for opening in openings})
    return [slots[start] for start in sorted(slots)]
