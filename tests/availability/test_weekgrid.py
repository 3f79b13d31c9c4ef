"""Week grid geometry: pure, no database; wall-clock rows across a DST change."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from availability.freebusy import BusyBlock, free_intervals, working_days
from availability.intervals import Interval, week_bounds
from dashboard.week_grid import HEADER_HEIGHT, HOUR_HEIGHT, build_grid, day_windows

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2025, 10, 20)  # Berlin's clocks go back on Sunday 26 Oct at 03:00 CEST.
RULES = [{"type": "wday", "wday": "sunday", "intervals": [{"from": "00:00", "to": "04:00"}]}]


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_the_day_the_clocks_go_back_lasts_25_hours():
    lengths = [bounds.duration.total_seconds() / 3600 for _, bounds in day_windows(MONDAY, BERLIN)]
    assert lengths == [24, 24, 24, 24, 24, 24, 25]


def test_blocks_sit_on_the_wall_clock_on_a_25_hour_day():
    window = week_bounds(MONDAY, "Europe/Berlin")
    days = working_days(RULES, "Europe/Berlin", window)
    # 01:30 CEST (23:30 UTC) to 02:30 CET (01:30 UTC): two hours elapsed, 01:30-02:30 on the wall.
    busy = [BusyBlock(utc(2025, 10, 25, 23, 30), utc(2025, 10, 26, 1, 30), kind="external")]
    working = [i for d in days for i in d.intervals]
    free = free_intervals(working, [Interval(b.start, b.end) for b in busy])
    grid = build_grid(MONDAY, BERLIN, days, free, busy)
    sunday = grid.days[6]
    described = [p.description for p in sunday.pieces]
    assert described == [
        "Free, 00:00–01:30",
        "External calendar, 01:30–02:30",
        "Free, 02:30–04:00",
    ]
    assert grid.first_hour == 0 and grid.last_hour == 18
    box = next(b for b in sunday.boxes if b.piece.kind == "external")
    assert box.y == HEADER_HEIGHT + 1.5 * HOUR_HEIGHT
    assert box.height == HOUR_HEIGHT  # Drawn by the wall clock, though two hours passed.
    assert box.tip_y < box.y  # The tooltip sits above the block it describes.


def test_buffers_are_their_own_lighter_pieces_and_overrides_are_marked():
    rules = [{"type": "date", "date": "2025-10-21", "intervals": [{"from": "10:00", "to": "12:00"}]}]
    window = week_bounds(MONDAY, "Europe/Berlin")
    days = working_days(rules, "Europe/Berlin", window)
    meeting = BusyBlock(
        utc(2025, 10, 21, 9), utc(2025, 10, 21, 9, 30), kind="calendly",
        buffered_start=utc(2025, 10, 21, 8, 45), buffered_end=utc(2025, 10, 21, 9, 45),
        label="Intro call",
    )
    grid = build_grid(MONDAY, BERLIN, days, [], [meeting])
    tuesday = grid.days[1]
    assert tuesday.override and not tuesday.day_off
    assert [p.description for p in tuesday.pieces] == [
        "Buffer: Intro call (date override), 10:45–11:00",
        "Intro call (Calendly booking, date override) 11:00–11:30",
        "Buffer: Intro call (date override), 11:30–11:45",
        "Override, 10:00–12:00",
    ]


def test_a_booking_says_its_event_name_first_and_an_unnamed_one_its_kind():
    window = week_bounds(MONDAY, "Europe/Berlin")
    demo = BusyBlock(utc(2025, 10, 22, 12), utc(2025, 10, 22, 13, 30), kind="calendly",
                     label="Product demo")
    unnamed = BusyBlock(utc(2025, 10, 23, 12), utc(2025, 10, 23, 13), kind="calendly")
    grid = build_grid(MONDAY, BERLIN, working_days([], "Europe/Berlin", window), [],
                      [demo, unnamed])
    (named_box,) = grid.days[2].boxes
    assert named_box.piece.description == "Product demo (Calendly booking) 14:00–15:30"
    assert named_box.piece.title == "Product demo (Calendly booking)"
    assert named_box.tip_lines == ("Product demo", "Calendly booking", "14:00–15:30")
    (plain_box,) = grid.days[3].boxes
    assert plain_box.piece.description == "Calendly booking, 14:00–15:00"
    assert plain_box.tip_lines == ("Calendly booking", "14:00–15:00")
