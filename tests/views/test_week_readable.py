"""A readable week: overlapping blocks side by side, every block labelled as far as it
fits, short bookings named, and busy vs scheduled said in words (issue #20, points 1-3)."""

import re
from datetime import date
from zoneinfo import ZoneInfo

from django.urls import reverse

from availability.freebusy import BusyBlock, working_days
from availability.intervals import week_bounds
from dashboard.week_grid import DAY_WIDTH, PAD, build_grid
from dashboard.week_lanes import block_lines, lanes, wrap
from tests.views import factories as f

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2025, 10, 20)


def grid_of(*blocks):
    window = week_bounds(MONDAY, "Europe/Berlin")
    return build_grid(MONDAY, BERLIN, working_days([], "Europe/Berlin", window), [], blocks)


def test_overlapping_spans_share_lanes_and_a_run_ends_where_overlaps_stop():
    # 14:30-16:00 under 15:00-15:30, then 16:00-17:00 alone; a third lane when three meet.
    assert lanes([(870, 960), (900, 930), (960, 1020)]) == [(0, 2), (1, 2), (0, 1)]
    assert lanes([(0, 60), (10, 50), (20, 40), (70, 80)]) == [(0, 3), (1, 3), (2, 3), (0, 1)]
    # A lane freed in a run is reused, and the run stays as wide as its widest moment.
    assert lanes([(0, 30), (0, 90), (40, 60)]) == [(1, 2), (0, 2), (1, 2)]


def test_a_booking_inside_an_external_block_is_drawn_beside_it_not_over_it():
    external = BusyBlock(f.utc(2025, 10, 21, 13, 30), f.utc(2025, 10, 21, 15), kind="external")
    booking = BusyBlock(
        f.utc(2025, 10, 21, 14), f.utc(2025, 10, 21, 14, 30), kind="calendly", label="Intro call"
    )
    boxes = {b.piece.kind: b for b in grid_of(external, booking).days[1].boxes}
    ext, call = boxes["external"], boxes["calendly"]
    assert ext.x + ext.width <= call.x  # side by side
    assert ext.width + call.width <= DAY_WIDTH - 2 * PAD
    assert call.lines == ("Intro…",)  # half a column, one line: the name as far as it fits
    assert call.tip_lines == ("Intro call", "Calendly booking", "16:00–16:30")
    assert call.tip_x + 5 < call.x  # the tooltip spans the column, not the narrow lane


def test_a_block_alone_keeps_the_whole_column():
    booking = BusyBlock(f.utc(2025, 10, 21, 14), f.utc(2025, 10, 21, 15), kind="calendly")
    (box,) = grid_of(booking).days[1].boxes
    assert box.width == DAY_WIDTH - 2 * PAD
    assert box.lines == ("Calendly booking", "16:00–17:00")


def test_a_short_booking_alone_says_its_start_and_name_on_its_one_line():
    standup = BusyBlock(
        f.utc(2025, 10, 21, 7), f.utc(2025, 10, 21, 7, 30), kind="calendly", label="Standup"
    )
    (box,) = grid_of(standup).days[1].boxes
    assert box.lines == ("09:00 Standup",)


def test_a_long_name_wraps_over_the_lines_it_has_instead_of_being_cut_short():
    evening = BusyBlock(
        f.utc(2025, 10, 22, 17),
        f.utc(2025, 10, 22, 18, 30),
        kind="calendly",
        label="60 Minute Evening Consultation",
    )
    (box,) = grid_of(evening).days[2].boxes
    assert box.lines == (
        "60 Minute",
        "Evening",
        "Consultation",
        "19:00–20:30",
        "Calendly booking",
    )


def test_words_that_do_not_fit_end_in_an_ellipsis_and_the_start_stands_for_the_times():
    assert wrap("Quarterly planning with the whole board", 12, 2) == ["Quarterly", "planning wi…"]
    assert block_lines("Standup", "09:00–09:15", "09:00", "", height=30, width=60) == (
        "Standup",
        "09:00",
    )
    assert block_lines("Standup", "09:00–09:15", "09:00", "", height=10, width=130) == ()


def test_busy_and_scheduled_are_told_apart_in_words(client, clock, member):
    f.schedule(member, f.NINE_TO_FIVE)
    f.sign_in(client, member)
    # Ahead of the frozen clock and outside working hours: Tuesday 22:00 in New York.
    f.busy(member, f.utc(2025, 10, 29, 2), 60, name="Late call")
    html = client.get(
        reverse("dashboard:week"), {"tz": "America/New_York", "week": "2025-10-27"}
    ).content
    note = re.search(r'data-testid="totals-note">(.*?)</p>', html.decode(), re.S).group(1)
    assert "Busy is every busy time inside working hours" in note
    assert "Scheduled in Calendly is Calendly bookings alone" in note
    assert "1.0 h of busy time falls outside working hours" in note
