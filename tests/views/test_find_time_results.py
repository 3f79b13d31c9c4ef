"""What Find a time proposes and what its heatmap says, as the page's model holds them.

Adam works 9-17 in Berlin (08-16 UTC in October), Nora 9-17 in New York (13-21 UTC until
2 November): together 13-16 UTC each weekday. The clock is given to ``find_time`` itself,
so a moment that is not on a quarter hour can be asked for."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from availability.intervals import Interval
from dashboard.find_time import find_time, heatmap, names
from tests.views import factories as f

TUESDAY = date(2025, 10, 28)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 10, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def pair(org):
    adam = f.calendly_user(org, "Adam Admin", "Europe/Berlin")
    nora = f.calendly_user(org, "Nora York", "America/New_York")
    f.schedule(adam)
    f.schedule(nora)
    return adam, nora


def search(org, pair, now: datetime, duration: int = 60, days: int = 1):
    return find_time(org, [u.pk for u in pair], TUESDAY, duration, None, "UTC", now, days)


def labels(result) -> list[str]:
    return [slot.label for slot in result.slots]


def test_meetings_may_follow_one_another_back_to_back(org, pair):
    result = search(org, pair, utc(28, 6))
    assert labels(result) == [
        "Tue 28 Oct, 13:00–14:00",
        "Tue 28 Oct, 14:00–15:00",
        "Tue 28 Oct, 15:00–16:00",
    ]
    assert [s.free for s in result.slots] == [list(pair)] * 3


def test_a_search_begins_at_the_next_quarter_hour_after_now(org, pair):
    result = search(org, pair, utc(28, 13, 7), duration=30)
    assert result.span.start == utc(28, 13, 15)
    assert labels(result)[:3] == [
        "Tue 28 Oct, 13:15–13:45",
        "Tue 28 Oct, 13:45–14:15",
        "Tue 28 Oct, 14:15–14:45",
    ]
    on_the_quarter = search(org, pair, utc(28, 13, 30), duration=30)
    assert on_the_quarter.span.start == utc(28, 13, 30)
    assert labels(on_the_quarter)[0] == "Tue 28 Oct, 13:30–14:00"


def test_a_busy_member_moves_the_proposals_and_the_heatmap(org, pair):
    adam, nora = pair
    f.busy(nora, utc(28, 14), 60)
    result = search(org, pair, utc(28, 6))
    assert labels(result) == ["Tue 28 Oct, 13:00–14:00", "Tue 28 Oct, 15:00–16:00"]
    rows = dict(result.heatmap.rows)
    assert [(c.count, c.level) for c in rows["13:00"]] == [(2, 4)]
    assert [(c.count, c.level) for c in rows["14:00"]] == [(1, 2)]  # Adam alone
    assert [(c.count, c.level) for c in rows["07:00"]] == [(0, 0)]
    assert [(c.count, c.level) for c in rows["20:00"]] == [(1, 2)]  # Nora alone
    assert result.heatmap.members == 2
    assert result.heatmap.days == [TUESDAY]


def test_the_heatmap_shades_by_the_share_of_members_free():
    free = {f"m{n}": [Interval(utc(28, 9), utc(28, 9 + n))] for n in range(1, 9)}
    # 8 members free from 09:00 for 1..8 hours: 8 free at 09:00, 7 at 10:00, ..., 1 at 16:00.
    rows = dict(heatmap(free, [TUESDAY], "UTC", utc(27, 0)).rows)
    counts = [rows[f"{h:02d}:00"][0].count for h in range(9, 17)]
    assert counts == [8, 7, 6, 5, 4, 3, 2, 1]
    # round(4 * share): 1 of 8 is 0.5, still shaded: someone is free.
    assert [rows[f"{h:02d}:00"][0].level for h in range(9, 17)] == [4, 4, 3, 2, 2, 2, 1, 1]
    assert rows["08:00"][0].level == 0


def test_the_heatmap_rows_stretch_to_the_hours_someone_is_free():
    free = {"a": [Interval(utc(28, 5), utc(28, 6)), Interval(utc(28, 20), utc(28, 22))]}
    result = heatmap(free, [TUESDAY], "UTC", utc(27, 0))
    hours = [label for label, _ in result.rows]
    assert hours[0] == "05:00" and hours[-1] == "21:00"
    quiet = heatmap({"a": []}, [TUESDAY], "UTC", utc(27, 0))
    assert [label for label, _ in quiet.rows] == [f"{h:02d}:00" for h in range(7, 19)]


def test_hours_that_have_started_are_past_in_the_heatmap():
    free = {"a": [Interval(utc(28, 0), utc(30, 0))]}
    result = heatmap(free, [TUESDAY, TUESDAY + timedelta(days=1)], "UTC", utc(28, 10, 30))
    rows = dict(result.rows)
    assert [c.past for c in rows["10:00"]] == [True, False]
    assert [c.past for c in rows["11:00"]] == [False, False]
    assert [c.count for c in rows["11:00"]] == [1, 1]


def test_the_heatmap_is_read_in_the_viewers_zone():
    """Berlin is UTC+1 on 27 Oct 2025: a member free 09:00-11:00 UTC is free 10:00-12:00."""
    free = {"a": [Interval(utc(27, 9), utc(27, 11))]}
    result = heatmap(free, [date(2025, 10, 27)], "Europe/Berlin", utc(26, 0))
    rows = dict(result.rows)
    assert [rows[h][0].count for h in ("09:00", "10:00", "11:00", "12:00")] == [0, 1, 1, 0]


def test_the_heatmaps_days_are_the_viewers_days_across_a_clock_change():
    """Sunday 26 Oct 2025 in Berlin lasts 25 hours: its 23:00 is 22:00 UTC, and the next
    day's first hour is Monday's, not Sunday's."""
    free = {"a": [Interval(utc(26, 22), utc(26, 23))]}
    result = heatmap(free, [date(2025, 10, 26)], "Europe/Berlin", utc(25, 0))
    assert dict(result.rows)["23:00"][0].count == 1
    result = heatmap(free, [date(2025, 10, 27)], "Europe/Berlin", utc(25, 0))
    assert all(cell.count == 0 for _, cells in result.rows for cell in cells)


def test_the_hour_that_starts_now_is_not_past_yet():
    free = {"a": [Interval(utc(28, 0), utc(29, 0))]}
    rows = dict(heatmap(free, [TUESDAY], "UTC", utc(28, 10)).rows)
    assert [rows["09:00"][0].past, rows["10:00"][0].past] == [True, False]


def test_a_list_of_names_says_how_many_more_past_ten(org):
    people = [f.calendly_user(org, f"Person {n:02d}") for n in range(12)]
    assert names(people[:10]) == ", ".join(f"Person {n:02d}" for n in range(10))
    assert names(people) == ", ".join(f"Person {n:02d}" for n in range(10)) + " and 2 more"
    assert names(people, shown=1) == "Person 00 and 11 more"
    assert names([]) == ""


def test_k_of_n_names_who_is_free_and_who_is_not(org, pair):
    adam, nora = pair
    tom = f.calendly_user(org, "Tom Tokyo", "Asia/Tokyo")
    f.schedule(tom)  # 9-17 in Tokyo is 00-08 UTC: never with the others
    chosen = [adam.pk, nora.pk, tom.pk]
    everyone = find_time(org, chosen, TUESDAY, 60, None, "UTC", utc(28, 6), 1)
    assert (everyone.needed, everyone.slots) == (3, [])
    two = find_time(org, chosen, TUESDAY, 60, 2, "UTC", utc(28, 6), 1)
    assert two.needed == 2
    assert [(s.label, s.free, s.busy) for s in two.slots][:3] == [
        ("Tue 28 Oct, 13:00–14:00", [adam, nora], [tom]),
        ("Tue 28 Oct, 14:00–15:00", [adam, nora], [tom]),
        ("Tue 28 Oct, 15:00–16:00", [adam, nora], [tom]),
    ]
    one = find_time(org, chosen, TUESDAY, 60, 1, "UTC", utc(28, 6), 1)
    assert one.slots[0].free and len(one.slots[0].free) == 2  # the best first: two free


def test_no_member_ids_compares_the_whole_organization(org, pair):
    result = find_time(org, None, TUESDAY, 60, None, "UTC", utc(28, 6), 1)
    assert result.members == list(pair)
    assert labels(result)[0] == "Tue 28 Oct, 13:00–14:00"


def test_a_member_without_usable_hours_is_left_out_and_named(org, pair):
    adam, nora = pair
    ghost = f.calendly_user(org, "Gus Ghost", "Europe/Berlin")  # no schedule synced
    result = find_time(org, [adam.pk, nora.pk, ghost.pk], TUESDAY, 60, None, "UTC",
                       utc(28, 6), 1)
    assert result.members == [adam, nora]
    assert [u for u, _ in result.skipped] == [ghost] and result.skipped[0][1]
    assert result.considered == [adam, ghost, nora]
    assert labels(result)[0] == "Tue 28 Oct, 13:00–14:00"


def test_days_after_the_first_are_searched_too(org, pair):
    result = search(org, pair, utc(28, 15, 30), duration=60, days=2)
    assert result.days == [TUESDAY, TUESDAY + timedelta(days=1)]
    assert labels(result)[0] == "Wed 29 Oct, 13:00–14:00"  # Tuesday's time together is over
    assert result.span == Interval(utc(28, 15, 30), utc(30, 0))


def test_a_search_of_days_that_are_over_proposes_nothing(org, pair):
    result = search(org, pair, utc(29, 9))
    assert result.slots == []
    assert result.span == Interval(utc(28, 0), utc(29, 0))
    assert all(cell.past for _, cells in result.heatmap.rows for cell in cells)
