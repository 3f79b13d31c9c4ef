"""Arithmetic on half-open intervals [start, end) of real, elapsed time, and time zones.

Pure and typed; no Django. Intervals are kept in UTC: two aware datetimes that
share one ``ZoneInfo`` compare and subtract by wall clock (ignoring ``fold``),
which is wrong across a DST change, so we convert on the way in and never hold
local times.

Local wall-clock times become instants with ``fold=0``: a time repeated when the
clocks go back means its first occurrence, and a time skipped when they go forward
is moved on by the length of the gap (02:30 on a spring-forward night is 03:30).

Where arithmetic runs on numbers instead of datetimes (the hot loops of find-a-time,
the heatmap and the team row's cells), a moment is one number: whole microseconds since
the Unix epoch (``to_us``/``from_us``), exact, so no float rounding moves a bound.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache, lru_cache
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

__all__ = [
    "US_PER_HOUR",
    "Interval",
    "UnknownTimeZone",
    "clip",
    "from_us",
    "intersect",
    "local_instant",
    "merge",
    "merged_us",
    "resolve_zone",
    "subtract",
    "to_us",
    "total_hours",
    "total_seconds",
    "week_bounds",
    "zone_names",
]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
US_PER_HOUR = 3_600_000_000


def to_us(moment: datetime) -> int:
    """An aware moment as whole microseconds since the epoch: the one number for time."""
    return (moment - _EPOCH) // _MICROSECOND


def from_us(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


@dataclass(frozen=True, slots=True)
class Interval:
    """[start, end) between two time-zone-aware datetimes, stored in UTC; start < end."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        # Most intervals are made of UTC instants already (the database's, our own
        # arithmetic's): those need no normalising, and pages make thousands of them.
        if self.start.tzinfo is not UTC or self.end.tzinfo is not UTC:
            if self.start.utcoffset() is None or self.end.utcoffset() is None:
                raise ValueError("Interval needs time-zone-aware datetimes")
            # Frozen dataclass: normalising to UTC has to go around __setattr__.
            object.__setattr__(self, "start", self.start.astimezone(UTC))
            object.__setattr__(self, "end", self.end.astimezone(UTC))
        if self.start >= self.end:
            raise ValueError(f"Interval start {self.start} is not before end {self.end}")

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Interval) -> bool:
        return self.start <= other.start and other.end <= self.end


IntervalT = TypeVar("IntervalT", bound=Interval)
Point = TypeVar("Point", datetime, int, float)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted union: overlapping or touching intervals become one plain ``Interval``."""
    return [Interval(start, end) for start, end in merge_spans((i.start, i.end) for i in intervals)]


def merge_spans(spans: Iterable[tuple[Point, Point]]) -> list[tuple[Point, Point]]:
    """``merge`` for (start, end) pairs of anything ordered: datetimes, or the plain numbers
    the hot loops of the pages use instead."""
    merged: list[tuple[Point, Point]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def merged_us(intervals: Iterable[Interval]) -> list[tuple[int, int]]:
    """Intervals as merged, sorted (start, end) spans in microseconds since the epoch."""
    return merge_spans((to_us(i.start), to_us(i.end)) for i in intervals)


def subtract(base: Iterable[Interval], cuts: Iterable[Interval]) -> list[Interval]:
    """The parts of ``base`` not covered by any of ``cuts``, merged and sorted."""
    cuts = merge(cuts)
    result: list[Interval] = []
    first = 0  # Both lists are sorted, so cuts wholly before one piece stay behind for the next.
    for piece in merge(base):
        while first < len(cuts) and cuts[first].end <= piece.start:
            first += 1
        start = piece.start
        for cut in cuts[first:]:
            if cut.start >= piece.end:
                break
            if cut.start > start:
                result.append(Interval(start, cut.start))
            start = max(start, cut.end)
        if start < piece.end:
            result.append(Interval(start, piece.end))
    return result


def intersect(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    """Time covered by both ``a`` and ``b``, merged and sorted (two-pointer walk)."""
    a, b = merge(a), merge(b)
    result: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i].start, b[j].start), min(a[i].end, b[j].end)
        if start < end:
            result.append(Interval(start, end))
        if a[i].end <= b[j].end:
            i += 1
        else:
            j += 1
    return result


def clip(intervals: Iterable[IntervalT], window: Interval) -> list[IntervalT]:
    """Each interval cut to ``window``, sorted, not merged; subclasses keep their extra fields."""
    clipped = [
        dataclasses.replace(i, start=max(i.start, window.start), end=min(i.end, window.end))
        for i in intervals
        if i.overlaps(window)
    ]
    return sorted(clipped, key=lambda i: i.start)


def total_seconds(intervals: Iterable[Interval]) -> float:
    """Measure of the union: overlapping intervals are not counted twice."""
    return sum((i.duration for i in merge(intervals)), timedelta()).total_seconds()


def total_hours(intervals: Iterable[Interval]) -> float:
    return total_seconds(intervals) / 3600


# --- Time zones ---------------------------------------------------------------------------


class UnknownTimeZone(ValueError):
    """A time zone name zoneinfo does not know; views show "unknown time zone"."""

    def __init__(self, name: object) -> None:
        super().__init__(f"unknown time zone: {name!r}")
        self.name = name


def resolve_zone(name: str) -> ZoneInfo:
    """The zone for an IANA name, else ``UnknownTimeZone`` (never a zoneinfo error).

    Calendly's own docs spell names ``America/New York`` and ``America\\/New_York``;
    IANA names hold neither a space nor a backslash, so mending those two cannot
    pick a wrong zone. Anything else unknown raises: we never guess a fallback zone,
    because hours shown in a wrong zone look right and are not.
    """
    if not isinstance(name, str) or not name.strip():
        raise UnknownTimeZone(name)
    mended = name.strip().replace("\\/", "/").replace(" ", "_")
    # A person types "utc" or "europe/berlin": IANA names differ by more than case, so
    # the one name spelled so, whatever the case, is the zone meant.
    canonical = _names_by_lower().get(mended.lower())
    for candidate in dict.fromkeys((name, mended, canonical)):
        if candidate is None:
            continue
        try:
            return ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            continue
    raise UnknownTimeZone(name)


@lru_cache(maxsize=1)
def _names_by_lower() -> dict[str, str]:
    return {zone.lower(): zone for zone in available_timezones()}


def local_instant(day: date, minutes: int, zone: tzinfo) -> datetime:
    """UTC instant of the wall-clock time ``minutes`` after midnight of ``day`` in ``zone``;
    ``minutes`` may pass 1440 into the next days. Uses ``fold=0`` (see the module doc)."""
    days, minutes = divmod(minutes, 24 * 60)
    wall = datetime.combine(day + timedelta(days=days), time(*divmod(minutes, 60)), tzinfo=zone)
    return wall.astimezone(UTC)


@lru_cache(maxsize=1024)
def week_bounds(day: date, tz_name: str) -> Interval:
    """Monday 00:00 to the next Monday 00:00 (local to ``tz_name``) around ``day``, in UTC.

    Elapsed length is 168 hours, or 167/169 in a week when the clocks change. Kept per
    (day, zone): every row of a team page asks for it, and the answer never changes.
    """
    zone = resolve_zone(tz_name)
    monday = day - timedelta(days=day.weekday())
    return Interval(
        local_instant(monday, 0, zone), local_instant(monday + timedelta(days=7), 0, zone)
    )


@cache
def zone_names() -> tuple[str, ...]:
    """The zones a person can pick: IANA's area/location names, and UTC."""
    return tuple(sorted(z for z in available_timezones() if "/" in z or z == "UTC"))
