"""Free/busy arithmetic behind the calendar views: pure, typed, no Django, no I/O.

Inputs are what sync stores: Calendly availability rules as plain dicts (the API's
shape), busy blocks and event-type slots. Outputs are UTC ``Interval``s, totals,
ranked meeting slots and ready-to-paste text. Time zones come from stdlib zoneinfo.

Interval arithmetic, time zone lookup (``resolve_zone``, ``UnknownTimeZone``) and
``week_bounds`` live in ``availability.intervals``. Local times become instants as
described there, so a 09:00-17:00 rule is 8 hours on both sides of a DST change.
"""

from __future__ import annotations

import heapq
import itertools
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, Literal, NamedTuple

from availability.intervals import (
    Interval,
    clip,
    from_us,
    intersect,
    local_instant,
    merge,
    merged_us,
    resolve_zone,
    subtract,
    to_us,
    total_hours,
)

_WDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_CLOCK = re.compile(r"(\d{1,2}):(\d\d)")
_MINUTES_PER_DAY = 24 * 60
_MICROSECOND = timedelta(microseconds=1)


# --- Working hours from Calendly availability rules ----------------------------------------


class InvalidRule(ValueError):
    """An availability rule we cannot read; dropping it silently would misstate hours."""


Span = tuple[int, int]  # Minutes after local midnight; the end may pass 1440 (overnight).


@dataclass(frozen=True, slots=True)
class WorkingDay:
    """One local day of a schedule: an override with no intervals is a day off."""

    day: date
    override: bool
    intervals: tuple[Interval, ...]  # UTC, clipped to the window asked for.


def _minutes(clock: object) -> int:
    """Minutes after midnight of Calendly's "hh:mm"; "24:00" is allowed, as an end."""
    match = _CLOCK.fullmatch(clock) if isinstance(clock, str) else None
    if match is None or int(match[2]) > 59:
        raise InvalidRule(f"bad time of day: {clock!r}")
    total = int(match[1]) * 60 + int(match[2])
    if total > _MINUTES_PER_DAY:
        raise InvalidRule(f"bad time of day: {clock!r}")
    return total


def _span(interval: Mapping[str, Any]) -> Span | None:
    """Calendly's {"from", "to"}; "24:00" or "00:00" as an end mean the end of the day."""
    start, end = _minutes(interval.get("from")), _minutes(interval.get("to"))
    if start == _MINUTES_PER_DAY:
        raise InvalidRule(f"interval cannot start at 24:00: {interval!r}")
    if end == 0:
        end = _MINUTES_PER_DAY
    elif end < start:
        end += _MINUTES_PER_DAY  # Ends before it starts: it runs past midnight.
    return (start, end) if start < end else None


def _rule_date(text: object) -> date:
    try:
        year, month, day = (int(part) for part in str(text).split("-"))
        return date(year, month, day)
    except ValueError as error:
        raise InvalidRule(f"bad rule date: {text!r}") from error


def _index_rules(
    rules: Iterable[Mapping[str, Any]],
) -> tuple[dict[int, list[Span]], dict[date, list[Span]]]:
    """Spans by weekday (0 = Monday) and by override date; rule types we don't know are
    skipped so a new Calendly rule type does not break the dashboard."""
    weekly: dict[int, list[Span]] = defaultdict(list)
    overrides: dict[date, list[Span]] = {}
    for rule in rules:
        spans = [s for s in map(_span, rule.get("intervals") or ()) if s]
        if rule.get("type") == "wday":
            wday = str(rule.get("wday", "")).lower()
            if wday not in _WDAYS:
                raise InvalidRule(f"bad weekday: {rule.get('wday')!r}")
            weekly[_WDAYS.index(wday)].extend(spans)
        elif rule.get("type") == "date":
            overrides.setdefault(_rule_date(rule.get("date")), []).extend(spans)
    return weekly, overrides


def _localize(day: date, spans: Iterable[Span], zone: tzinfo) -> list[Interval]:
    instants = ((local_instant(day, a, zone), local_instant(day, b, zone)) for a, b in spans)
    # A span wholly inside a spring-forward gap has no length: it does not happen.
    return [Interval(start, end) for start, end in instants if start < end]


def working_days(
    rules: Iterable[Mapping[str, Any]], tz_name: str, window: Interval
) -> list[WorkingDay]:
    """Every local day (in the schedule's zone) meeting ``window``, with its working time.

    A date rule replaces the weekly rule for its date (``override=True``); one with no
    intervals is a day off. Raises ``UnknownTimeZone`` or ``InvalidRule``.
    """
    zone = resolve_zone(tz_name)
    weekly, overrides = _index_rules(rules)
    first = window.start.astimezone(zone).date()
    last = (window.end - _MICROSECOND).astimezone(zone).date()
    days = []
    # Start a day early: an overnight span of the day before can reach into the window.
    for offset in range(-1, (last - first).days + 1):
        day = first + timedelta(days=offset)
        spans = overrides.get(day, weekly.get(day.weekday(), []))
        intervals = tuple(clip(_localize(day, spans, zone), window))
        if offset >= 0 or intervals:
            days.append(WorkingDay(day, day in overrides, intervals))
    return days


# --- Busy time and totals -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BusyBlock:
    """A busy time from Calendly's user_busy_times: a Calendly meeting or an external event."""

    start: datetime
    end: datetime
    _: KW_ONLY
    kind: Literal["calendly", "external"]
    buffered_start: datetime | None = None  # Calendly meetings carry before/after buffers.
    buffered_end: datetime | None = None
    label: str = ""

    def interval(self, include_buffers: bool = True) -> Interval | None:
        """The busy time, widened by buffers if asked; None when it has no length."""
        start, end = self.start, self.end
        if include_buffers:
            start = min(start, self.buffered_start or start)
            end = max(end, self.buffered_end or end)
        return Interval(start, end) if start < end else None


def busy_intervals(blocks: Iterable[BusyBlock], include_buffers: bool = True) -> list[Interval]:
    """Merged busy time of ``blocks``, buffers included unless asked not to."""
    return merge(i for b in blocks if (i := b.interval(include_buffers)) is not None)


def free_intervals(working: Iterable[Interval], busy: Iterable[Interval]) -> list[Interval]:
    """Working time minus busy time; pass ``busy_intervals(blocks)`` so buffers count as busy."""
    return subtract(working, busy)


@dataclass(frozen=True, slots=True)
class WeekTotals:
    """Hours over a window, split at "now": ``working_hours`` and ``past_hours`` cover the
    whole window, every other figure only the rest of it (from now on), because busy times
    are only known from now on. ``past_hours + busy_hours + free_hours == working_hours``."""

    working_hours: float  # Available, from the schedule, over the whole window.
    past_hours: float  # Working hours already over: neither free nor busy any more.
    busy_hours: float  # "Hours used": busy time ahead, buffers included, in working hours.
    busy_outside_hours: float  # Busy time ahead, buffers included, outside working hours.
    free_hours: float  # Working hours ahead that are not busy.
    scheduled_hours: float  # Calendly meetings ahead, no buffers, in or out of working hours.

    @property
    def remaining_hours(self) -> float:
        """Working hours from now to the window's end."""
        return self.busy_hours + self.free_hours

    @property
    def free_share(self) -> float:
        """Free hours over the working hours still ahead; 0 when none are."""
        return self.free_hours / self.remaining_hours if self.remaining_hours else 0.0


def ahead(window: Interval, now: datetime | None) -> Interval | None:
    """The part of ``window`` from ``now`` on (all of it when ``now`` is None); None when
    the window is over."""
    if now is None or now <= window.start:
        return window
    return Interval(now, window.end) if now < window.end else None


def week_totals(
    working: Iterable[Interval],
    busy_blocks: Iterable[BusyBlock],
    window: Interval,
    now: datetime | None = None,
) -> WeekTotals:
    """Totals of ``working`` time and ``busy_blocks`` inside ``window``, with the time
    before ``now`` counted as past (see ``WeekTotals``)."""
    blocks = list(busy_blocks)
    work = clip(merge(working), window)
    rest = ahead(window, now)
    if rest is None:
        return WeekTotals(total_hours(work), total_hours(work), 0.0, 0.0, 0.0, 0.0)
    work_ahead = clip(work, rest)
    busy = clip(busy_intervals(blocks), rest)
    meetings = busy_intervals((b for b in blocks if b.kind == "calendly"), include_buffers=False)
    working_hours = total_hours(work)
    return WeekTotals(
        working_hours=working_hours,
        past_hours=working_hours - total_hours(work_ahead),
        busy_hours=total_hours(intersect(busy, work_ahead)),
        busy_outside_hours=total_hours(subtract(busy, work_ahead)),
        free_hours=total_hours(subtract(work_ahead, busy)),
        scheduled_hours=total_hours(clip(meetings, rest)),
    )


# --- Find a time and the heatmap -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Slot:
    """A candidate meeting time and who is free for all of it."""

    start: datetime
    end: datetime
    free: list[str]
    busy: list[str]


class _Spans(NamedTuple):
    """A member's merged free time as microseconds since the epoch, for bisect."""

    starts: list[int]
    ends: list[int]

    def covers(self, start: int, end: int) -> bool:
        i = bisect_right(self.starts, start) - 1
        return i >= 0 and self.ends[i] >= end


class _Grid(NamedTuple):
    """Cells ``[first + k*step, first + k*step + length)`` for k in range(count)."""

    first: int
    step: int
    length: int
    count: int

    def start(self, k: int) -> int:
        return self.first + k * self.step


def _spans(intervals: Iterable[Interval]) -> _Spans:
    """Merged (in microseconds), so one span at most covers a whole cell."""
    merged = merged_us(intervals)
    return _Spans([start for start, _ in merged], [end for _, end in merged])


def _coverage(members: Iterable[_Spans], grid: _Grid) -> list[int]:
    """How many members are free for each whole cell, by a difference array: each free
    interval marks the run of cells it covers, so the cost is intervals + cells rather
    than members x cells x intervals."""
    diff = [0] * (grid.count + 1)
    for spans in members:
        for a, b in zip(spans.starts, spans.ends, strict=True):
            lo = max(0, -((grid.first - a) // grid.step))  # First cell starting at or after a.
            hi = min(grid.count - 1, (b - grid.length - grid.first) // grid.step)
            if lo <= hi:
                diff[lo] += 1
                diff[hi + 1] -= 1
    return list(itertools.accumulate(diff[:-1]))


def _slot_grid(window: Interval, duration: timedelta, step: timedelta) -> _Grid:
    step_us, length = step // _MICROSECOND, duration // _MICROSECOND
    first = -(-to_us(window.start) // step_us) * step_us  # Round up to a step boundary in UTC.
    last = to_us(window.end) - length
    return _Grid(first, step_us, length, max(0, (last - first) // step_us + 1))


def common_slots(
    free_by_member: Mapping[str, Iterable[Interval]],
    window: Interval,
    duration: timedelta,
    step: timedelta = timedelta(minutes=15),
    min_free: int | None = None,
    limit: int = 50,
) -> list[Slot]:
    """Up to ``limit`` slots of ``duration`` inside ``window`` where at least ``min_free``
    members (default: all) are free throughout; starts on multiples of ``step`` since the
    Unix epoch (UTC), so 15 minutes gives quarter hours in any zone. Ranked by members
    free, most first, then by start. Slots overlap one another when step < duration.
    """
    if duration <= timedelta() or step <= timedelta():
        raise ValueError("duration and step must be positive")
    if min_free is not None and min_free < 1:
        raise ValueError("min_free must be at least 1")
    spans = {member: _spans(free) for member, free in free_by_member.items()}
    needed = len(spans) if min_free is None else min_free
    if not spans or needed > len(spans) or limit < 1:
        return []
    grid = _slot_grid(window, duration, step)
    counts = _coverage(spans.values(), grid)
    fitting = (k for k, count in enumerate(counts) if count >= needed)
    best = heapq.nsmallest(limit, fitting, key=lambda k: (-counts[k], k))
    return [_slot(grid.start(k), grid.start(k) + grid.length, spans) for k in best]


def _slot(start: int, end: int, spans: Mapping[str, _Spans]) -> Slot:
    free = {member for member, s in spans.items() if s.covers(start, end)}
    return Slot(
        start=from_us(start),
        end=from_us(end),
        free=[m for m in spans if m in free],
        busy=[m for m in spans if m not in free],
    )


def free_count_heatmap(
    free_by_member: Mapping[str, Iterable[Interval]],
    window: Interval,
    bucket: timedelta = timedelta(hours=1),
    tz: str | tzinfo = UTC,
) -> list[tuple[datetime, int]]:
    """(bucket start in zone ``tz``, members free for the whole bucket) across ``window``.

    "Whole bucket", not "any part": a green cell then means the hour can really be
    booked. Buckets are fixed spans of elapsed time from ``window.start``, so on a DST
    day the local labels skip or repeat an hour (23 or 25 hourly rows); a last partial
    bucket is cut at ``window.end``.
    """
    if bucket <= timedelta():
        raise ValueError("bucket must be positive")
    zone = resolve_zone(tz) if isinstance(tz, str) else tz
    spans = [_spans(free) for free in free_by_member.values()]
    start, end, size = to_us(window.start), to_us(window.end), bucket // _MICROSECOND
    grid = _Grid(start, size, size, (end - start) // size)
    cells = list(zip(map(grid.start, range(grid.count)), _coverage(spans, grid), strict=True))
    if grid.start(grid.count) < end:
        tail = grid.start(grid.count)
        cells.append((tail, sum(s.covers(tail, end) for s in spans)))
    return [(from_us(moment).astimezone(zone), count) for moment, count in cells]


# --- Copyable text ---------------------------------------------------------------------------


def _format_local(moment: datetime, time_of_day: Callable[[datetime], str] | None) -> str:
    # Our own names, not strftime's %a/%b, which follow the process locale.
    weekday, month = _DAY_NAMES[moment.weekday()], _MONTH_NAMES[moment.month - 1]
    clock = time_of_day(moment) if time_of_day else f"{moment:%H:%M}"
    return f"{weekday} {moment.day} {month}, {clock}"


def first_available_text(
    slots: Sequence[tuple[datetime, str]],
    n: int,
    tz_name: str,
    time_of_day: Callable[[datetime], str] | None = None,
) -> str:
    """The first ``n`` event-type slots ``(start, scheduling_url)`` in time order, one per
    line, shown in ``tz_name``: ``Tue 24 Nov, 09:30 (Europe/Berlin) — https://...``; the
    time of day as ``time_of_day`` writes it (the viewer's clock), else 24-hour."""
    zone = resolve_zone(tz_name)
    if any(start.utcoffset() is None for start, _ in slots):
        raise ValueError("slot start times must be time-zone-aware")
    first = sorted(slots, key=lambda slot: slot[0])[: max(n, 0)]
    return "\n".join(
        f"{_format_local(start.astimezone(zone), time_of_day)} ({zone.key}) — {url}"
        for start, url in first
    )
