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


EVENT_TYPE = {
    "uri": "https://api.calendly.com/event_types/X",
    "name": "Intro",
    "active": True,
    "scheduling_url": "https://calendly.com/x",
    "duration": 30,
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
    with pytest.raises(r.MalformedResource, match=r"lacks 'uri'"):
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


# --- Held to what the columns and pages can hold ------------------------------------------


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://calendly.com/acme/30min", True),
        ("http://127.0.0.1:8001/acme/30min", True),  # the sandbox, on this machine
        ("http://localhost:8001/acme", True),
        ("javascript:alert(1)", False),
        ("JAVASCRIPT:alert(1)", False),
        ("data:text/html,<script>", False),
        ("http://calendly.com/acme", False),  # plain http off this machine
        ("http://127.0.0.1@evil.example/", False),
        ("https://calendly.com/a b", False),
        ("https://calendly.com/\x00", False),
        ("https://" + "a" * 600, False),
        (None, False),
        (42, False),
    ],
)
def test_a_link_shown_to_a_person_is_https_or_on_this_machine(url, kept):
    assert r.link(url) == (url if kept else "")


def test_scheduling_and_avatar_urls_that_are_no_links_are_dropped():
    user = r.parse_user(USER | {"scheduling_url": "javascript:x", "avatar_url": "data:,x"})
    assert user.scheduling_url == "" and user.avatar_url is None
    slot = r.parse_available_time(
        {"start_time": "2030-01-01T09:00:00Z", "scheduling_url": "javascript:x"}
    )
    assert slot.scheduling_url == ""


@pytest.mark.parametrize(
    ("value", "stored"),
    [(2**40, r.INT_MAX), (-(2**40), -r.INT_MAX), ("7", 7), ("x", 0), (None, 0), (True, 0),
     (float("inf"), 0), (12.9, 12)],
)
def test_positions_are_clamped_to_the_column(value, stored):
    assert r.parse_event_type(EVENT_TYPE | {"position": value}).position == stored


@pytest.mark.parametrize("duration", [-30, 0, 30.5, 10**6, "30", True, [30]])
def test_a_duration_that_is_not_whole_minutes_rejects_the_event_type(duration):
    with pytest.raises(r.MalformedResource, match="whole number of minutes"):
        r.parse_event_type(EVENT_TYPE | {"duration": duration})


def test_duration_options_keep_only_whole_minutes():
    event_type = r.parse_event_type(EVENT_TYPE | {"duration_options": [15, -5, 2.5, True, 45]})
    assert event_type.duration_options == [15, 45]


@pytest.mark.parametrize(("role", "kept"), [("owner", "owner"), ("admin", "admin"),
                                            ("superadmin", "user"), (None, "user"), (1, "user")])
def test_a_role_calendly_never_documented_gives_no_power(role, kept):
    membership = {"uri": "https://api.calendly.com/organization_memberships/M", "role": role,
                  "organization": "https://api.calendly.com/organizations/O", "user": USER}
    assert r.parse_membership(membership).role == kept


@pytest.mark.parametrize(("kind", "kept"), [("calendly", "calendly"), ("external", "external"),
                                            ("tentative", "external"), (None, "external")])
def test_a_busy_time_of_any_type_stays_busy(kind, kept):
    busy = r.parse_busy_time(
        {"type": kind, "start_time": "2030-01-01T09:00:00Z", "end_time": "2030-01-01T10:00:00Z"}
    )
    assert busy.type == kept


def test_a_busy_time_that_ends_before_it_starts_is_malformed():
    with pytest.raises(r.MalformedResource, match="ends before it starts"):
        r.parse_busy_time({"start_time": "2030-01-01T10:00:00Z", "end_time": "2030-01-01T09:00:00Z"})


@pytest.mark.parametrize(
    "value", ["9999-12-31T23:59:59-10:00", "0001-01-01T00:00:00+14:00", "1969-12-31T23:00:00Z",
              "2030-01-01T09:00:00", "", None, 5]
)
def test_instants_out_of_range_or_without_a_zone_are_unreadable(value):
    assert r.parse_time(value) is None


def test_an_instant_is_read_in_utc():
    assert r.parse_time("2030-01-01T10:00:00+01:00") == datetime(2030, 1, 1, 9, tzinfo=UTC)


def test_nul_is_dropped_from_text_and_counts_never_go_negative():
    event_type = r.parse_event_type(EVENT_TYPE | {"name": "In\x00tro"})
    assert event_type.name == "Intro"
    slot = r.parse_available_time({"start_time": "2030-01-01T09:00:00Z", "invitees_remaining": -3})
    assert slot.invitees_remaining == 0


@pytest.mark.parametrize(
    "uri", ["https://api.calendly.com/users/A B", "https://api.calendly.com/users/\x00",
            "https://api.calendly.com/" + "x" * 500, "ftp://api.calendly.com/users/A"]
)
def test_a_reference_with_spaces_controls_or_past_its_column_is_malformed(uri):
    with pytest.raises(r.MalformedResource, match="is not a URI"):
        r.parse_user(USER | {"uri": uri})


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://d3v0px0pttie1i.cloudfront.net/uploads/user/avatar/1/a.png", True),
        ("https://assets.calendly.com/a.png", True),
        ("https://calendly.com.evil.example/a.png", False),
        ("https://evilcalendly.com/a.png", False),
        ("https://tracker.example/pixel.gif", False),
        ("http://127.0.0.1:8001/avatar.png", True),  # the sandbox
        ("javascript:alert(1)", False),
    ],
)
def test_avatars_are_shown_only_from_calendlys_image_hosts(settings, url, shown):
    settings.CALENDLY_AVATAR_HOSTS = ["*.cloudfront.net", "*.calendly.com"]
    assert r.parse_user(USER | {"avatar_url": url}).avatar_url == (url if shown else None)
