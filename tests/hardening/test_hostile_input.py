"""Hostile input to every query parameter, form field and path id the views accept, made by
hypothesis: garbage, far dates, zones that are not zones (``America/New York``, ``../etc``),
10 KB strings, unicode, negative and huge numbers, ids of another organization, K > N.

Never a 500; an unknown zone is said in words on the page; the signed-in person still sees
only their own data (the isolation matrix's rule, under fuzzing).

The data (two organizations, ``tests/hardening/conftest.py``) is built once per test and
shared by its examples on purpose: the views only read it, so the function-scoped fixture
health check is suppressed knowingly.
"""

from __future__ import annotations

import html
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from availability.intervals import UnknownTimeZone, resolve_zone
from availability.models import CalendlyUser
from dashboard.find_time import DURATIONS
from dashboard.views.common import int_param
from tests.hardening.conftest import World
from tests.hardening.test_isolation import assert_nothing_hidden, body_of
from webhooks import live, signature

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SPECIALS = [
    "",
    " ",
    "\x00",
    "null",
    "-1",
    "0",
    "1e9999",
    "NaN",
    "inf",
    "-inf",
    "9" * 40,
    "-" + "9" * 40,
    "0x10",
    "1_000",
    "١٢٣",  # Arabic-Indic digits: int() accepts them
    "²",
    "%00",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "x" * 10_240,
    "é" * 3000,
    "\ud7ff\U0010ffff",
]
garbage = st.one_of(st.sampled_from(SPECIALS), st.text(max_size=40))
numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    garbage,
)
dates = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["0001-01-01", "9999-12-31", "2025-02-30", "2025-W44", "2025-10-28T10:00"]),
    garbage,
)
zones = st.one_of(
    st.sampled_from(
        [
            "America/New York",
            "America\\/New_York",
            "../etc",
            "../../../../etc/passwd",
            "/etc/localtime",
            "Europe/Berlin",
            "UTC",
            "Etc/GMT+14",
            "Etc/GMT-15",
            "europe/berlin",
            "America/New_York\x00",
            "Factory",
            "posixrules",
        ]
    ),
    garbage,
)


def maybe(strategy):
    return st.one_of(st.none(), strategy)


def query(**fields) -> st.SearchStrategy[dict]:
    """Some of the named parameters, each from its strategy (absent ones are not sent)."""
    return st.fixed_dictionaries({name: maybe(s) for name, s in fields.items()}).map(
        lambda d: {k: v for k, v in d.items() if v is not None}
    )


def member_ids(world: World) -> st.SearchStrategy[str]:
    """Ids of everyone (both organizations), a missing one, and garbage."""
    known = [str(p.user.pk) for p in world.people.values()]
    return st.one_of(st.sampled_from([*known, "999999999"]), numbers)


def event_type_ids(world: World) -> st.SearchStrategy[str]:
    known = [str(p.event_type.pk) for p in world.people.values()]
    return st.one_of(st.sampled_from(known), numbers)


def no_nul(params: dict) -> dict:
    """The test client cannot put a NUL in a URL; a browser sends it as %00, which is tried."""
    if isinstance(params, dict):
        return {
            k: [x.replace("\x00", "%00") for x in v] if isinstance(v, list) else v.replace("\x00", "%00")
            for k, v in params.items()
        }
    return params


def unknown_zone(params: dict) -> bool:
    asked = params.get("tz")
    if not asked:
        return False
    try:
        resolve_zone(asked)
    except UnknownTimeZone:
        return True
    return False


def someone_visible(world: World, viewer: str, pk: int | None, of=lambda p: p.user.pk) -> bool:
    """Whether ``pk`` (of a person's user, or what ``of`` picks) is someone the viewer may open."""
    keys = [key for key, person in world.people.items() if of(person) == pk]
    return bool(keys) and world.may_see(viewer, keys[0])


def path_id(member: str) -> int | None:
    """The id a path ``/…/<member>/`` routes with (Django's ``int`` converter), else None."""
    return int(member) if member.isascii() and member.isdigit() else None


def check(world: World, viewer: str, response, params: dict, zone_message: bool = True, *,
          expected: int):
    """The one right status, nothing of anyone hidden, and on a whole page an unknown zone
    said in words.

    HTMX partials are exempt from the last: the week panel swapped in after the zone
    picker (a list of known zones) has no room for the message (reported to the views)."""
    assert response.status_code == expected, (response.status_code, expected, params)
    text = body_of(response)
    assert_nothing_hidden(world, viewer, text, f"{params}")
    is_page = response.status_code == 200 and response["Content-Type"].startswith("text/html")
    is_page = is_page and "<html" in text
    if zone_message and is_page and unknown_zone(params):
        assert "is not a time zone we know" in html.unescape(text), params


@pytest.fixture
def admin_client(world):
    return world["a_admin"].client


@pytest.fixture
def member_client(world):
    return world["a_member"].client


@pytest.mark.django_db
@FUZZ
@given(data=st.data())
def test_week_pages(world, data):
    for viewer, path in (("a_member", "/week/"), ("a_admin", "/week/")):
        params = data.draw(query(week=dates, tz=zones, event_type=event_type_ids(world)))
        params = no_nul(params)
        check(world, viewer, world[viewer].client.get(path, params), params, expected=200)
        htmx = world[viewer].client.get(path, params, HTTP_HX_REQUEST="true")
        check(world, viewer, htmx, params, expected=200)


starts = st.one_of(
    st.datetimes(timezones=st.sampled_from([UTC, None])).map(lambda d: d.isoformat()),
    st.sampled_from(["9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00-12:00", "2025-10-28"]),
    dates,
)


@pytest.mark.django_db
@FUZZ
@given(data=st.data())
def test_find_a_time_invitation(world, data):
    """A found time's .ics: garbage starts (naive, far, past), lengths and people are a 400
    in words, never a 500, and name no one of another organization."""
    soon = (timezone.now() + timedelta(days=1)).replace(microsecond=0).isoformat()
    params = no_nul(
        data.draw(
            query(
                start=st.one_of(st.just(soon), starts),
                member=st.lists(member_ids(world), max_size=6),
                all=st.one_of(st.sampled_from(["1", "0"]), garbage),
                among=garbage,
                duration=st.one_of(st.sampled_from(["15", "30", "120", "0"]), numbers),
            )
        )
    )
    for viewer in ("a_admin", "b_owner", "a_member"):
        response = world[viewer].client.get("/team/find-a-time/invitation.ics", params)
        expected = 403 if viewer == "a_member" else invitation_status(world, viewer, params)
        check(world, viewer, response, params, zone_message=False, expected=expected)


def invitation_status(world: World, viewer: str, params: dict) -> int:
    """What an owner or admin gets for an .ics: 200 only for a start ahead (with its
    offset, within the synced horizon and a day), a length on offer and someone of their
    own organization to invite; else the 400 that says which."""
    try:
        start = datetime.fromisoformat(params.get("start", ""))
    except ValueError:
        return 400
    now = timezone.now()
    latest = now + timedelta(days=django_settings.SYNC_HORIZON_DAYS + 1)
    if start.tzinfo is None or not now <= start <= latest:
        return 400
    if int_param(params.get("duration")) not in DURATIONS:
        return 400
    members = params.get("member", [])
    everyone = params["all"] == "1" if "all" in params else not members
    if everyone:
        return 200
    ours = [m for m in members if someone_visible(world, viewer, int_param(m))]
    return 200 if ours else 400


@pytest.mark.django_db
@FUZZ
@given(data=st.data())
def test_a_members_week_by_any_id(world, data):
    member = data.draw(st.one_of(member_ids(world), st.integers(0, 10**25).map(str)))
    params = no_nul(data.draw(query(week=dates, tz=zones, event_type=event_type_ids(world))))
    for viewer in ("a_admin", "a_member", "b_member"):
        path = f"/week/{member}/" if member.isascii() and member.isdigit() else "/week/x/"
        response = world[viewer].client.get(path, params)
        expected = 200 if someone_visible(world, viewer, path_id(member)) else 404
        check(world, viewer, response, params, expected=expected)


@pytest.mark.django_db
@FUZZ
@given(data=st.data())
def test_copy_times(world, data):
    params = no_nul(
        data.draw(
            query(
                event_type=event_type_ids(world),
                tz=zones,
                n=numbers,
                format=st.sampled_from(["text", "html", "", "csv", "x" * 5000]),
            )
        )
    )
    for viewer in ("a_admin", "a_member"):
        response = world[viewer].client.get("/week/copy-times/", params)
        asked = params.get("event_type", "")
        if not asked.strip():
            expected = 400  # says which parameter is needed
        else:
            pk = int_param(asked)
            expected = 200 if someone_visible(world, viewer, pk, lambda p: p.event_type.pk) else 404
        check(world, viewer, response, params, expected=expected)


@pytest.mark.django_db
@FUZZ
@given(data=st.data())
def test_sync_panel(world, data):
    then = no_nul(data.draw(query(then=st.one_of(st.just("reload"), garbage))))
    client = world["a_member"].client
    check(world, "a_member", client.post("/sync/", then, HTTP_HX_REQUEST="true"), then, False,
          expected=200)
    check(world, "a_member", client.get("/sync/progress/", then), then, False, expected=200)


TEAM_PARAMS = dict(
    week=dates,
    tz=zones,
    q=garbage,
    min_free=numbers,
    show=st.one_of(st.sampled_from(["needs_more", "not_connected", ""]), garbage),
    page=numbers,
    sort=st.one_of(st.sampled_from(["name", "working", "busy", "free", "scheduled", "share"]), garbage),
)


@pytest.mark.django_db
@FUZZ
@given(data=st.data())
def test_team_pages_and_the_export(world, data):
    params = no_nul(data.draw(query(**TEAM_PARAMS)))
    for path in ("/team/", "/team/hours/", "/team/hours.csv"):
        for viewer in ("a_admin", "a_member"):
            response = world[viewer].client.get(path, params)
            check(world, viewer, response, params, expected=200 if viewer == "a_admin" else 403)


@pytest.mark.django_db
@FUZZ
@given(data=st.data())
def test_find_a_time(world, data):
    params = no_nul(
        data.draw(
            query(
                week=dates,
                tz=zones,
                member=st.lists(member_ids(world), max_size=6),
                all=st.one_of(st.sampled_from(["1", "0", ""]), garbage),
                duration=st.one_of(st.sampled_from(["15", "30", "45", "60", "90", "0", "-30"]), numbers),
                k=numbers,  # K of N: K > N, K < 1, garbage
                days=st.one_of(st.sampled_from(["7", "14", "21", "28", "999", "0"]), numbers),
                any_hour=st.one_of(st.sampled_from(["1", "0"]), garbage),
                # The picker's search: "example" is in every email of both organizations.
                q=st.one_of(st.sampled_from(["example", "a", "%", "_", "@"]), garbage),
            )
        )
    )
    for viewer in ("a_admin", "b_owner"):
        response = world[viewer].client.get("/team/find-a-time/", params)
        check(world, viewer, response, params, expected=200)
    for viewer in ("a_admin", "b_owner", "a_member"):  # The picker alone, for its search box.
        response = world[viewer].client.get("/team/find-a-time/members/", params)
        check(world, viewer, response, params, zone_message=False,
              expected=403 if viewer == "a_member" else 200)


@pytest.mark.django_db
@FUZZ
@given(data=st.data())
def test_live_update_poll(world, data):
    member = data.draw(member_ids(world))
    params = no_nul(data.draw(query(v=numbers)))
    path = f"/webhooks/changes/{member}/" if member.isascii() and member.isdigit() else "/webhooks/changes/x/"
    for viewer in ("a_admin", "a_member"):
        response = world[viewer].client.get(path, params)
        pk = path_id(member)
        if not someone_visible(world, viewer, pk):
            expected = 404
        else:  # 204 only for the version the page already shows; a drawn ``v`` is not it
            user = CalendlyUser.objects.get(pk=pk)
            expected = 204 if params.get("v") == live.version(user) else 200
        check(world, viewer, response, params, False, expected=expected)


@pytest.mark.django_db
@FUZZ
@given(
    body=st.one_of(st.binary(max_size=2000), st.text(max_size=2000).map(str.encode),
                   st.just(b"{" * 5000), st.just(b'{"event": "invitee.created", "payload": []}')),
    header=st.one_of(st.none(), garbage, st.just("t=1,v1=00"), st.just(f"t={int(time.time())},v1=")),
    sign_with=st.one_of(st.none(), st.just("some-key")),
)
def test_webhook_receiver(world, client, settings, body, header, sign_with):
    settings.RATE_LIMIT_WEBHOOKS = "100000/m"  # the flood is test_brute_force's business
    headers = {}
    if sign_with:
        headers["HTTP_CALENDLY_WEBHOOK_SIGNATURE"] = signature.sign(sign_with, body, int(time.time()))
    elif header is not None:
        headers["HTTP_CALENDLY_WEBHOOK_SIGNATURE"] = header.replace("\x00", "").replace("\n", "")
    response = client.post("/webhooks/calendly/", body, content_type="application/json", **headers)
    # Never over 64 KiB, so never 413. A signature checks out only when signed (with a key
    # nobody subscribed with, but a body is read before the key is looked for): then no
    # drawn body is a delivery (400); else the signature is missing, malformed or stale (403).
    assert response.status_code == (400 if sign_with else 403), response.content
    assert response.json()["detail"]


@pytest.mark.django_db
@FUZZ
@given(params=query(code=garbage, state=garbage, error=garbage, error_description=garbage))
def test_oauth_callback(world, client, closed_calendly, settings, params):
    settings.RATE_LIMIT_OAUTH_CALLBACK = "100000/m"  # the flood is test_brute_force's business
    response = client.get("/accounts/calendly/login/callback/", no_nul(params))
    assert response.status_code == 302, response.status_code  # home, with a message
