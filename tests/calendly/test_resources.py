"""Parsing Calendly's JSON: extra fields, allowed nulls and odd time zones never crash."""

from datetime import UTC, datetime

import pytest

from calendly import errors
from calendly import resources as r
from calendly.transport import origin, rate_limit_delay

USER = {
    "uri": "https://api.calendly.com/users/AAAA",
    "name": "John Doe",
    "slug": "acmesales",
    "email": "test@example.com",
    "scheduling_url": "https://calendly.com/acmesales",
    "timezone": "America/New York",  # the spec's own example, not an IANA name
    "avatar_url": None,
    "created_at": "2019-01-02T03:04:05.678123Z",
    "updated_at": "2019-08-07T06:05:04.321123Z",
    "current_organization": "https://api.calendly.com/organizations/BBBB",
    "resource_type": "User",
    "some_future_field": {"nested": [1, 2]},
}


def test_user_with_the_specs_own_time_zone_is_kept_as_text_and_flagged_unknown():
    user = r.parse_user(USER)
    assert user.timezone == "America/New York"
    assert user.timezone_known is False
    assert user.avatar_url is None
    assert user.current_organization.endswith("/BBBB")


@pytest.mark.parametrize(
    ("name", "known"),
    [
        ("America/New_York", True),
        ("UTC", True),
        ("Mars/Olympus_Mons", False),
        ("", False),
        ("America\\/New_York", False),
        ("../etc/passwd", False),
    ],
)
def test_timezone_known(name, known):
    assert r.timezone_known(name) is known


def test_event_type_tolerates_nulls_the_spec_allows_and_unknown_fields():
    et = r.parse_event_type(
        {
            "uri": "https://api.calendly.com/event_types/X",
            "name": None,
            "slug": None,
            "active": False,
            "scheduling_url": "https://calendly.com/x",
            "duration": 30,
            "duration_options": None,
            "kind": "solo",
            "pooling_type": None,
            "type": "StandardEventType",
            "color": "#fff200",
            "profile": None,
            "description_plain": None,
            "secret": False,
            "booking_method": "instant",
            "custom_questions": [],
            "deleted_at": "2024-02-01T10:00:00.000000Z",
            "admin_managed": False,
            "locations": None,
            "position": 0,
            "kind_description": "x",
        }
    )
    assert et.name is None and et.profile_owner is None and et.pooling_type is None
    assert et.deleted_at == datetime(2024, 2, 1, 10, tzinfo=UTC)


def test_a_resource_without_its_uri_is_malformed():
    with pytest.raises(r.MalformedResource):
        r.parse_event_type({"name": "no uri"})


def test_busy_time_external_has_no_buffers_nor_event():
    busy = r.parse_busy_time(
        {
            "type": "external",
            "start_time": "2020-01-07T20:00:00.000000Z",
            "end_time": "2020-01-07T20:30:00.000000Z",
        }
    )
    assert busy.event_uri is None and busy.buffered_start is None
    assert busy.end - busy.start == (busy.end - busy.start).__class__(minutes=30)


def test_schedule_rules_keep_what_free_busy_reads():
    schedule = r.parse_schedule(
        {
            "uri": "https://api.calendly.com/user_availability_schedule/abc",
            "default": True,
            "name": "Working Hours",
            "user": "https://api.calendly.com/users/abc",
            "timezone": "America\\/New_York",
            "rules": [
                {
                    "type": "wday",
                    "wday": "monday",
                    "intervals": [{"from": "08:30", "to": "17:00"}],
                    "date": "2022-12-31",
                },
                {"type": "date", "date": "2028-12-31", "intervals": []},
                {"type": "holiday"},
            ],
        }
    )
    assert schedule.rules == [
        {"type": "wday", "wday": "monday", "intervals": [{"from": "08:30", "to": "17:00"}]},
        {"type": "date", "date": "2028-12-31", "intervals": []},
    ]
    assert schedule.timezone_known is False


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, errors.BadRequest),
        (401, errors.Unauthorized),
        (403, errors.PermissionDenied),
        (404, errors.NotFound),
        (424, errors.ExternalCalendarError),
        (429, errors.RateLimited),
        (500, errors.ServerError),
        (503, errors.ServerError),
        (409, errors.Conflict),  # still an UnexpectedResponse for a sync
    ],
)
def test_errors_are_typed_by_status_and_carry_calendlys_words(status, cls):
    body = {
        "title": "Invalid Argument",
        "message": "The supplied parameters are invalid.",
        "details": [{"parameter": "start_time", "message": "must be in the future"}],
    }
    error = errors.error_for(status, body, "https://api.calendly.com/x")
    assert type(error) is cls
    assert error.status == status
    assert error.title == "Invalid Argument"
    assert "start_time: must be in the future" in str(error)


def test_error_from_a_body_that_is_not_json():
    error = errors.error_for(502, None, "u")
    assert isinstance(error, errors.ServerError) and "502" in str(error)


class _Headers:
    def __init__(self, **headers):
        self.headers = {k.replace("_", "-"): v for k, v in headers.items()}


def test_rate_limit_delay_reads_retry_after_and_reset():
    now = 1_700_000_000.0
    assert rate_limit_delay(_Headers(Retry_After="12"), now) == 12
    assert rate_limit_delay(_Headers(X_RateLimit_Reset="30"), now) == 30
    assert rate_limit_delay(_Headers(X_RateLimit_Reset=str(now + 5)), now) == 5
    assert rate_limit_delay(_Headers(Retry_After="3", X_RateLimit_Reset="9"), now) == 9
    assert rate_limit_delay(_Headers(), now) is None


def test_origin_compares_scheme_host_and_port():
    assert origin("https://api.calendly.com/users") == ("https", "api.calendly.com", 443)
    assert origin("https://API.calendly.com:443/x") == origin("https://api.calendly.com")
    assert origin("https://api.calendly.com@evil.example/x")[1] == "evil.example"
    assert origin("http://127.0.0.1:8001/") != origin("http://127.0.0.1:8002/")
