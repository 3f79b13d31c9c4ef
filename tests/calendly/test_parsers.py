"""Every parser of calendly.resources, field by field: a record read whole, the defaults of
what Calendly leaves out, and the answers that must refuse a record (with its words).

A field read from the wrong key, a default changed or a bound moved shows here as a record
that differs from the one written out, which is what the pages and the sync then store."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from calendly import fields as read
from calendly import resources as r

API = "https://api.calendly.com"
ORG = f"{API}/organizations/ORG"
ANA = f"{API}/users/ANA"


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def user_json(**changes) -> dict:
    return {
        "uri": ANA,
        "name": "Ana Alves",
        "email": "ana@acme.example",
        "slug": "ana",
        "scheduling_url": "https://calendly.com/ana",
        "timezone": "Europe/Lisbon",
        "avatar_url": "https://d3v0px0pttie1i.cloudfront.net/uploads/ana.png",
        "current_organization": ORG,
        "time_notation": "24h",
    } | changes


ANA_USER = r.User(
    uri=ANA,
    name="Ana Alves",
    email="ana@acme.example",
    slug="ana",
    scheduling_url="https://calendly.com/ana",
    timezone="Europe/Lisbon",
    timezone_known=True,
    avatar_url="https://d3v0px0pttie1i.cloudfront.net/uploads/ana.png",
    current_organization=ORG,
    time_notation="24h",
)


# --- Users, organizations, memberships ----------------------------------------------------


def test_a_user_is_read_whole():
    assert r.parse_user(user_json()) == ANA_USER


def test_a_user_without_its_optional_fields_gets_calendlys_defaults():
    user = r.parse_user({"uri": ANA})
    assert user == r.User(ANA, "", "", "", "", "", False, None, None, "12h")


@pytest.mark.parametrize(("notation", "kept"), [("12h", "12h"), ("24h", "24h"), ("13h", "12h")])
def test_a_time_notation_is_one_calendly_documents_else_twelve_hours(notation, kept):
    assert r.parse_user(user_json(time_notation=notation)).time_notation == kept


def test_an_organization_without_a_name_or_with_blanks_has_none():
    assert r.parse_organization({"uri": ORG, "name": "  Acme  "}) == r.Organization(ORG, "Acme")
    assert r.parse_organization({"uri": ORG, "name": "   "}).name is None
    assert r.parse_organization({"uri": ORG}).name is None


@pytest.mark.parametrize("role", ["user", "admin", "owner"])
def test_a_membership_is_read_whole(role):
    membership = r.parse_membership(
        {
            "uri": f"{API}/organization_memberships/M1",
            "role": role,
            "organization": ORG,
            "user": user_json(),
            "created_at": "2024-01-01T00:00:00Z",
        }
    )
    assert membership == r.Membership(f"{API}/organization_memberships/M1", role, ORG, ANA_USER)


def test_a_membership_without_its_user_or_organization_is_malformed():
    base = {"uri": f"{API}/organization_memberships/M1", "organization": ORG}
    with pytest.raises(r.MalformedResource, match="a membership lacks its user"):
        r.parse_membership(base | {"user": ANA})  # a reference, not the embedded user
    with pytest.raises(r.MalformedResource, match="'organization' is not a URI"):
        r.parse_membership(base | {"organization": "Acme", "user": user_json()})
    with pytest.raises(r.MalformedResource, match="lacks 'organization'"):
        r.parse_membership({"uri": base["uri"], "user": user_json()})


def test_a_host_record_names_its_event_type_embedded_or_by_reference():
    et = f"{API}/event_types/ET"
    embedded = r.parse_event_type_membership(
        {"uri": f"{API}/event_type_memberships/H1", "event_type": {"uri": et},
         "member": user_json()}
    )
    assert embedded == r.EventTypeMembership(f"{API}/event_type_memberships/H1", et, ANA_USER)
    by_reference = r.parse_event_type_membership(
        {"uri": f"{API}/event_type_memberships/H2", "event_type": et, "member": user_json()}
    )
    assert by_reference.event_type == et
    assert r.parse_event_type_membership(
        {"uri": f"{API}/event_type_memberships/H3", "member": user_json()}
    ).event_type is None


def test_a_host_record_without_its_member_says_of_which_event_type():
    et = f"{API}/event_types/ET"
    with pytest.raises(r.MalformedResource, match=f": a host record of {re.escape(et)} lacks its member$"):
        r.parse_event_type_membership({"uri": f"{API}/event_type_memberships/H", "event_type": et})
    with pytest.raises(r.MalformedResource, match=": a host record lacks its member$"):
        r.parse_event_type_membership({"uri": f"{API}/event_type_memberships/H", "member": ANA})


# --- Event types and schedules ------------------------------------------------------------


def test_an_event_type_is_read_whole():
    et = r.parse_event_type(
        {
            "uri": f"{API}/event_types/ET",
            "name": "Team sync",
            "slug": "team-sync",
            "active": True,
            "scheduling_url": "https://calendly.com/acme/team-sync",
            "duration": 45,
            "duration_options": [30, 45],
            "kind": "group",
            "pooling_type": "round_robin",
            "type": "AdhocEventType",
            "color": "#ff0000",
            "description_plain": "Weekly",
            "secret": True,
            "booking_method": "poll",
            "admin_managed": True,
            "position": 3,
            "profile": {"type": "Team", "name": "Sales", "owner": f"{API}/teams/T"},
            "deleted_at": "2030-01-02T03:04:05Z",
            "updated_at": "2029-12-31T23:00:00+01:00",
        }
    )
    assert et == r.EventType(
        uri=f"{API}/event_types/ET",
        name="Team sync",
        slug="team-sync",
        active=True,
        scheduling_url="https://calendly.com/acme/team-sync",
        duration=45,
        duration_options=[30, 45],
        kind="group",
        pooling_type="round_robin",
        type="AdhocEventType",
        color="#ff0000",
        description_plain="Weekly",
        secret=True,
        booking_method="poll",
        admin_managed=True,
        position=3,
        profile_type="Team",
        profile_name="Sales",
        profile_owner=f"{API}/teams/T",
        deleted_at=at(2030, 1, 2, 3, 4, 5),
        updated_at=at(2029, 12, 31, 22),
    )


def test_an_event_type_left_mostly_unsaid_is_an_inactive_solo_instant_one():
    et = r.parse_event_type({"uri": f"{API}/event_types/ET", "profile": "not an object"})
    assert et == r.EventType(
        f"{API}/event_types/ET", None, None, False, "", 0, None, "solo", None,
        "StandardEventType", "", None, False, "instant", False, 0, None, None, None, None, None,
    )


def test_duration_options_keep_whole_minutes_from_one_to_a_week():
    options = [0, 1, 15, 30.0, 45.5, True, "60", 10080, 10081, None]
    et = r.parse_event_type({"uri": f"{API}/event_types/ET", "duration_options": options})
    assert et.duration_options == [1, 15, 30, 10080]


@pytest.mark.parametrize(("duration", "kept"), [(1, 1), (10080, 10080), (30.0, 30)])
def test_a_duration_of_a_minute_to_a_week_is_kept(duration, kept):
    assert r.parse_event_type({"uri": f"{API}/event_types/E", "duration": duration}).duration == kept


@pytest.mark.parametrize("duration", [0, 10081, True, "30"])
def test_a_duration_outside_a_minute_to_a_week_refuses_the_event_type(duration):
    with pytest.raises(r.MalformedResource, match="duration is not a whole number of minutes"):
        r.parse_event_type({"uri": f"{API}/event_types/E", "duration": duration})


def test_a_schedule_keeps_the_rules_free_busy_reads_and_nothing_else():
    schedule = r.parse_schedule(
        {
            "uri": f"{API}/user_availability_schedules/S",
            "user": ANA,
            "name": "Working hours",
            "default": True,
            "timezone": "Europe/Berlin",
            "rules": [
                {"type": "wday", "wday": "monday", "date": "ignored",
                 "intervals": [{"from": "09:00", "to": "17:00", "extra": 1}, "not an object"]},
                {"type": "date", "date": "2030-01-02", "wday": "ignored", "intervals": None},
                {"type": "holiday", "intervals": []},
                "not a rule",
                {"type": "wday", "wday": "tue\x00sday", "intervals": [{"from": "10:00"}]},
            ],
        }
    )
    assert schedule == r.AvailabilitySchedule(
        uri=f"{API}/user_availability_schedules/S",
        user=ANA,
        name="Working hours",
        default=True,
        timezone="Europe/Berlin",
        timezone_known=True,
        rules=[
            {"type": "wday", "intervals": [{"from": "09:00", "to": "17:00"}], "wday": "monday"},
            {"type": "date", "intervals": [], "date": "2030-01-02"},
            {"type": "wday", "intervals": [{"from": "10:00", "to": ""}], "wday": "tuesday"},
        ],
    )


def test_a_schedule_left_unsaid_is_not_the_default_and_its_zone_unknown():
    schedule = r.parse_schedule({"uri": f"{API}/user_availability_schedules/S", "user": ANA})
    assert (schedule.default, schedule.timezone, schedule.timezone_known, schedule.rules) == (
        False, "", False, []
    )


# --- Busy times, booked events, available times ------------------------------------------


def test_a_busy_time_keeps_its_buffers_and_its_event():
    busy = r.parse_busy_time(
        {
            "type": "calendly",
            "start_time": "2030-01-07T10:00:00Z",
            "end_time": "2030-01-07T10:30:00Z",
            "buffered_start_time": "2030-01-07T09:45:00Z",
            "buffered_end_time": "2030-01-07T11:40:00+01:00",
            "event": {"uri": f"{API}/scheduled_events/EV"},
        }
    )
    assert busy == r.BusyTime(
        "calendly",
        at(2030, 1, 7, 10),
        at(2030, 1, 7, 10, 30),
        at(2030, 1, 7, 9, 45),
        at(2030, 1, 7, 10, 40),
        f"{API}/scheduled_events/EV",
    )


def test_a_busy_time_of_no_length_is_kept_and_one_running_backwards_is_not():
    moment = "2030-01-07T10:00:00Z"
    busy = r.parse_busy_time({"type": "external", "start_time": moment, "end_time": moment})
    assert busy.start == busy.end == at(2030, 1, 7, 10)
    with pytest.raises(r.MalformedResource, match="a busy time ends before it starts"):
        r.parse_busy_time(
            {"type": "external", "start_time": moment, "end_time": "2030-01-07T09:59:59Z"}
        )


@pytest.mark.parametrize("missing", ["start_time", "end_time"])
def test_a_busy_time_without_its_start_or_end_is_malformed(missing):
    data = {"type": "external", "start_time": "2030-01-07T10:00:00Z",
            "end_time": "2030-01-07T11:00:00Z"}
    del data[missing]
    with pytest.raises(r.MalformedResource, match=f"lacks a valid '{missing}'"):
        r.parse_busy_time(data)


def test_a_booked_event_is_read_whole_and_is_active_unless_it_says():
    data = {"uri": f"{API}/scheduled_events/EV", "name": "Intro call",
            "start_time": "2030-01-07T10:00:00Z", "status": "canceled"}
    assert r.parse_scheduled_event(data) == r.ScheduledEvent(
        f"{API}/scheduled_events/EV", "Intro call", at(2030, 1, 7, 10), "canceled"
    )
    bare = r.parse_scheduled_event({"uri": data["uri"], "start_time": data["start_time"]})
    assert (bare.name, bare.status) == ("", "active")
    with pytest.raises(r.MalformedResource, match="lacks a valid 'start_time'"):
        r.parse_scheduled_event({"uri": data["uri"], "name": "Intro call"})
    with pytest.raises(r.MalformedResource, match="lacks 'uri'"):
        r.parse_scheduled_event({"start_time": data["start_time"]})


def test_an_available_time_is_read_whole_and_has_one_seat_unless_it_says():
    data = {"status": "available", "invitees_remaining": 4,
            "start_time": "2030-01-07T10:00:00+02:00",
            "scheduling_url": "https://calendly.com/ana/30min/2030-01-07T08:00:00Z"}
    assert r.parse_available_time(data) == r.AvailableTime(
        at(2030, 1, 7, 8), "available", 4, data["scheduling_url"]
    )
    bare = r.parse_available_time({"start_time": data["start_time"]})
    assert (bare.status, bare.invitees_remaining, bare.scheduling_url) == ("available", 1, "")
    assert r.parse_available_time(data | {"invitees_remaining": 0}).invitees_remaining == 0
    with pytest.raises(r.MalformedResource, match="lacks a valid 'start_time'"):
        r.parse_available_time({"status": "available"})


# --- Meeting limits and webhook subscriptions ---------------------------------------------


def limits(**item) -> dict:
    return {"collection": [{"daily_limit": None, "weekly_limit": None, "monthly_limit": None}
                           | item]}


def test_meeting_limits_are_read_whole_from_one_to_9999():
    assert r.parse_meeting_limits(limits(daily_limit=1, weekly_limit=9999)) == r.MeetingLimits(
        1, 9999, None
    )
    assert r.parse_meeting_limits(limits()) == r.MeetingLimits(None, None, None)


@pytest.mark.parametrize("value", [0, 10000, True, 2.0, "3"])
def test_a_meeting_limit_outside_one_to_9999_is_malformed(value):
    with pytest.raises(r.MalformedResource, match="'weekly_limit' is not a meeting limit"):
        r.parse_meeting_limits(limits(weekly_limit=value))


@pytest.mark.parametrize(
    "body", [{}, {"collection": []}, {"collection": [{}, {}]}, {"collection": ["x"]}]
)
def test_meeting_limits_not_a_collection_of_one_are_malformed(body):
    with pytest.raises(r.MalformedResource, match="not a collection of one item"):
        r.parse_meeting_limits(body)


def test_meeting_limits_missing_a_cap_are_malformed_not_uncapped():
    body = {"collection": [{"daily_limit": None, "weekly_limit": None}]}
    with pytest.raises(r.MalformedResource, match="lack 'monthly_limit'"):
        r.parse_meeting_limits(body)


def test_a_webhook_subscription_is_read_whole():
    data = {
        "uri": f"{API}/webhook_subscriptions/W",
        "callback_url": "https://dash.example/webhooks/calendly/",
        "state": "disabled",
        "events": ["invitee.created", "invitee.canceled"],
        "scope": "organization",
        "organization": ORG,
        "user": ANA,
        "creator": f"{API}/users/ADMIN",
    }
    assert r.parse_webhook_subscription(data) == r.WebhookSubscription(
        f"{API}/webhook_subscriptions/W", "https://dash.example/webhooks/calendly/", "disabled",
        ["invitee.created", "invitee.canceled"], "organization", ORG, ANA, f"{API}/users/ADMIN",
    )


def test_a_webhook_subscription_left_unsaid_is_active_with_no_events():
    sub = r.parse_webhook_subscription(
        {"uri": f"{API}/webhook_subscriptions/W", "events": "invitee.created", "user": ""}
    )
    assert sub == r.WebhookSubscription(
        f"{API}/webhook_subscriptions/W", "", "active", [], "", "", None, None
    )


# --- The field readers' bounds ------------------------------------------------------------


def test_a_reference_may_be_500_characters_long_not_501():
    long = f"{API}/users/" + "a" * (500 - len(f"{API}/users/"))
    assert read.uri({"uri": long}) == long
    with pytest.raises(r.MalformedResource, match="'uri' is not a URI"):
        read.uri({"uri": long + "a"})
    assert read.uri({"uri": "http://127.0.0.1:9/users/A"}) == "http://127.0.0.1:9/users/A"


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://calendly.com/ana", True),
        ("http://localhost:8000/ana", True),
        ("http://127.0.0.1/ana", True),
        ("http://[::1]:9/ana", True),
        ("http://calendly.com/ana", False),
        ("http://localhost@evil.example/ana", False),
        ("http://evil.example@localhost/ana", False),
        ("https://calendly.com/" + "a" * 479, True),  # 500 characters
        ("https://calendly.com/" + "a" * 480, False),
    ],
)
def test_a_link_is_https_or_on_this_machine_and_fits_its_column(url, kept):
    assert read.link(url) == (url if kept else "")


@pytest.mark.parametrize(
    ("host", "shown"),
    [("a.calendly.com", True), ("calendly.com", False), ("evilcalendly.com", False),
     ("a.b.calendly.com", True), ("localhost", True)],
)
def test_avatars_come_from_subdomains_of_the_allowed_hosts(settings, host, shown):
    settings.CALENDLY_AVATAR_HOSTS = ["*.calendly.com", "images.example"]
    url = f"https://{host}/a.png"
    assert read.avatar(url) == (url if shown else None)
    assert read.avatar("https://images.example/a.png") == "https://images.example/a.png"
    assert read.avatar("https://x.images.example/a.png") is None


@pytest.mark.parametrize(
    ("value", "read_as"),
    [("12", 12), (3.9, 3), ("x", 7), (None, 7), (True, 7), ([1], 7),
     (2**40, read.INT_MAX), (-(2**40), -read.INT_MAX), (float("inf"), 7)],
)
def test_a_number_is_whole_and_within_the_columns_else_the_default(value, read_as):
    assert read.number({"n": value}, "n", 7) == read_as


@pytest.mark.parametrize(
    ("value", "moment"),
    [
        ("1970-01-01T00:00:00Z", at(1970, 1, 1)),
        ("2999-12-31T23:59:59Z", at(2999, 12, 31, 23, 59, 59)),
        ("1970-01-01T00:30:00+01:00", None),  # 1969 in UTC
        ("3000-01-01T00:00:00Z", None),
        ("2030-01-01T00:00:00", None),
        ("", None),
        (20300101, None),
    ],
)
def test_an_instant_is_aware_and_between_1970_and_2999(value, moment):
    assert read.parse_time(value) == moment


def test_a_refused_record_is_titled_malformed_and_says_at_most_300_characters():
    with pytest.raises(r.MalformedResource, match="^Malformed resource: a membership lacks"):
        r.parse_membership({"uri": f"{API}/organization_memberships/M1"})
    with pytest.raises(r.MalformedResource, match="^Malformed resource: a Calendly resource lacks"):
        r.parse_membership({"uri": "", "user": user_json(), "organization": ORG})
    error = read.malformed("x" * 400)
    assert error.title == "Malformed resource" and str(error).endswith(": " + "x" * 300)
    with pytest.raises(r.MalformedResource, match="^Malformed resource: Calendly's meeting"):
        r.parse_meeting_limits({})


def test_an_available_time_keeps_the_status_it_says():
    data = {"start_time": "2030-01-07T10:00:00Z", "status": "unavailable"}
    assert r.parse_available_time(data).status == "unavailable"


def test_a_rule_interval_without_its_start_keeps_an_empty_one():
    schedule = r.parse_schedule({"uri": f"{API}/user_availability_schedules/S", "user": ANA,
                                 "rules": [{"type": "wday", "wday": "monday",
                                            "intervals": [{"to": "12:00"}]}]})
    assert schedule.rules[0]["intervals"] == [{"from": "", "to": "12:00"}]


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("http://localhost:80@evil.example/ana", False),  # the host is evil.example
        ("http://localhost/a/b@evil.example", True),  # an @ in the path: still localhost
        ("http://localhost:8000/deep/path", True),
    ],
)
def test_a_loopback_link_is_judged_by_its_host_alone(url, kept):
    assert read.link(url) == (url if kept else "")
