"""Free/busy arithmetic: pure functions, no database."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from availability.freebusy import (
    BusyBlock,
    InvalidRule,
    busy_intervals,
    common_slots,
    first_available_text,
    free_count_heatmap,
    free_intervals,
    week_totals,
    working_days,
)
from availability.intervals import (
    Interval,
    UnknownTimeZone,
    clip,
    intersect,
    merge,
    resolve_zone,
    subtract,
    total_hours,
    total_seconds,
    week_bounds,
)

BERLIN = ZoneInfo("Europe/Berlin")
DAY = datetime(2026, 6, 8, tzinfo=UTC)  # A Monday.


@dataclass(frozen=True, slots=True)
class Labelled(Interval):
    """Working time with the local date whose rule produced it (what clip must keep)."""

    day: date
    override: bool


def working_intervals(rules, zone: str, window: Interval) -> list[Labelled]:
    """The working days' time flattened, each interval labelled with its day, in order."""
    labelled = [
        Labelled(i.start, i.end, day.day, day.override)
        for day in working_days(rules, zone, window)
        for i in day.intervals
    ]
    return sorted(labelled, key=lambda i: i.start)


def at(hours: float, day: datetime = DAY) -> datetime:
    return day + timedelta(hours=hours)


def iv(start: float, end: float) -> Interval:
    """Hours after midnight UTC of DAY."""
    return Interval(at(start), at(end))


def weekly(days: list[str], *spans: tuple[str, str]) -> list[dict]:
    intervals = [{"from": a, "to": b} for a, b in spans]
    return [{"type": "wday", "wday": d, "intervals": intervals} for d in days]


WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday"]
ALL_DAYS = [*WEEKDAYS, "saturday", "sunday"]


# --- Intervals ----------------------------------------------------------------------------


def test_interval_rejects_naive_and_empty():
    with pytest.raises(ValueError, match="aware"):
        Interval(datetime(2026, 6, 8, 9), datetime(2026, 6, 8, 10))
    with pytest.raises(ValueError, match="not before"):
        iv(10, 10)


def test_interval_is_stored_in_utc():
    local = Interval(
        datetime(2026, 6, 8, 11, tzinfo=BERLIN), datetime(2026, 6, 8, 12, tzinfo=BERLIN)
    )
    assert local == iv(9, 10)
    assert local.start.tzinfo is UTC


def test_merge_joins_touching_and_nested_and_sorts():
    assert merge([]) == []
    assert merge([iv(10, 11), iv(9, 10)]) == [iv(9, 11)]
    assert merge([iv(9, 17), iv(10, 11)]) == [iv(9, 17)]
    assert merge([iv(14, 15), iv(9, 10), iv(9.5, 12)]) == [iv(9, 12), iv(14, 15)]


def test_subtract_edges():
    assert subtract([iv(9, 17)], []) == [iv(9, 17)]
    assert subtract([], [iv(9, 17)]) == []
    assert subtract([iv(9, 12)], [iv(12, 13), iv(8, 9)]) == [iv(9, 12)]  # Touching only.
    assert subtract([iv(9, 17)], [iv(10, 11)]) == [iv(9, 10), iv(11, 17)]  # Nested.
    assert subtract([iv(9, 17)], [iv(8, 18)]) == []  # Covered.
    assert subtract([iv(9, 17)], [iv(9, 10), iv(16, 17)]) == [iv(10, 16)]  # Flush with edges.
    # One cut over the gap between two pieces bites both of them.
    assert subtract([iv(9, 11), iv(12, 14)], [iv(10, 13)]) == [iv(9, 10), iv(13, 14)]


def test_intersect_and_clip():
    assert intersect([iv(9, 12), iv(13, 17)], [iv(11, 14)]) == [iv(11, 12), iv(13, 14)]
    assert intersect([iv(9, 10)], [iv(10, 11)]) == []
    assert intersect([], [iv(10, 11)]) == []
    labelled = Labelled(at(8), at(12), date(2026, 6, 8), True)
    (clipped,) = clip([labelled, iv(13, 14)], iv(9, 13))
    assert (clipped.start, clipped.end, clipped.override) == (at(9), at(12), True)


def test_total_counts_overlaps_once():
    assert total_hours([iv(9, 11), iv(10, 12)]) == 3
    assert total_seconds([]) == 0


# --- Working hours from rules ---------------------------------------------------------------


def test_weekly_rules_with_override_and_day_off():
    rules = [
        *weekly(WEEKDAYS, ("09:00", "12:00"), ("13:00", "18:00")),
        {"type": "wday", "wday": "saturday", "intervals": []},
        {"type": "date", "date": "2026-06-10", "intervals": [{"from": "10:00", "to": "12:00"}]},
        {"type": "date", "date": "2026-06-11", "intervals": []},
    ]
    window = week_bounds(date(2026, 6, 10), "Europe/Berlin")
    days = working_days(rules, "Europe/Berlin", window)
    assert [d.day for d in days] == [date(2026, 6, 8) + timedelta(days=i) for i in range(7)]
    hours = [total_hours(d.intervals) for d in days]
    assert hours == [8, 8, 2, 0, 8, 0, 0]
    assert [d.override for d in days] == [False, False, True, True, False, False, False]
    intervals = working_intervals(rules, "Europe/Berlin", window)
    wednesday = [i for i in intervals if i.day == date(2026, 6, 10)]
    assert wednesday == [
        Labelled(
            at(8, DAY + timedelta(days=2)), at(10, DAY + timedelta(days=2)), date(2026, 6, 10), True
        )
    ]
    assert total_hours(intervals) == 26


@pytest.mark.parametrize(
    ("zone", "day", "week_hours", "before", "after"),
    [
        # Clocks go back: the weekend either side of the change, 09:00 local in UTC.
        (
            "Europe/Berlin",
            date(2026, 10, 25),
            169,
            datetime(2026, 10, 24, 7),
            datetime(2026, 10, 25, 8),
        ),
        (
            "America/New_York",
            date(2026, 11, 1),
            169,
            datetime(2026, 10, 31, 13),
            datetime(2026, 11, 1, 14),
        ),
        (
            "Australia/Sydney",
            date(2027, 4, 4),
            169,
            datetime(2027, 4, 2, 22),
            datetime(2027, 4, 3, 23),
        ),
        # Clocks go forward.
        (
            "Europe/Berlin",
            date(2026, 3, 29),
            167,
            datetime(2026, 3, 28, 8),
            datetime(2026, 3, 29, 7),
        ),
    ],
)
def test_dst_week_keeps_eight_hour_days(zone, day, week_hours, before, after):
    window = week_bounds(day, zone)
    assert window.duration == timedelta(hours=week_hours)
    days = working_days(weekly(ALL_DAYS, ("09:00", "17:00")), zone, window)
    assert len(days) == 7
    assert all(total_hours(d.intervals) == 8 for d in days)
    starts = {d.day: d.intervals[0].start for d in days}
    assert starts[day - timedelta(days=1)] == before.replace(tzinfo=UTC)
    assert starts[day] == after.replace(tzinfo=UTC)
    local = [
        (i.start.astimezone(ZoneInfo(zone)).hour, i.end.astimezone(ZoneInfo(zone)).hour)
        for d in days
        for i in d.intervals
    ]
    assert set(local) == {(9, 17)}


@pytest.mark.parametrize(
    ("spans", "expected_hours"),
    [
        ([("02:00", "03:00")], 0),  # Does not exist on the spring-forward night.
        ([("01:30", "03:30")], 1),
        ([("00:00", "24:00")], 23),
    ],
)
def test_spring_forward_gap_does_not_crash(spans, expected_hours):
    rules = [
        {
            "type": "date",
            "date": "2026-03-29",
            "intervals": [{"from": a, "to": b} for a, b in spans],
        }
    ]
    window = week_bounds(date(2026, 3, 29), "Europe/Berlin")
    assert total_hours(working_intervals(rules, "Europe/Berlin", window)) == expected_hours


def test_repeated_hour_counts_both_passes():
    # 02:00-03:00 happens twice when Berlin's clocks go back: two hours of real time.
    rules = [
        {"type": "date", "date": "2026-10-25", "intervals": [{"from": "02:00", "to": "03:00"}]}
    ]
    (interval,) = working_intervals(
        rules, "Europe/Berlin", week_bounds(date(2026, 10, 25), "Europe/Berlin")
    )
    assert (interval.start, interval.end) == (
        datetime(2026, 10, 25, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 2, tzinfo=UTC),
    )


@pytest.mark.parametrize("end", ["24:00", "00:00"])
def test_end_of_day(end):
    window = week_bounds(date(2026, 6, 8), "Europe/Berlin")
    intervals = working_intervals(weekly(["friday"], ("18:00", end)), "Europe/Berlin", window)
    assert [(i.start, i.end) for i in intervals] == [
        (at(16, DAY + timedelta(days=4)), at(22, DAY + timedelta(days=4)))
    ]


def test_overnight_span_reaches_next_day_and_window_start():
    window = week_bounds(date(2026, 6, 8), "UTC")
    intervals = working_intervals(weekly(["sunday"], ("22:00", "02:00")), "UTC", window)
    # Sunday 7 June's night reaches into this week; this Sunday's is cut at the window's end.
    assert [(i.day, i.duration) for i in intervals] == [
        (date(2026, 6, 7), timedelta(hours=2)),
        (date(2026, 6, 14), timedelta(hours=2)),
    ]


def test_unknown_time_zone():
    window = week_bounds(date(2026, 6, 8), "UTC")
    for name in ["Mars/Olympus", "", "../etc/passwd", "/etc/localtime", "Europe"]:
        with pytest.raises(UnknownTimeZone, match=f"unknown time zone: {re.escape(repr(name))}"):
            working_intervals(weekly(["monday"], ("09:00", "17:00")), name, window)
    with pytest.raises(ValueError, match="unknown time zone"):
        week_bounds(date(2026, 6, 8), "Nowhere/Special")


def test_calendly_spellings_of_a_zone_are_mended():
    assert resolve_zone("America/New York").key == "America/New_York"
    assert resolve_zone("America\\/New_York").key == "America/New_York"


def test_bad_rules_raise_and_new_rule_types_are_skipped():
    window = week_bounds(date(2026, 6, 8), "UTC")
    with pytest.raises(InvalidRule, match=r"bad time of day: '25:00'"):
        working_intervals(weekly(["monday"], ("09:00", "25:00")), "UTC", window)
    with pytest.raises(InvalidRule, match=r"bad weekday: 'funday'"):
        working_intervals(weekly(["funday"], ("09:00", "10:00")), "UTC", window)
    assert working_intervals([{"type": "holiday", "intervals": []}], "UTC", window) == []


def test_week_bounds_is_local_monday_to_monday():
    window = week_bounds(date(2026, 6, 14), "Europe/Berlin")  # A Sunday.
    assert window.start == datetime(2026, 6, 8, tzinfo=BERLIN)
    assert window.end == datetime(2026, 6, 15, tzinfo=BERLIN)
    assert week_bounds(date(2026, 6, 8), "Europe/Berlin") == window


# --- Busy time and totals ---------------------------------------------------------------------


def meeting(start: float, end: float, before: float = 0, after: float = 0) -> BusyBlock:
    return BusyBlock(
        at(start),
        at(end),
        kind="calendly",
        buffered_start=at(start - before),
        buffered_end=at(end + after),
    )


def test_busy_intervals_with_and_without_buffers():
    blocks = [meeting(10, 11, before=0.25, after=0.25), BusyBlock(at(11), at(12), kind="external")]
    assert busy_intervals(blocks) == [iv(9.75, 12)]
    assert busy_intervals(blocks, include_buffers=False) == [iv(10, 12)]
    assert busy_intervals([BusyBlock(at(9), at(9), kind="external")]) == []


def test_week_totals():
    window = iv(0, 24)
    working = [iv(7, 15)]
    blocks = [
        meeting(10, 11, before=0.25, after=0.25),  # 1.5 h with buffers, inside.
        BusyBlock(at(14), at(16), kind="external"),  # 1 h inside, 1 h outside.
        BusyBlock(at(20), at(21), kind="external", label="Gym"),  # Outside working hours.
        meeting(30, 31),  # Outside the window.
    ]
    totals = week_totals(working, blocks, window)
    assert totals.working_hours == 8
    assert totals.busy_hours == 2.5
    assert totals.busy_outside_hours == 2
    assert totals.free_hours == 5.5
    assert totals.scheduled_hours == 1
    assert totals.free_share == pytest.approx(5.5 / 8)
    assert free_intervals(working, busy_intervals(blocks)) == [iv(7, 9.75), iv(11.25, 14)]


def test_week_totals_without_working_hours():
    totals = week_totals([], [BusyBlock(at(9), at(10), kind="external")], iv(0, 24))
    assert (totals.working_hours, totals.busy_outside_hours, totals.free_share) == (0, 1, 0)


# --- Find a time and the heatmap -----------------------------------------------------------


TEAM = {
    "alice": [iv(8, 12)],
    "bob": [iv(9, 10.5), iv(11, 13)],
    "carol": [iv(9.5, 12.5)],
}


def starts(slots) -> list[datetime]:
    return [s.start for s in slots]


def test_common_slots_everyone_free():
    slots = common_slots(TEAM, iv(8, 13), timedelta(hours=1), step=timedelta(minutes=30))
    assert starts(slots) == [at(9.5), at(11)]
    assert (slots[0].end, slots[0].free, slots[0].busy) == (at(10.5), ["alice", "bob", "carol"], [])


def test_common_slots_min_free_ranks_by_count_then_start():
    slots = common_slots(TEAM, iv(8, 13), timedelta(hours=1), timedelta(minutes=30), min_free=2)
    assert starts(slots) == [at(9.5), at(11), at(9), at(10), at(10.5), at(11.5)]
    assert (slots[3].free, slots[3].busy) == (["alice", "carol"], ["bob"])
    everyone = common_slots(TEAM, iv(8, 13), timedelta(hours=1), timedelta(minutes=30), min_free=1)
    assert starts(everyone)[-3:] == [at(8), at(8.5), at(12)]
    assert len(everyone) == 9
    few = common_slots(TEAM, iv(8, 13), timedelta(hours=1), timedelta(minutes=30), 1, limit=3)
    assert starts(few) == [at(9.5), at(11), at(9)]
    assert common_slots(TEAM, iv(8, 13), timedelta(hours=1), min_free=4) == []


def test_common_slots_align_to_step_and_stay_in_window():
    team = {"alice": [iv(0, 24)]}
    slots = common_slots(team, Interval(at(8 + 7 / 60), at(9.5)), timedelta(minutes=30))
    assert starts(slots) == [at(8.25), at(8.5), at(8.75), at(9)]
    assert common_slots({}, iv(8, 9), timedelta(minutes=30)) == []
    with pytest.raises(ValueError, match=r"duration and step must be positive"):
        common_slots(team, iv(8, 9), timedelta(0))


def test_common_slots_answer_for_a_large_team():
    """Correct at the size of a big team; its speed is measured by `make bench`, not asserted."""
    window = week_bounds(date(2026, 6, 8), "UTC")
    team = {
        f"m{n}": [iv(24 * d + 8 + n % 3, 24 * d + 16 + n % 3) for d in range(5)]
        for n in range(1000)
    }
    slots = common_slots(team, window, timedelta(hours=1), min_free=500)
    assert starts(slots[:2]) == [at(10), at(10.25)]  # Everyone's shared 10:00-16:00 Monday.
    assert len(slots) == 50 and len(slots[0].free) == 1000


def test_heatmap_counts_members_free_for_whole_bucket():
    cells = free_count_heatmap(TEAM, iv(8, 12.5), tz="Europe/Berlin")
    assert [count for _, count in cells] == [1, 2, 2, 3, 2]  # Last, 12:00-12:30, is partial.
    assert cells[0][0] == datetime(2026, 6, 8, 10, tzinfo=BERLIN)
    assert cells[0][0].utcoffset() == timedelta(hours=2)


def test_heatmap_on_a_dst_day_has_25_hours():
    day = Interval(datetime(2026, 10, 25, tzinfo=BERLIN), datetime(2026, 10, 26, tzinfo=BERLIN))
    cells = free_count_heatmap({"a": [day]}, day, tz=BERLIN)
    assert len(cells) == 25 and {count for _, count in cells} == {1}
    assert [moment.hour for moment, _ in cells[:4]] == [0, 1, 2, 2]


# --- Copy text -----------------------------------------------------------------------------


SLOTS = [
    (datetime(2026, 11, 25, 9, tzinfo=UTC), "https://calendly.com/ann/30min/c"),
    (datetime(2026, 11, 24, 8, 30, tzinfo=UTC), "https://calendly.com/ann/30min/b"),
    (datetime(2026, 11, 24, 3, tzinfo=UTC), "https://calendly.com/ann/30min/a"),
]


def test_first_available_text_in_two_zones():
    assert first_available_text(SLOTS, 2, "Europe/Berlin") == (
        "Tue 24 Nov, 04:00 (Europe/Berlin) — https://calendly.com/ann/30min/a\n"
        "Tue 24 Nov, 09:30 (Europe/Berlin) — https://calendly.com/ann/30min/b"
    )
    assert first_available_text(SLOTS, 2, "America/New_York") == (
        "Mon 23 Nov, 22:00 (America/New_York) — https://calendly.com/ann/30min/a\n"
        "Tue 24 Nov, 03:30 (America/New_York) — https://calendly.com/ann/30min/b"
    )
    assert first_available_text(SLOTS, 0, "UTC") == ""
    assert first_available_text(SLOTS, 10, "UTC").count("\n") == 2
    with pytest.raises(ValueError, match=r"slot start times must be time-zone-aware"):
        first_available_text([(datetime(2026, 11, 24, 3), "x")], 1, "UTC")


# --- Properties ----------------------------------------------------------------------------

spans = st.lists(
    st.tuples(st.integers(0, 2000), st.integers(1, 300)).map(
        lambda s: Interval(DAY + timedelta(minutes=s[0]), DAY + timedelta(minutes=s[0] + s[1]))
    ),
    max_size=8,
)


@given(working=spans, busy=spans)
def test_free_and_used_make_up_working(working, busy):
    free = free_intervals(working, busy)
    used = intersect(busy, working)
    assert merge(free + used) == merge(working)
    assert total_seconds(free) + total_seconds(used) == total_seconds(working)
    assert intersect(free, busy) == []


@given(base=spans, cuts=spans)
def test_subtract_stays_within_base_and_off_cuts(base, cuts):
    result = subtract(base, cuts)
    assert subtract(result, base) == []
    assert intersect(result, cuts) == []
    assert merge(result) == result


@settings(max_examples=50)
@given(team=st.lists(spans, min_size=1, max_size=5), min_free=st.integers(1, 5))
def test_common_slots_match_brute_force(team, min_free):
    members = {f"m{n}": free for n, free in enumerate(team)}
    window, duration, step = iv(1, 30), timedelta(minutes=45), timedelta(minutes=15)
    slots = common_slots(members, window, duration, step, min_free=min_free, limit=10_000)
    expected = []
    moment = window.start
    while moment + duration <= window.end:
        slot = Interval(moment, moment + duration)
        free = [m for m, f in members.items() if any(i.contains(slot) for i in merge(f))]
        if len(free) >= min_free:
            expected.append((-len(free), moment, free))
        moment += step
    assert [(-len(s.free), s.start, s.free) for s in slots] == sorted(expected)
