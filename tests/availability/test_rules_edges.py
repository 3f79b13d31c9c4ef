"""Free/busy at the edges a person would notice: times of day Calendly never writes, rules
of no length, a week opening on a day off, the order of the "first available" text, and
the week grid drawn from a first hour other than midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from availability.freebusy import (
    BusyBlock,
    InvalidRule,
    first_available_text,
    week_totals,
    working_days,
)
from availability.intervals import Interval, total_hours, week_bounds
from dashboard.week_grid import HEADER_HEIGHT, HOUR_HEIGHT, build_grid

MONDAY = date(2026, 6, 8)
BERLIN = ZoneInfo("Europe/Berlin")


def rule(day: str, start: str, end: str) -> dict:
    return {"type": "wday", "wday": day, "intervals": [{"from": start, "to": end}]}


def hours_by_day(rules: list[dict], zone: str = "UTC") -> dict[date, float]:
    days = working_days(rules, zone, week_bounds(MONDAY, zone))
    return {d.day: total_hours(d.intervals) for d in days}


@pytest.mark.parametrize("clock", ["09:60", "9:75", "24:01", "25:00", "09:0", "9h00", "", None])
def test_a_time_of_day_calendly_never_writes_is_refused(clock):
    with pytest.raises(InvalidRule, match="bad time of day"):
        hours_by_day([rule("monday", "09:00", "17:00"), rule("tuesday", clock, "17:00")])


@pytest.mark.parametrize(("start", "end", "hours"), [("09:59", "10:00", 1 / 60),
                                                     ("00:00", "24:00", 24),
                                                     ("23:59", "24:00", 1 / 60)])
def test_the_last_minute_of_an_hour_and_of_the_day_are_times_of_day(start, end, hours):
    assert hours_by_day([rule("monday", start, end)])[MONDAY] == pytest.approx(hours)


def test_a_rule_from_nine_to_nine_is_no_working_time_not_a_whole_day():
    assert sum(hours_by_day([rule("monday", "09:00", "09:00")]).values()) == 0


def test_a_rule_may_not_start_at_the_end_of_the_day():
    with pytest.raises(InvalidRule, match="cannot start at 24:00"):
        hours_by_day([rule("monday", "24:00", "01:00")])


def test_a_rule_ending_at_midnight_or_before_it_starts_runs_to_or_past_midnight():
    rules = [rule("monday", "18:00", "00:00"), rule("wednesday", "22:00", "02:00")]
    days = working_days(rules, "UTC", week_bounds(MONDAY, "UTC"))
    assert days[0].intervals == (
        Interval(datetime(2026, 6, 8, 18, tzinfo=UTC), datetime(2026, 6, 9, tzinfo=UTC)),
    )
    # Wednesday's night runs into Thursday, and belongs to Wednesday's rule.
    assert days[2].intervals == (
        Interval(datetime(2026, 6, 10, 22, tzinfo=UTC), datetime(2026, 6, 11, 2, tzinfo=UTC)),
    )
    assert days[3].intervals == ()


def test_a_week_that_opens_on_a_day_off_still_lists_that_day():
    days = working_days([rule("tuesday", "09:00", "17:00")], "UTC", week_bounds(MONDAY, "UTC"))
    assert [d.day for d in days] == [MONDAY + timedelta(days=i) for i in range(7)]
    assert days[0].intervals == () and not days[0].override


def test_an_override_date_written_wrongly_is_refused():
    with pytest.raises(InvalidRule, match="bad rule date"):
        hours_by_day([{"type": "date", "date": "2026-13-01", "intervals": []}])


def test_the_first_available_times_are_in_time_order_whatever_their_links():
    slots = [
        (datetime(2026, 11, 24, 9, tzinfo=UTC), "https://calendly.com/ann/30min/a"),
        (datetime(2026, 11, 24, 8, tzinfo=UTC), "https://calendly.com/ann/30min/z"),
        (datetime(2026, 11, 24, 10, tzinfo=UTC), "https://calendly.com/ann/30min/m"),
    ]
    assert first_available_text(slots, 2, "UTC") == (
        "Tue 24 Nov, 08:00 (UTC) — https://calendly.com/ann/30min/z\n"
        "Tue 24 Nov, 09:00 (UTC) — https://calendly.com/ann/30min/a"
    )
    assert first_available_text(slots, -1, "UTC") == ""


def test_a_time_notation_writes_the_time_of_day():
    slots = [(datetime(2026, 11, 24, 15, tzinfo=UTC), "https://calendly.com/ann/30min/a")]
    text = first_available_text(slots, 1, "UTC", time_of_day=lambda m: f"{m:%I:%M %p}")
    assert text == "Tue 24 Nov, 03:00 PM (UTC) — https://calendly.com/ann/30min/a"


# --- The week grid from 08:00 -------------------------------------------------------------


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 6, 8 + day, hour, minute, tzinfo=BERLIN)


def test_a_block_is_drawn_at_its_hour_below_the_grids_first_hour():
    """Nothing before 08:00: the grid starts at 08:00, so 10:30 is 2.5 hours down."""
    window = week_bounds(MONDAY, "Europe/Berlin")
    days = working_days([rule("monday", "09:00", "17:00")], "Europe/Berlin", window)
    meeting = BusyBlock(berlin(0, 10, 30), berlin(0, 11, 15), kind="external")
    grid = build_grid(MONDAY, BERLIN, days, [], [meeting])
    assert (grid.first_hour, grid.last_hour) == (8, 18)
    (box,) = grid.days[0].boxes
    assert box.y == HEADER_HEIGHT + 2.5 * HOUR_HEIGHT
    assert box.height == 0.75 * HOUR_HEIGHT
    assert grid.body_bottom == HEADER_HEIGHT + 10 * HOUR_HEIGHT
    assert [label for _, _, label in grid.hour_lines][:2] == ["08:00", "09:00"]
    assert grid.hour_lines[1][0] == HEADER_HEIGHT + HOUR_HEIGHT


def test_the_past_and_the_now_line_are_drawn_from_the_grids_first_hour():
    window = week_bounds(MONDAY, "Europe/Berlin")
    days = working_days([rule("monday", "09:00", "17:00")], "Europe/Berlin", window)
    now = berlin(1, 9, 30)  # Tuesday 09:30
    grid = build_grid(MONDAY, BERLIN, days, [], [], now=now)
    shades = dict((d.day, height) for d, height in grid.past_shades())
    assert shades[MONDAY] == 10 * HOUR_HEIGHT  # all of Monday, as drawn (08:00-18:00)
    assert shades[MONDAY + timedelta(days=1)] == 1.5 * HOUR_HEIGHT
    assert MONDAY + timedelta(days=2) not in shades
    assert grid.now_line.y == HEADER_HEIGHT + 1.5 * HOUR_HEIGHT
    early = build_grid(MONDAY, BERLIN, days, [], [], now=berlin(1, 7))
    assert early.now_line is None  # before the grid's first hour: not drawn
    assert MONDAY + timedelta(days=1) not in dict(
        (d.day, h) for d, h in early.past_shades()
    )


def test_a_block_before_eight_opens_the_grid_at_its_hour():
    window = week_bounds(MONDAY, "Europe/Berlin")
    days = working_days([], "Europe/Berlin", window)
    grid = build_grid(MONDAY, BERLIN, days, [],
                      [BusyBlock(berlin(2, 6, 45), berlin(2, 7, 15), kind="external")])
    assert grid.first_hour == 6
    (box,) = grid.days[2].boxes
    assert box.y == HEADER_HEIGHT + 0.75 * HOUR_HEIGHT


def test_working_time_meeting_the_window_only_from_the_day_before_is_kept():
    """Sunday 22:00-02:00 in Berlin reaches into Monday's week in UTC too."""
    window = Interval(datetime(2026, 6, 8, tzinfo=UTC), datetime(2026, 6, 9, tzinfo=UTC))
    days = working_days([rule("sunday", "22:00", "02:00")], "UTC", window)
    assert [d.day for d in days] == [MONDAY - timedelta(days=1), MONDAY]
    assert total_hours(days[0].intervals) == 2 and days[1].intervals == ()


# --- Totals split at now ------------------------------------------------------------------


def at_utc(hour: float) -> datetime:
    return datetime(2026, 6, 8, tzinfo=UTC) + timedelta(hours=hour)


def test_totals_of_a_window_that_is_over_are_all_past():
    window = Interval(at_utc(0), at_utc(24))
    working = [Interval(at_utc(9), at_utc(17))]
    blocks = [BusyBlock(at_utc(10), at_utc(11), kind="calendly")]
    totals = week_totals(working, blocks, window, now=at_utc(30))
    assert (totals.working_hours, totals.past_hours, totals.busy_hours,
            totals.busy_outside_hours, totals.free_hours, totals.scheduled_hours) == (
        8, 8, 0, 0, 0, 0
    )


def test_totals_split_at_now_count_only_what_is_ahead():
    window = Interval(at_utc(0), at_utc(24))
    working = [Interval(at_utc(9), at_utc(17))]
    blocks = [
        BusyBlock(at_utc(10), at_utc(11), kind="calendly"),  # over
        BusyBlock(at_utc(14), at_utc(15), kind="calendly",
                  buffered_start=at_utc(13.5), buffered_end=at_utc(15.5)),
        BusyBlock(at_utc(18), at_utc(19), kind="external"),
    ]
    totals = week_totals(working, blocks, window, now=at_utc(12))
    assert totals.working_hours == 8 and totals.past_hours == 3
    assert totals.busy_hours == 2 and totals.free_hours == 3  # 12-13.5, 15.5-17
    assert totals.busy_outside_hours == 1 and totals.scheduled_hours == 1  # no buffers
    assert totals.past_hours + totals.busy_hours + totals.free_hours == totals.working_hours


def test_a_rule_ending_a_minute_past_midnight_lasts_that_minute_longer():
    days = working_days([rule("monday", "22:00", "00:01")], "UTC", week_bounds(MONDAY, "UTC"))
    assert total_hours(days[0].intervals) == pytest.approx(2 + 1 / 60)


def test_totals_at_the_very_end_of_the_window_are_all_past():
    window = Interval(at_utc(0), at_utc(24))
    totals = week_totals([Interval(at_utc(9), at_utc(17))], [], window, now=at_utc(24))
    assert (totals.past_hours, totals.free_hours) == (8, 0)


def test_a_busy_block_counts_its_buffers_unless_asked_not_to():
    block = BusyBlock(at_utc(10), at_utc(11), kind="calendly",
                      buffered_start=at_utc(9.5), buffered_end=at_utc(11.5))
    assert block.interval() == Interval(at_utc(9.5), at_utc(11.5))
    assert block.interval(include_buffers=False) == Interval(at_utc(10), at_utc(11))


def test_first_available_times_at_the_same_moment_keep_their_order():
    moment = datetime(2026, 11, 24, 9, tzinfo=UTC)
    slots = [(moment, "https://calendly.com/z"), (moment, "https://calendly.com/a")]
    assert first_available_text(slots, 2, "UTC").splitlines() == [
        "Tue 24 Nov, 09:00 (UTC) — https://calendly.com/z",
        "Tue 24 Nov, 09:00 (UTC) — https://calendly.com/a",
    ]


def test_a_heatmap_bucket_of_no_length_is_refused_in_words():
    from availability.freebusy import free_count_heatmap

    with pytest.raises(ValueError, match="^bucket must be positive$"):
        free_count_heatmap({}, Interval(at_utc(0), at_utc(1)), bucket=timedelta(0))


def test_an_unknown_zone_says_its_name():
    from availability.intervals import UnknownTimeZone, resolve_zone

    with pytest.raises(UnknownTimeZone, match="Mars/Olympus") as unknown:
        resolve_zone("Mars/Olympus")
    assert unknown.value.name == "Mars/Olympus"


def test_a_booking_box_is_placed_written_in_and_tipped_as_drawn():
    window = week_bounds(MONDAY, "Europe/Berlin")
    days = working_days([], "Europe/Berlin", window)
    name = "Quarterly planning w"  # 20 characters: one more than a line holds
    meeting = BusyBlock(berlin(2, 10), berlin(2, 11), kind="calendly", label=name,
                        buffered_start=berlin(2, 9, 45), buffered_end=berlin(2, 11, 15))
    grid = build_grid(MONDAY, BERLIN, days, [], [meeting])
    before, booking, after = grid.days[2].boxes
    assert (booking.x, booking.y, booking.width, booking.height) == (
        48 + 2 * 136 + 3, HEADER_HEIGHT + 2 * HOUR_HEIGHT, 136 - 6, HOUR_HEIGHT
    )
    # The name wrapped whole over the lines the hour holds, then the times (#20 point 2).
    assert booking.lines == ("Quarterly", "planning w", "10:00–11:00")
    assert booking.tip_lines == ("Quarterly planning…", "Calendly booking", "10:00–11:00")
    assert booking.tip_y == booking.y - (14 * 3 + 8) - 2
    assert (before.piece.kind, before.lines, before.height) == ("buffer", (), HOUR_HEIGHT / 4)
    assert before.tip_lines == ("Buffer: Quarterly…", "09:45–10:00")
    assert after.y == HEADER_HEIGHT + 3 * HOUR_HEIGHT


def test_a_short_block_writes_its_start_and_what_fits_of_its_name_and_tips_it_whole():
    window = week_bounds(MONDAY, "Europe/Berlin")
    days = working_days([], "Europe/Berlin", window)
    name = "Quarterly planning "[:19]
    half = BusyBlock(berlin(0, 8), berlin(0, 8, 30), kind="calendly", label=name)
    grid = build_grid(MONDAY, BERLIN, days, [], [half])
    (box,) = grid.days[0].boxes
    assert box.lines == ("08:00 Quarterly…",)  # 24 px: one line, its start and name
    assert box.tip_lines == (name, "Calendly booking", "08:00–08:30")
    assert box.tip_y == 0.0  # at the top of the grid: the tooltip cannot go higher


def test_a_day_is_over_at_its_midnight_and_nothing_is_past_without_a_clock():
    window = week_bounds(MONDAY, "Europe/Berlin")
    days = working_days([], "Europe/Berlin", window)
    early = [BusyBlock(berlin(0, 0, 30), berlin(0, 1), kind="external")]
    no_clock = build_grid(MONDAY, BERLIN, days, [], early)
    assert no_clock.first_hour == 0
    assert no_clock.now_line is None and no_clock.past_shades() == []
    at_midnight = build_grid(MONDAY, BERLIN, days, [], early, now=berlin(1, 0))
    assert at_midnight.days[0].is_past and not at_midnight.days[1].is_past
    assert not at_midnight.days[1].is_today
