"""The pure rules behind My week's meeting-limit notes and its clock: which days a cap
closes (the day, the Sunday-to-Saturday week, the calendar month; each meeting once;
external events not counted; days over never explained), and times on a 12h or 24h clock.
Fixed dates here are data, not the clock: "today" is passed in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from availability.models import BusyBlock
from dashboard import meeting_limits
from dashboard.clock import H12, H24, hour_label, minute_clock
from tests.views import factories as f

KOLKATA = ZoneInfo("Asia/Kolkata")
# Wed 30 Dec 2026 to Tue 5 Jan 2027: a week across a month's and a year's end.
DAYS = [date(2026, 12, 30) + timedelta(days=i) for i in range(7)]


def at(day: date, hour: int, zone: ZoneInfo = KOLKATA) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=zone).astimezone(UTC)


@pytest.fixture
def host(org):
    return f.calendly_user(org, "Dev Sharma", "Asia/Kolkata")


def closed(host, today=DAYS[0]):
    return meeting_limits.reached_limits(host, DAYS, KOLKATA, today)


@pytest.mark.django_db
def test_a_daily_cap_closes_only_the_day_that_holds_it(host):
    host.daily_limit = 2
    f.busy(host, at(DAYS[1], 10), 30)
    f.busy(host, at(DAYS[1], 14), 30)
    f.busy(host, at(DAYS[2], 10), 30)
    f.busy(host, at(DAYS[2], 11), 30, kind="external")  # not a meeting Calendly counts
    # 01:00 in Kolkata is 19:30 UTC the day before: read in UTC, DAYS[2] would hold two.
    f.busy(host, at(DAYS[3], 1), 30)
    f.busy(host, at(DAYS[3], 9), 30)
    notes = closed(host)
    assert set(notes) == {DAYS[1], DAYS[3]}
    assert notes[DAYS[1]].startswith("Daily meeting limit reached: you host 2 meetings this day")


@pytest.mark.django_db
def test_each_meeting_counts_once_however_many_blocks_it_has(host):
    host.daily_limit = 2
    block = f.busy(host, at(DAYS[1], 10), 30)
    BusyBlock.objects.create(
        user=host,
        type="calendly",
        start=block.start,
        end=block.end,
        event_uri=block.event_uri,
        synced_at=block.synced_at,
    )
    assert closed(host) == {}
    f.busy(host, at(DAYS[1], 15), 30)
    assert set(closed(host)) == {DAYS[1]}


@pytest.mark.django_db
def test_a_weekly_cap_closes_the_rest_of_its_sunday_to_saturday_week(host):
    host.weekly_limit = 3
    # Wed 30 Dec and Thu 31 Dec 2026 and Sat 2 Jan 2027 are one week (Sun 27 Dec - Sat 2 Jan).
    for day in (DAYS[0], DAYS[1], DAYS[3]):
        f.busy(host, at(day, 10), 30)
    f.busy(host, at(DAYS[4], 10), 30)  # Sun 3 Jan: the next week
    notes = closed(host)
    assert set(notes) == set(DAYS[:4])  # Wed to Sat; Sunday begins another week
    assert "Weekly meeting limit reached" in notes[DAYS[2]]
    assert "this week (Sunday to Saturday)" in notes[DAYS[2]]


@pytest.mark.django_db
def test_a_monthly_cap_closes_the_rest_of_its_calendar_month(host):
    host.monthly_limit = 1
    f.busy(host, at(date(2026, 12, 5), 10), 30)  # earlier in December, before the week shown
    notes = closed(host)
    assert set(notes) == {DAYS[0], DAYS[1]}  # 30 and 31 December; January is a new month
    assert "Monthly meeting limit reached" in notes[DAYS[0]]


@pytest.mark.django_db
def test_days_that_are_over_are_never_explained_and_no_limits_no_query(
    host, django_assert_num_queries
):
    host.daily_limit = 1
    f.busy(host, at(DAYS[0], 10), 30)
    f.busy(host, at(DAYS[5], 10), 30)
    assert set(closed(host, today=DAYS[1])) == {DAYS[5]}
    host.daily_limit = None
    with django_assert_num_queries(0):
        assert closed(host) == {}


@pytest.mark.parametrize(
    ("minute", "twelve", "twenty_four"),
    [
        (0, "12:00am", "00:00"),
        (9 * 60 + 5, "9:05am", "09:05"),
        (12 * 60, "12:00pm", "12:00"),
        (23 * 60 + 59, "11:59pm", "23:59"),
        (1440, "12:00am", "24:00"),  # the end of a day
    ],
)
def test_a_time_of_day_on_either_clock(minute, twelve, twenty_four):
    assert minute_clock(minute, H12) == twelve
    assert minute_clock(minute, H24) == twenty_four


def test_hour_labels_on_either_clock():
    assert [hour_label(h, H12) for h in (0, 8, 12, 18, 24)] == [
        "12am",
        "8am",
        "12pm",
        "6pm",
        "12am",
    ]
    assert [hour_label(h, H24) for h in (0, 8, 12, 18)] == ["00:00", "08:00", "12:00", "18:00"]
