"""The week grid as a person reads it, at the places `make mutation` found unwatched: the
shade of an hour just begun, blocks across midnight and round the hour that happens twice,
buffers of no length, blocks side by side, what is written in a block, the 12-hour clock,
past working time, and date overrides at their edges."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from availability.freebusy import BusyBlock, working_days
from availability.intervals import Interval, week_bounds
from dashboard.week_grid import HEADER_HEIGHT, HOUR_HEIGHT, build_grid

MONDAY = date(2026, 6, 8)  # A week with no change of the clocks in Berlin.
BERLIN = ZoneInfo("Europe/Berlin")
COLUMN = 136  # A day's width; blocks keep 3 units off either side.


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 6, 8 + day, hour, minute, tzinfo=BERLIN)


def span(day: int, start: tuple[int, int], end: tuple[int, int]) -> Interval:
    return Interval(berlin(day, *start), berlin(day, *end))


def grid_of(busy=(), free=(), past=(), rules=(), now=None, notation="24h"):
    days = working_days(list(rules), "Europe/Berlin", week_bounds(MONDAY, "Europe/Berlin"))
    return build_grid(MONDAY, BERLIN, days, free, busy, past, now, notation)


def described(grid, day: int) -> list[str]:
    return [p.description for p in grid.days[day].pieces]


def override(day: int, *intervals: tuple[str, str]) -> dict:
    return {
        "type": "date",
        "date": (MONDAY + timedelta(days=day)).isoformat(),
        "intervals": [{"from": a, "to": b} for a, b in intervals],
    }


def day_x(day: int) -> int:
    return 48 + day * COLUMN


def test_five_minutes_into_the_grids_first_hour_are_shaded_as_over():
    grid = grid_of(now=berlin(1, 8, 5))
    shades = {d.day: height for d, height in grid.past_shades()}
    assert shades[MONDAY + timedelta(days=1)] == 5 / 60 * HOUR_HEIGHT
    assert grid.now_line.y == HEADER_HEIGHT + 5 / 60 * HOUR_HEIGHT


def test_a_block_across_midnight_runs_to_24_00_and_on_from_00_00():
    grid = grid_of(busy=[BusyBlock(berlin(2, 22), berlin(3, 1), kind="external")])
    assert described(grid, 2) == ["External calendar, 22:00–24:00"]
    assert described(grid, 3) == ["External calendar, 00:00–01:00"]
    assert (grid.first_hour, grid.last_hour) == (0, 24)
    (late,) = grid.days[2].boxes
    assert late.y + late.height == grid.body_bottom


def test_a_block_back_to_the_same_wall_clock_time_in_the_repeated_hour_draws_nothing():
    """Berlin, 26 Oct 2025: 02:30 summer time to 02:30 winter time is an hour that the
    wall clock shows as no time at all; a box of no height would say "02:30–02:30"."""
    monday = date(2025, 10, 20)
    days = working_days([], "Europe/Berlin", week_bounds(monday, "Europe/Berlin"))
    block = BusyBlock(
        datetime(2025, 10, 26, 0, 30, tzinfo=UTC),
        datetime(2025, 10, 26, 1, 30, tzinfo=UTC),
        kind="external",
    )
    grid = build_grid(monday, BERLIN, days, [], [block])
    assert grid.days[6].pieces == [] and grid.days[6].boxes == []
    assert (grid.first_hour, grid.last_hour) == (8, 18)


def test_pieces_carry_their_local_start_and_end_and_the_grid_its_zone():
    grid = grid_of(
        busy=[BusyBlock(berlin(0, 10), berlin(0, 11), kind="external")],
        free=[span(2, (10, 0), (12, 0))],
        rules=[override(2, ("10:00", "12:00"))],
    )
    assert grid.zone == "Europe/Berlin"
    (booking,) = grid.days[0].pieces
    assert (booking.start, booking.end) == (berlin(0, 10), berlin(0, 11))
    assert booking.end.utcoffset() == timedelta(hours=2)  # Local: summer time in Berlin.
    free, outline = grid.days[2].pieces
    assert free.override and (free.start, free.end) == (berlin(2, 10), berlin(2, 12))


def test_a_booking_with_no_buffer_draws_no_buffer():
    """Calendly writes a buffer of 0 minutes as a buffered start equal to the start."""
    meeting = BusyBlock(
        berlin(0, 10),
        berlin(0, 11),
        kind="calendly",
        label="Call",
        buffered_start=berlin(0, 10),
        buffered_end=berlin(0, 11),
    )
    grid = grid_of(busy=[meeting])
    assert described(grid, 0) == ["Call (Calendly booking) 10:00–11:00"]


def test_a_booking_of_no_length_draws_only_its_buffers():
    ping = BusyBlock(
        berlin(0, 10),
        berlin(0, 10),
        kind="calendly",
        label="Ping",
        buffered_start=berlin(0, 9, 45),
        buffered_end=berlin(0, 10, 15),
    )
    grid = grid_of(busy=[ping])
    assert described(grid, 0) == ["Buffer: Ping, 09:45–10:00", "Buffer: Ping, 10:00–10:15"]


def test_a_block_ending_at_20_20_opens_the_grid_to_21_00():
    grid = grid_of(busy=[BusyBlock(berlin(0, 19, 40), berlin(0, 20, 20), kind="external")])
    assert (grid.first_hour, grid.last_hour) == (8, 21)
    assert grid.hour_lines[-1][2] == "21:00"


def test_overlapping_blocks_share_the_column_side_by_side():
    booking = BusyBlock(berlin(1, 10), berlin(1, 11), kind="calendly", label="Demo")
    external = BusyBlock(berlin(1, 10, 30), berlin(1, 11, 30), kind="external")
    grid = grid_of(busy=[booking, external])
    left, right = grid.days[1].boxes
    assert (left.piece.kind, right.piece.kind) == ("calendly", "external")
    half = (COLUMN - 6) / 2
    assert (left.x, left.width) == (day_x(1) + 3, half - 1)  # A gap of 1 between them.
    assert (right.x, right.width) == (day_x(1) + 3 + half, half - 1)
    # Each tooltip spans the whole column, so a narrow lane's words can be read there.
    assert left.tip_x == right.tip_x == day_x(1) + 3


def test_buffers_and_override_outlines_are_not_written_in_and_outlines_span_the_column():
    meeting = BusyBlock(
        berlin(2, 10, 30),
        berlin(2, 11),
        kind="calendly",
        label="Sync",
        buffered_start=berlin(2, 10),
        buffered_end=berlin(2, 11, 30),
    )
    grid = grid_of(busy=[meeting], rules=[override(2, ("10:00", "12:00"))])
    before, booking, after, outline = grid.days[2].boxes
    assert [b.piece.kind for b in (before, after, outline)] == ["buffer", "buffer", "override"]
    assert before.height == after.height == HOUR_HEIGHT / 2  # Room for a line, left empty.
    assert before.lines == after.lines == outline.lines == ()
    assert booking.lines == ("10:30 Sync",)
    for box in (before, booking, after, outline):
        assert (box.x, box.width, box.tip_x) == (day_x(2) + 3, COLUMN - 6, day_x(2) + 3)
    assert outline.height == 2 * HOUR_HEIGHT


def test_a_tall_block_says_its_kind_under_its_name_and_an_unnamed_one_its_kind_once():
    named = BusyBlock(berlin(0, 10), berlin(0, 11, 30), kind="calendly", label="Demo")
    unnamed = BusyBlock(berlin(1, 10), berlin(1, 11, 30), kind="calendly")
    dentist = BusyBlock(berlin(2, 14), berlin(2, 15, 30), kind="external", label="Dentist")
    grid = grid_of(busy=[named, unnamed, dentist])
    assert grid.days[0].boxes[0].lines == ("Demo", "10:00–11:30", "Calendly booking")
    assert grid.days[1].boxes[0].lines == ("Calendly booking", "10:00–11:30")
    # 16 characters to a line: the tooltip says the rest.
    assert grid.days[2].boxes[0].lines == ("Dentist", "14:00–15:30", "External calend…")


def test_the_12_hour_clock_is_used_for_every_kind_of_piece_and_the_rows():
    rules = [
        {"type": "wday", "wday": "monday", "intervals": [{"from": "09:00", "to": "17:00"}]},
        override(2, ("10:00", "12:00")),
    ]
    grid = grid_of(
        busy=[BusyBlock(berlin(1, 13), berlin(1, 13, 30), kind="calendly", label="Standup")],
        free=[span(0, (9, 0), (17, 0)), span(2, (10, 0), (12, 0))],
        past=[span(3, (9, 0), (10, 0))],
        rules=rules,
        notation="12h",
    )
    assert described(grid, 0) == ["Free, 9:00am–5:00pm"]
    assert described(grid, 1) == ["Standup (Calendly booking) 1:00pm–1:30pm"]
    assert grid.days[1].boxes[0].lines == ("1:00pm Standup",)
    assert described(grid, 2) == [
        "Free (date override), 10:00am–12:00pm",
        "Override, 10:00am–12:00pm",
    ]
    assert described(grid, 3) == ["Past, 9:00am–10:00am"]
    assert [label for _, _, label in grid.hour_lines][:3] == ["8am", "9am", "10am"]
    assert grid.notation == "12h"


def test_past_working_time_is_drawn_around_the_busy_blocks_it_held():
    meeting = BusyBlock(berlin(0, 10), berlin(0, 10, 30), kind="external")
    grid = grid_of(busy=[meeting], past=[span(0, (9, 0), (12, 0))], now=berlin(0, 12))
    assert described(grid, 0) == [
        "Past, 09:00–10:00",
        "External calendar, 10:00–10:30",
        "Past, 10:30–12:00",
    ]
    assert [b.piece.kind for b in grid.days[0].boxes] == ["past", "external", "past"]


def test_only_days_with_a_date_override_are_marked_and_an_empty_one_is_a_day_off():
    rules = [
        {"type": "wday", "wday": "monday", "intervals": [{"from": "09:00", "to": "17:00"}]},
        override(2, ("10:00", "12:00")),
        override(3),
    ]
    grid = grid_of(rules=rules)
    assert [d.override for d in grid.days] == [False, False, True, True, False, False, False]
    assert [d.day_off for d in grid.days] == [False, False, False, True, False, False, False]


def test_a_piece_is_on_the_override_from_its_first_minute_and_not_from_its_end():
    booking = BusyBlock(berlin(2, 12), berlin(2, 12, 30), kind="calendly")
    grid = grid_of(
        busy=[booking], free=[span(2, (10, 0), (12, 0))], rules=[override(2, ("10:00", "12:00"))]
    )
    assert described(grid, 2) == [
        "Free (date override), 10:00–12:00",
        "Calendly booking, 12:00–12:30",
        "Override, 10:00–12:00",
    ]


def test_nothing_is_over_at_the_first_instant_of_a_day_whose_midnight_is_skipped():
    """Santiago, Sunday 6 Sep 2026: the clocks go from 00:00 to 01:00, so the day's first
    instant reads 01:00, yet none of the day is over."""
    santiago = ZoneInfo("America/Santiago")
    monday = date(2026, 8, 31)
    days = working_days([], "America/Santiago", week_bounds(monday, "America/Santiago"))
    first_instant = datetime(2026, 9, 6, 4, tzinfo=UTC)
    early = BusyBlock(first_instant, first_instant + timedelta(hours=1), kind="external")
    grid = build_grid(monday, santiago, days, [], [early], now=first_instant)
    assert grid.first_hour == 1  # The block opens the grid at 01:00.
    assert grid.days[5].is_past
    assert grid.days[6].past_minute == 0 and not grid.days[6].is_today
    assert grid.now_line is None
