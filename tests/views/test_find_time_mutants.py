"""Find a time at the places `make mutation` found unwatched: a search that runs into next
week, time already over in the heatmap, back-to-back proposals ranked out of time order,
"at least" more people than were chosen, and no "more" when nothing could be searched.

As in test_find_time_results: Adam works 9-17 in Berlin, Nora 9-17 in New York; the clock
is given to ``find_time`` itself."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from availability.intervals import Interval
from dashboard.find_time import find_time, heatmap
from tests.views import factories as f

TUESDAY = date(2025, 10, 28)
FRIDAY = date(2025, 10, 31)


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def pair(org):
    adam = f.calendly_user(org, "Adam Admin", "Europe/Berlin")
    nora = f.calendly_user(org, "Nora York", "America/New_York")
    f.schedule(adam)
    f.schedule(nora)
    return adam, nora


def labels(result) -> list[str]:
    return [slot.label for slot in result.slots]


def test_a_search_from_friday_runs_into_next_weeks_monday(org, pair):
    """Friday's time together is over at 16:30; the weekend has none; New York is back on
    standard time on Monday 3 November, so together is 14-16 UTC."""
    ids = [u.pk for u in pair]
    result = find_time(org, ids, FRIDAY, 60, None, "UTC", utc(10, 31, 16, 30), 4)
    assert labels(result) == ["Mon 3 Nov, 14:00–15:00", "Mon 3 Nov, 15:00–16:00"]
    monday = dict(result.heatmap.rows)["14:00"][-1]
    assert (monday.count, monday.level, monday.past) == (2, 4, False)


def test_working_hours_already_over_count_nobody_free_in_the_heatmap(org, pair):
    ids = [u.pk for u in pair]
    result = find_time(org, ids, TUESDAY, 60, None, "UTC", utc(10, 28, 14, 30), 1)
    rows = dict(result.heatmap.rows)
    assert [(rows[h][0].count, rows[h][0].past) for h in ("13:00", "14:00", "15:00")] == [
        (0, True),
        (0, True),  # Started at 14:00: half over, so not bookable as a whole hour.
        (2, False),
    ]


def test_a_worse_slot_just_before_a_better_one_is_still_proposed(org, pair):
    """Bea (UTC) is free 15-16 only: three free then, ranked first; 13-14 and 14-15 (two
    free) come after it, the second ending as the first begins."""
    bea = f.calendly_user(org, "Bea Brit", "UTC")
    f.schedule(
        bea, [{"type": "wday", "wday": "tuesday", "intervals": [{"from": "15:00", "to": "16:00"}]}]
    )
    chosen = [*pair, bea]
    result = find_time(org, [u.pk for u in chosen], TUESDAY, 60, 2, "UTC", utc(10, 28, 6), 1)
    assert [(s.label, len(s.free)) for s in result.slots] == [
        ("Tue 28 Oct, 15:00–16:00", 3),
        ("Tue 28 Oct, 13:00–14:00", 2),
        ("Tue 28 Oct, 14:00–15:00", 2),
    ]


def test_asking_for_more_people_than_were_chosen_is_kept_to_be_said(org, pair):
    result = find_time(org, [u.pk for u in pair], TUESDAY, 60, 3, "UTC", utc(10, 28, 6), 1)
    assert (result.asked, result.asked_too_many, result.needed) == (3, True, 2)
    assert labels(result)[0] == "Tue 28 Oct, 13:00–14:00"
    enough = find_time(org, [u.pk for u in pair], TUESDAY, 60, 2, "UTC", utc(10, 28, 6), 1)
    assert (enough.asked, enough.asked_too_many) == (2, False)


def test_nothing_to_search_has_no_more_to_show(org, pair):
    over = find_time(org, [u.pk for u in pair], TUESDAY, 60, None, "UTC", utc(10, 29, 9), 1)
    assert (over.slots, over.more) == ([], False)
    ghost = f.calendly_user(org, "Gus Ghost", "Europe/Berlin")  # no schedule synced
    nobody = find_time(org, [ghost.pk], TUESDAY, 60, None, "UTC", utc(10, 28, 6), 1)
    assert (nobody.members, nobody.slots, nobody.more) == ([], [], False)


def test_a_member_alone_is_proposed_their_own_free_time(org, pair):
    adam, _ = pair
    result = find_time(org, [adam.pk], TUESDAY, 60, None, "UTC", utc(10, 28, 6), 1)
    assert result.needed == 1
    assert labels(result)[:2] == ["Tue 28 Oct, 08:00–09:00", "Tue 28 Oct, 09:00–10:00"]


def test_two_hour_times_in_an_open_week_fill_the_list_and_offer_more(org):
    """Someone free round the clock: twelve two-hour times from now, and more to show."""
    always = f.calendly_user(org, "Al Ways", "UTC")
    f.schedule(
        always,
        [
            {"type": "wday", "wday": day, "intervals": [{"from": "00:00", "to": "24:00"}]}
            for day in (*f.WEEKDAYS, "saturday", "sunday")
        ],
    )
    result = find_time(org, [always.pk], TUESDAY, 120, None, "UTC", utc(10, 28, 6), 7)
    assert labels(result)[0] == "Tue 28 Oct, 06:00–08:00"
    assert labels(result)[-1] == "Wed 29 Oct, 04:00–06:00"
    assert len(result.slots) == 12 and result.more


def test_more_is_offered_only_past_the_times_shown(org, pair):
    ids = [u.pk for u in pair]
    # 13-16 UTC together: three hours, three one-hour times.
    three = find_time(org, ids, TUESDAY, 60, None, "UTC", utc(10, 28, 6), 1, shown=3)
    assert (len(three.slots), three.more) == (3, False)
    two = find_time(org, ids, TUESDAY, 60, None, "UTC", utc(10, 28, 6), 1, shown=2)
    assert (labels(two), two.more) == (labels(three)[:2], True)


def test_the_12_hour_clock_writes_the_times_and_the_heatmaps_rows(org, pair):
    ids = [u.pk for u in pair]
    result = find_time(org, ids, TUESDAY, 60, None, "UTC", utc(10, 28, 6), 1, notation="12h")
    assert labels(result)[0] == "Tue 28 Oct, 1:00pm–2:00pm"
    assert [label for label, _ in result.heatmap.rows][:2] == ["7am", "8am"]


def test_times_are_written_in_the_viewers_zone(org, pair):
    """Berlin is UTC+1 on 28 Oct 2025: together 13-16 UTC is 14-17 there."""
    ids = [u.pk for u in pair]
    result = find_time(org, ids, TUESDAY, 60, None, "Europe/Berlin", utc(10, 28, 6), 1)
    assert labels(result) == [
        "Tue 28 Oct, 14:00–15:00",
        "Tue 28 Oct, 15:00–16:00",
        "Tue 28 Oct, 16:00–17:00",
    ]
    assert (
        result.slots[0].start.utcoffset() == result.slots[0].end.utcoffset() == timedelta(hours=1)
    )


def test_at_23_50_a_search_of_today_has_nothing_left(org, pair):
    """The next quarter hour is midnight, the end of the day searched."""
    ids = [u.pk for u in pair]
    result = find_time(org, ids, TUESDAY, 15, None, "UTC", utc(10, 28, 23, 50), 1)
    assert (result.slots, result.more) == ([], False)
    assert result.span == Interval(utc(10, 28, 0), utc(10, 29, 0))


def test_the_heatmap_runs_from_the_viewers_midnight_to_the_next():
    """Berlin is UTC+1 on 27 Oct 2025: its day is 23:00 UTC the day before to 23:00 UTC."""
    at_midnight = {"a": [Interval(utc(10, 26, 23), utc(10, 27, 0))]}
    rows = heatmap(at_midnight, [date(2025, 10, 27)], "Europe/Berlin", utc(10, 26, 0)).rows
    assert rows[0][0] == "00:00" and rows[0][1][0].count == 1
    next_midnight = {"a": [Interval(utc(10, 27, 23), utc(10, 28, 0))]}
    rows = heatmap(next_midnight, [date(2025, 10, 27)], "Europe/Berlin", utc(10, 26, 0)).rows
    assert [label for label, _ in rows] == [f"{h:02d}:00" for h in range(7, 19)]
    assert all(cell.count == 0 for _, cells in rows for cell in cells)


def test_times_ruled_out_by_better_ones_do_not_use_up_the_list(org):
    """Al is free round the clock, Bo for two hours every 3h45 from Tuesday 01:45: Bo's
    twelve times come first (both free), each ruling out the 14 two-hour times that overlap
    it; 12 + 12 * 14 ranked times are used up before the 13th (Al alone, Wednesday 21:00)
    tells that there are more. The fewest that can tell: one fewer and "more" is lost."""
    al, bo = f.calendly_user(org, "Al Ways", "UTC"), f.calendly_user(org, "Bo Busy", "UTC")
    week = (*f.WEEKDAYS, "saturday", "sunday")
    f.schedule(
        al,
        [
            {"type": "wday", "wday": d, "intervals": [{"from": "00:00", "to": "24:00"}]}
            for d in week
        ],
    )
    tuesday = ["01:45", "05:30", "09:15", "13:00", "16:45", "20:30"]
    wednesday = ["00:15", "04:00", "07:45", "11:30", "15:15", "19:00"]

    def two_hours(starts):
        return [{"from": a, "to": f"{int(a[:2]) + 2:02d}{a[2:]}"} for a in starts]

    f.schedule(
        bo,
        [
            {"type": "wday", "wday": "tuesday", "intervals": two_hours(tuesday)},
            {"type": "wday", "wday": "wednesday", "intervals": two_hours(wednesday)},
        ],
    )
    result = find_time(org, [al.pk, bo.pk], TUESDAY, 120, 1, "UTC", utc(10, 28, 0), 7)
    assert [len(s.free) for s in result.slots] == [2] * 12
    assert labels(result)[:2] == ["Tue 28 Oct, 01:45–03:45", "Tue 28 Oct, 05:30–07:30"]
    assert labels(result)[-1] == "Wed 29 Oct, 19:00–21:00"
    assert result.more


def test_the_hour_the_clocks_skip_is_empty_and_over_once_the_clocks_jump():
    """Berlin, Sunday 29 March 2026: 02:00 CET never comes, the clocks go to 03:00 CEST at
    01:00 UTC; that hour's row counts nobody, and is past as soon as that instant is."""
    night = {
        "a": [Interval(datetime(2026, 3, 28, 23, tzinfo=UTC), datetime(2026, 3, 29, 6, tzinfo=UTC))]
    }
    sunday = [date(2026, 3, 29)]
    jump = datetime(2026, 3, 29, 1, tzinfo=UTC)
    rows = dict(heatmap(night, sunday, "Europe/Berlin", jump).rows)
    assert [rows[h][0].count for h in ("00:00", "01:00", "02:00", "03:00")] == [1, 1, 0, 1]
    skipped = rows["02:00"][0]
    assert (skipped.count, skipped.level, skipped.past) == (0, 0, False)
    assert (rows["01:00"][0].past, rows["03:00"][0].past) == (True, False)
    later = dict(heatmap(night, sunday, "Europe/Berlin", jump + timedelta(minutes=1)).rows)
    skipped = later["02:00"][0]
    assert (skipped.count, skipped.level) == (0, 0) and skipped.past is True
