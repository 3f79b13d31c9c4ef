"""Where each block of a week goes on the week grid: pure geometry, no Django, no I/O.

The grid is one SVG whose coordinates (``x``, ``y``, ``width``, ``height``) are attributes,
not inline styles, so it draws under a strict Content-Security-Policy. Columns are the
seven local days of the display time zone; rows are wall-clock hours, so a day when the
clocks change draws 09:00 where 09:00 is (its hour that does not exist, or happens twice,
is drawn once).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from availability.freebusy import BusyBlock, WorkingDay
from availability.intervals import Interval, local_instant, subtract
from dashboard.clock import H24, hour_label, minute_clock
from dashboard.week_lanes import LINE, block_lines, lanes, shorten

LABEL_WIDTH = 48
DAY_WIDTH = 136
HEADER_HEIGHT = 44
HOUR_HEIGHT = 48
PAD = 3
TEXT_CHARS = 19
DEFAULT_HOURS = (8, 18)
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# What each kind is called in words, beside its pattern: colour is never the only cue.
KIND_NAMES = {
    "free": "Free",
    "calendly": "Calendly booking",
    "external": "External calendar",
    "buffer": "Buffer",
    "override": "Override",
    "past": "Past",  # Working time that is over: neither free nor working any more.
}


def day_label(day: date) -> str:
    return f"{_DAY_NAMES[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"


@dataclass(frozen=True, slots=True)
class Piece:
    """One kind of time on one local day, as wall-clock minutes after midnight."""

    day_index: int
    kind: str
    start: datetime  # Local, in the display zone.
    end: datetime
    start_minute: int
    end_minute: int
    name: str = ""  # The event's name, when known.
    override: bool = False
    notation: str = H24  # The viewer's clock: "12h" or "24h".

    @property
    def times(self) -> str:
        start, end = self.start_minute, self.end_minute
        return f"{minute_clock(start, self.notation)}–{minute_clock(end, self.notation)}"

    @property
    def named(self) -> bool:
        """A booking whose event's name is known: the name comes first."""
        return bool(self.name) and self.kind == "calendly"

    @property
    def kind_words(self) -> str:
        words = KIND_NAMES[self.kind]
        if self.name and self.kind == "buffer":
            words = f"{words}: {self.name}"
        if self.override and self.kind != "override":
            words = f"{words} (date override)" if not self.named else f"{words}, date override"
        return words

    @property
    def title(self) -> str:
        """"Product demo (Calendly booking)", "External calendar", "Buffer: Product demo"."""
        return f"{self.name} ({self.kind_words})" if self.named else self.kind_words

    @property
    def description(self) -> str:
        """What a screen reader, a tooltip and the day list say about it:
        "Product demo (Calendly booking) 14:00–15:30", "External calendar, 10:00–10:30"."""
        return f"{self.title} {self.times}" if self.named else f"{self.title}, {self.times}"


@dataclass(frozen=True, slots=True)
class Box:
    """A piece placed on the SVG."""

    piece: Piece
    x: float
    y: float
    width: float
    height: float
    lines: tuple[str, ...]  # Written inside the block, as far as it has room.
    tip_x: float
    tip_y: float
    tip_lines: tuple[str, ...]

    @property
    def text_x(self) -> float:
        return self.x + 5

    @property
    def line_ys(self) -> list[tuple[float, str]]:
        return [(self.y + LINE * (i + 1) - 2, text) for i, text in enumerate(self.lines)]

    @property
    def tip_text_x(self) -> float:
        return self.tip_x + 5

    @property
    def tip_width(self) -> float:
        return DAY_WIDTH - 2 * PAD

    @property
    def tip_height(self) -> float:
        return LINE * len(self.tip_lines) + 8

    @property
    def tip_line_ys(self) -> list[tuple[float, str]]:
        return [(self.tip_y + LINE * (i + 1) + 1, text) for i, text in enumerate(self.tip_lines)]


@dataclass(slots=True)
class GridDay:
    day: date
    index: int
    override: bool = False
    day_off: bool = False
    past_minute: int = 0  # How much of the day is over: 0 (none) to 1440 (all of it).
    pieces: list[Piece] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)

    @property
    def label(self) -> str:
        return day_label(self.day)

    @property
    def x(self) -> int:
        return LABEL_WIDTH + self.index * DAY_WIDTH

    @property
    def center(self) -> float:
        return self.x + DAY_WIDTH / 2

    @property
    def is_past(self) -> bool:
        return self.past_minute >= 1440

    @property
    def is_today(self) -> bool:
        return 0 < self.past_minute < 1440


@dataclass(slots=True)
class WeekGrid:
    zone: str
    days: list[GridDay]
    first_hour: int
    last_hour: int
    notation: str = H24

    width = LABEL_WIDTH + 7 * DAY_WIDTH
    label_width = LABEL_WIDTH
    header_height = HEADER_HEIGHT
    day_width = DAY_WIDTH

    @property
    def height(self) -> int:
        return self.body_bottom + 10  # Room for the last hour's label.

    @property
    def body_bottom(self) -> int:
        return HEADER_HEIGHT + (self.last_hour - self.first_hour) * HOUR_HEIGHT

    @property
    def hour_lines(self) -> list[tuple[int, int, str]]:
        """(y of the line, y of its label, label) for each whole hour shown."""
        lines = []
        for hour in range(self.first_hour, self.last_hour + 1):
            y = HEADER_HEIGHT + (hour - self.first_hour) * HOUR_HEIGHT
            lines.append((y, y + 4, hour_label(hour, self.notation)))
        return lines

    @property
    def hour_label_x(self) -> int:
        return LABEL_WIDTH - 6

    @property
    def body_height(self) -> int:
        return self.body_bottom - HEADER_HEIGHT

    def y(self, minute: int) -> float:
        return HEADER_HEIGHT + (minute - self.first_hour * 60) * HOUR_HEIGHT / 60

    def past_shades(self) -> list[tuple[GridDay, float]]:
        """(day, height) of the part of each day's column that is over, as drawn."""
        shades = []
        for day in self.days:
            minute = min(max(day.past_minute, self.first_hour * 60), self.last_hour * 60)
            if minute > self.first_hour * 60:
                shades.append((day, self.y(minute) - HEADER_HEIGHT))
        return shades

    @property
    def first_box(self) -> Box | None:
        """The grid's one tab stop: its first block; arrow keys move on from there."""
        return next((box for day in self.days for box in day.boxes), None)

    @property
    def now_line(self) -> NowLine | None:
        """Where "now" is drawn: today's column at the current time, if it is on the grid."""
        for day in self.days:
            if day.is_today and self.first_hour * 60 <= day.past_minute <= self.last_hour * 60:
                return NowLine(day.x, day.x + DAY_WIDTH, self.y(day.past_minute))
        return None


@dataclass(frozen=True, slots=True)
class NowLine:
    """The line across today's column at the current time, and where its label goes."""

    x1: int
    x2: int
    y: float

    @property
    def label_x(self) -> int:
        return self.x2 - 4

    @property
    def label_y(self) -> float:
        return self.y - 3


def day_windows(monday: date, zone: ZoneInfo) -> list[tuple[date, Interval]]:
    """The seven local days from ``monday``, each as the UTC interval it covers."""
    days = [monday + timedelta(days=i) for i in range(7)]
    return [(d, Interval(local_instant(d, 0, zone), local_instant(d, 1440, zone))) for d in days]


def _split(
    interval: Interval, windows: Sequence[tuple[date, Interval]], zone: ZoneInfo, **fields
) -> list[Piece]:
    pieces = []
    for index, (day, bounds) in enumerate(windows):
        if not interval.overlaps(bounds):
            continue
        start = max(interval.start, bounds.start).astimezone(zone)
        end = min(interval.end, bounds.end).astimezone(zone)
        end_minute = 1440 if end.date() > day else end.hour * 60 + end.minute
        start_minute = start.hour * 60 + start.minute
        if end_minute > start_minute:
            pieces.append(Piece(index, start=start, end=end, start_minute=start_minute,
                                end_minute=end_minute, **fields))
    return pieces


def _busy_parts(block: BusyBlock) -> list[tuple[Interval, str]]:
    """The block itself and, for a Calendly booking, its buffers on either side."""
    parts = [(Interval(block.start, block.end), block.kind)] if block.start < block.end else []
    if block.buffered_start and block.buffered_start < block.start:
        parts.append((Interval(block.buffered_start, block.start), "buffer"))
    if block.buffered_end and block.buffered_end > block.end:
        parts.append((Interval(block.end, block.buffered_end), "buffer"))
    return parts


def _visible_hours(pieces: Iterable[Piece]) -> tuple[int, int]:
    pieces = list(pieces)
    if not pieces:
        return DEFAULT_HOURS
    first = min(p.start_minute for p in pieces) // 60
    last = math.ceil(max(p.end_minute for p in pieces) / 60)
    return min(first, DEFAULT_HOURS[0]), max(last, DEFAULT_HOURS[1])


_ORDER = {"free": 0, "past": 0, "buffer": 1, "external": 2, "calendly": 3, "override": 4}


def _place(grid: WeekGrid, day: GridDay, piece: Piece, lane: tuple[int, int]) -> Box:
    """``piece`` in its ``lane`` (index, lanes side by side) of its day's column; its
    tooltip spans the whole column, so a narrow lane's words are still readable there."""
    y, bottom = grid.y(piece.start_minute), grid.y(piece.end_minute)
    height = bottom - y
    index, count = lane
    lane_width = (DAY_WIDTH - 2 * PAD) / count
    width = lane_width - (1 if count > 1 else 0)
    lines: tuple[str, ...] = ()
    # Buffers are too thin to write in and outlines are drawn around other blocks.
    if piece.kind not in ("buffer", "override"):
        head = piece.name if piece.kind in ("calendly", "external") and piece.name else None
        lines = block_lines(
            head or KIND_NAMES[piece.kind],
            piece.times,
            minute_clock(piece.start_minute, piece.notation),
            KIND_NAMES[piece.kind] if head else "",
            height,
            width,
        )
    tip_text = (piece.name, piece.kind_words) if piece.named else (piece.title,)
    tip = tuple(shorten(t, TEXT_CHARS) for t in (*tip_text, piece.times))
    tip_height = LINE * len(tip) + 8
    return Box(
        piece=piece,
        x=day.x + PAD + index * lane_width,
        y=y,
        width=width,
        height=height,
        lines=lines,
        tip_x=day.x + PAD,
        tip_y=max(0.0, y - tip_height - 2),
        tip_lines=tip,
    )


def _place_day(grid: WeekGrid, day: GridDay) -> None:
    """Boxes for the day's pieces, overlapping ones side by side in lanes."""
    laned = [i for i, p in enumerate(day.pieces) if p.kind != "override"]
    spans = [(day.pieces[i].start_minute, day.pieces[i].end_minute) for i in laned]
    lane_of = dict(zip(laned, lanes(spans), strict=True))
    day.boxes = [
        _place(grid, day, piece, lane_of.get(i, (0, 1))) for i, piece in enumerate(day.pieces)
    ]


def _past_minute(bounds: Interval, now: datetime | None, zone: ZoneInfo) -> int:
    if now is None or now <= bounds.start:
        return 0
    if now >= bounds.end:
        return 1440
    local = now.astimezone(zone)
    return local.hour * 60 + local.minute


def build_grid(
    monday: date,
    zone: ZoneInfo,
    working_days: Sequence[WorkingDay],
    free: Iterable[Interval],
    busy: Iterable[BusyBlock],
    past: Iterable[Interval] = (),
    now: datetime | None = None,
    notation: str = H24,
) -> WeekGrid:
    """The week of ``monday`` in ``zone``: free time, busy blocks and buffers, working time
    that is ``past`` (before ``now``, whose columns are shaded), date overrides outlined.
    Boxes are drawn in time order within each day, so that a box's tooltip, drawn just
    above it, covers only what came before it."""
    busy = list(busy)
    windows = day_windows(monday, zone)
    days = [GridDay(d, i, past_minute=_past_minute(b, now, zone)) for i, (d, b) in enumerate(windows)]
    by_date = {d.day: d for d in days}
    for working_day in working_days:
        if working_day.override and working_day.day in by_date:
            by_date[working_day.day].override = True
            by_date[working_day.day].day_off = not working_day.intervals
    override_spans = [i for wd in working_days if wd.override for i in wd.intervals]
    clock = {"notation": notation}
    pieces = [p for i in free for p in _split(i, windows, zone, kind="free", **clock)]
    # Busy blocks of the past (synced before they happened) are drawn as they were.
    busy_spans = [i for b in busy if (i := b.interval()) is not None]
    pieces += [
        p
        for i in subtract(past, busy_spans)
        for p in _split(i, windows, zone, kind="past", **clock)
    ]
    for block in busy:
        for interval, kind in _busy_parts(block):
            pieces += _split(interval, windows, zone, kind=kind, name=block.label, **clock)
    pieces += [
        p for i in override_spans for p in _split(i, windows, zone, kind="override", **clock)
    ]
    pieces = [_mark_override(p, override_spans) for p in pieces]
    first, last = _visible_hours(pieces)
    grid = WeekGrid(zone.key, days, first, last, notation)
    # Override outlines last: they are drawn around the blocks of their time, not under them.
    for piece in sorted(pieces, key=lambda p: (p.kind == "override", p.start, _ORDER[p.kind])):
        days[piece.day_index].pieces.append(piece)
    for day in days:
        _place_day(grid, day)
    return grid


def _mark_override(piece: Piece, override_spans: Sequence[Interval]) -> Piece:
    if piece.kind == "override" or not any(
        s.start <= piece.start < s.end for s in override_spans
    ):
        return piece
    return Piece(piece.day_index, piece.kind, piece.start, piece.end, piece.start_minute,
                 piece.end_minute, piece.name, override=True, notation=piece.notation)
