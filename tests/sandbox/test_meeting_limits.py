"""Meeting limits close a host's days, weeks and months (api-2026.md §2): counted over the
non-canceled meetings they host, days in the booked event type's zone, weeks Sunday to
Saturday, calendar months."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sandbox.meeting_limits import within_limits
from sandbox.records import EventType, MeetingLimits, Rule, Schedule, ScheduledEvent, User
from sandbox.seed_groups import LIMITED_EMAIL
from sandbox.store import State
from tests.sandbox.conftest import caller_for
from tests.sandbox.helpers import parse, stamp, utc_in, window
from tests.sandbox_process import SandboxError

ZONE = ZoneInfo("America/New_York")
# Fixed dates: the rule is pure arithmetic, no clock is read. 2027-03-14 is the spring DST
# change in New York; 2027-03-13 a Saturday, 2027-03-07 and -14 Sundays.
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZONE).astimezone(UTC)


def state_with(limits: MeetingLimits, *meetings: tuple[datetime, str]) -> tuple[State, EventType]:
    state = State()
    user = User("HOST", "Host", "host", "host@x.test", "America/New_York", "ORG", EPOCH)
    state.users[user.uuid] = user
    state.add_schedule(Schedule("S", user.uuid, "Hours", True, "America/New_York",
                                [Rule([("00:00", "24:00")], wday=d) for d in
                                 ("monday", "tuesday", "wednesday", "thursday", "friday",
                                  "saturday", "sunday")]))
    event_type = EventType("ET", "ORG", user.uuid, [user.uuid], "Chat", "chat", 30, EPOCH)
    for index, (start, status) in enumerate(meetings):
        state.add_event(ScheduledEvent(f"E{index}", "OTHER", "ORG", "Other", start,
                                       start + timedelta(minutes=30), [user.uuid], EPOCH, EPOCH,
                                       [], status=status))
    state.meeting_limits[user.uuid] = limits
    return state, event_type


def kept(state: State, event_type: EventType, *starts: datetime) -> list[datetime]:
    return sorted(within_limits(state, event_type, "HOST", set(starts)))


def test_a_daily_limit_closes_that_local_day_only():
    friday, saturday, thursday = date(2027, 3, 12), date(2027, 3, 13), date(2027, 3, 11)
    # 22:00 on Thursday in New York is Friday in UTC: it counts for Thursday.
    state, event_type = state_with(MeetingLimits(daily=1), (at(thursday, 22), "active"))
    assert kept(state, event_type, at(thursday, 9), at(friday, 9)) == [at(friday, 9)]
    state, event_type = state_with(MeetingLimits(daily=2), (at(friday, 9), "active"),
                                   (at(friday, 11), "canceled"))
    assert kept(state, event_type, at(friday, 15), at(saturday, 9)) == \
        [at(friday, 15), at(saturday, 9)]  # a canceled meeting does not count


def test_a_weekly_limit_runs_sunday_to_saturday_across_a_dst_change():
    sunday, saturday = date(2027, 3, 7), date(2027, 3, 13)
    next_sunday = date(2027, 3, 14)  # the clocks change that night
    state, event_type = state_with(MeetingLimits(weekly=2), (at(sunday, 10), "active"),
                                   (at(date(2027, 3, 8), 10), "active"))
    assert kept(state, event_type, at(date(2027, 3, 6), 9), at(saturday, 20),
                at(next_sunday, 9)) == [at(date(2027, 3, 6), 9), at(next_sunday, 9)]


def test_a_monthly_limit_is_a_calendar_month():
    state, event_type = state_with(MeetingLimits(monthly=1), (at(date(2027, 3, 31), 23), "active"))
    assert kept(state, event_type, at(date(2027, 3, 1), 9), at(date(2027, 4, 1), 0)) == \
        [at(date(2027, 4, 1), 0)]


def test_no_limits_change_nothing():
    state, event_type = state_with(MeetingLimits(), (at(date(2027, 3, 1), 9), "active"))
    assert kept(state, event_type, at(date(2027, 3, 1), 10)) == [at(date(2027, 3, 1), 10)]


def capped_day(limited, zone: ZoneInfo) -> date:
    """A coming day of the limited member's that holds their cap (the seed sees to one)."""
    events = limited.get("/scheduled_events", user=limited.uri, status="active", count=100,
                         min_start_time=stamp(utc_in(days=1)),
                         max_start_time=stamp(utc_in(days=20))).json()["collection"]
    per_day = Counter(parse(e["start_time"]).astimezone(zone).date() for e in events)
    tomorrow = datetime.now(UTC).astimezone(zone).date() + timedelta(days=1)
    return min(day for day, count in per_day.items() if count >= 2 and day > tomorrow)


def test_a_reached_daily_limit_hides_the_day_until_lifted(sandbox):
    limited = caller_for(sandbox, LIMITED_EMAIL)
    zone = ZoneInfo(limited.get("/users/me").json()["resource"]["timezone"])
    meeting = next(e for e in limited.get("/event_types", user=limited.uri).json()["collection"]
                   if e["name"] == "30 Minute Meeting")
    day = capped_day(limited, zone)
    midnight = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    span = {"start_time": stamp(midnight), "end_time": stamp(midnight + timedelta(days=1))}

    def slots() -> list:
        found = limited.get("/event_type_available_times", event_type=meeting["uri"], **span)
        assert found.status_code == 200, found.text
        return found.json()["collection"]

    assert slots() == []
    try:
        assert sandbox.control("POST", "/meeting_limits",
                               {"email": LIMITED_EMAIL, "daily_limit": None})["daily_limit"] is None
        assert slots(), "the day has room once the limit is lifted"
        lifted = limited.get("/user_meeting_limits", user=limited.uri).json()["collection"][0]
        assert lifted == {"daily_limit": None, "weekly_limit": None, "monthly_limit": None}
    finally:
        sandbox.control("POST", "/meeting_limits",
                        {"email": LIMITED_EMAIL, "daily_limit": 2})
    assert slots() == []
    # Other people's slots that day are untouched by his limit.
    member = caller_for(sandbox, "emma@acme.example")
    own = next(e for e in member.get("/event_types", user=member.uri).json()["collection"]
               if e["name"] == "30 Minute Meeting")
    assert member.get("/event_type_available_times", event_type=own["uri"],
                      **window(days=7)).json()["collection"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"email": LIMITED_EMAIL}, "give at least one of daily_limit"),
        ({"email": LIMITED_EMAIL, "daily_limit": 0}, "daily_limit must be an integer from 1"),
        ({"email": LIMITED_EMAIL, "weekly_limit": 10000}, "weekly_limit must be an integer"),
        ({"email": LIMITED_EMAIL, "monthly_limit": "3"}, "monthly_limit must be an integer"),
        ({"daily_limit": 3}, "email is required"),
    ],
)
def test_the_control_endpoint_refuses_bad_limits(sandbox, body, words):
    with pytest.raises(SandboxError, match=f"^400: .*{words}") as refused:
        sandbox.control("POST", "/meeting_limits", body)
    assert refused.value.status == 400
    limited = caller_for(sandbox, LIMITED_EMAIL)
    assert limited.get("/user_meeting_limits", user=limited.uri).json()["collection"][0][
        "daily_limit"] == 2


def test_multi_pool_offers_times_when_every_host_is_free(sandbox):
    admin = caller_for(sandbox, "admin@acme.example")
    pooled = next(e for e in admin.get("/event_types", organization=admin.org, count=100)
                  .json()["collection"] if e["pooling_type"] == "multi_pool")
    hosts = [m["member"]["uri"] for m in admin.get("/event_type_memberships",
                                                   event_type=pooled["uri"]).json()["collection"]]
    # Three hosts in Kolkata, London and Berlin share 90 minutes of a workday, which the
    # seed's bookings may fill for a week: four weeks always leave some.
    slots = admin.get("/event_type_available_times", event_type=pooled["uri"],
                      **window(days=28)).json()["collection"]
    assert slots
    for host in hosts:
        busy = [b for week in range(4)
                for b in admin.get("/user_busy_times", user=host,
                                   **window(days=7, start_in_hours=1 + 168 * week))
                .json()["collection"]]
        for slot in slots:
            start = parse(slot["start_time"])
            end = start + timedelta(minutes=pooled["duration"])
            assert not any(parse(b.get("buffered_start_time", b["start_time"])) < end
                           and parse(b.get("buffered_end_time", b["end_time"])) > start
                           for b in busy), (host, slot)
