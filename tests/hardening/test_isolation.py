"""Tenant isolation, route by route: every route of the URL configuration has a case here,
and each case is tried by an admin and a plain member of organization A, a plain member
and the owner of organization B, against every object id the URL or its query can carry.

Each answer must be one the viewer's role allows (the page, or 403/404), and its body,
headers included, must carry no name, email or event-type name of anyone the viewer may
not see. A route without a case fails `test_every_route_has_a_case`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import CalendlyCredential
from availability.models import SyncRun
from tests.hardening.conftest import PEOPLE, VIEWERS, World
from tests.hardening.routes import all_routes
from webhooks import signature
from webhooks.models import WebhookDelivery, WebhookSubscription

MISSING = "missing"  # an id no row has
TARGETS = (*PEOPLE, MISSING)


def member_id(world: World, target: str) -> int:
    return world[target].user.pk if target != MISSING else 10**9


def event_type_id(world: World, target: str) -> int:
    return world[target].event_type.pk if target != MISSING else 10**9


def tomorrow() -> str:
    return (timezone.now() + timedelta(days=1)).replace(microsecond=0).isoformat()


Expect = Callable[[World, str, str], set[int]]


def everyone(*statuses: int) -> Expect:
    return lambda world, viewer, target: set(statuses)


def if_visible(*statuses: int) -> Expect:
    """The target's data to whoever may see the target; 404 (never 403) to anyone else."""
    return lambda world, viewer, target: (
        set(statuses) if target != MISSING and world.may_see(viewer, target) else {404}
    )


def admins(*statuses: int) -> Expect:
    return lambda world, viewer, target: set(statuses) if world.is_admin(viewer) else {403}


@dataclass(frozen=True)
class Case:
    path: Callable[[World, str], str]
    expect: Expect
    method: str = "GET"
    targets: bool = False  # whether the URL carries an object id (then tried with each)


def fixed(path: str, expect: Expect, method: str = "GET") -> Case:
    return Case(lambda world, target: path, expect, method)


CASES: dict[str, Case] = {
    # --- pages and partials of the product
    "home": fixed("/", everyone(302)),
    "dashboard": Case(
        lambda w, t: f"/week/?event_type={event_type_id(w, t)}", everyone(200), targets=True
    ),
    "dashboard:week": Case(
        lambda w, t: f"/week/?event_type={event_type_id(w, t)}&week=2099-01-01",
        everyone(200),
        targets=True,
    ),
    "dashboard:member_week": Case(
        lambda w, t: reverse("dashboard:member_week", args=[member_id(w, t)])
        + f"?event_type={event_type_id(w, t)}",
        if_visible(200),
        targets=True,
    ),
    "dashboard:copy_times": Case(
        lambda w, t: f"/week/copy-times/?event_type={event_type_id(w, t)}&format=text",
        if_visible(200),
        targets=True,
    ),
    "dashboard:sync_now": fixed("/sync/", everyone(302), method="POST"),
    "dashboard:sync_progress": fixed("/sync/progress/", everyone(200)),
    "dashboard:team": fixed("/team/?show=not_connected", admins(200)),
    "dashboard:team_hours": fixed("/team/hours/?sort=free", admins(200)),
    # The export.
    "dashboard:team_hours_csv": fixed("/team/hours.csv", admins(200)),
    "dashboard:find_a_time": Case(
        lambda w, t: f"/team/find-a-time/?member={member_id(w, t)}&all=0&k=1",
        admins(200),
        targets=True,
    ),
    # The picker's search: every email of both organizations holds "example".
    "dashboard:find_a_time_members": Case(
        lambda w, t: f"/team/find-a-time/members/?member={member_id(w, t)}&q=example",
        admins(200),
        targets=True,
    ),
    # A found time's .ics: the target invited when the viewer administers their
    # organization; anyone else is no one, and a meeting of no one is a 400.
    "dashboard:find_a_time_invitation": Case(
        lambda w, t: (
            f"/team/find-a-time/invitation.ics?member={member_id(w, t)}&all=0"
            f"&duration=30&start={quote(tomorrow())}"
        ),
        lambda world, viewer, target: (
            {403}
            if not world.is_admin(viewer)
            else {200}
            if target != MISSING and world.may_see(viewer, target)
            else {400}
        ),
        targets=True,
    ),
    "connection_settings": fixed("/settings/connection/", everyone(200)),
    "disconnect_calendly": fixed("/settings/connection/disconnect/", everyone(302), "POST"),
    "webhooks:changes": Case(
        lambda w, t: reverse("webhooks:changes", args=[member_id(w, t)]) + "?v=0",
        if_visible(200, 204),
        targets=True,
    ),
    # Signed deliveries only; which organization's key opens which delivery is tried below.
    "webhooks:calendly": fixed("/webhooks/calendly/", everyone(403), method="POST"),
    # --- sign-in (allauth, with our Calendly provider)
    "calendly_login": fixed("/accounts/calendly/login/", everyone(302), method="POST"),
    "calendly_callback": fixed(
        "/accounts/calendly/login/callback/?code=stolen&state=forged", everyone(302)
    ),
    "account_logout": fixed("/accounts/logout/", everyone(302), method="POST"),
    # allauth's own pages: nothing of anyone's data; signed-in people are sent on.
    "account_login": fixed("/accounts/login/", everyone(302)),
    "account_inactive": fixed("/accounts/inactive/", everyone(200)),
    "socialaccount_login_cancelled": fixed("/accounts/3rdparty/login/cancelled/", everyone(200)),
    "socialaccount_login_error": fixed("/accounts/3rdparty/login/error/", everyone(401)),
    "socialaccount_signup": fixed("/accounts/3rdparty/signup/", everyone(302)),
    # Linking more accounts is off: a redirect to the connection settings (config/urls.py).
    "socialaccount_connections": fixed("/accounts/3rdparty/", everyone(302)),
    "accounts/social/login/cancelled/": fixed("/accounts/social/login/cancelled/", everyone(301)),
    "accounts/social/login/error/": fixed("/accounts/social/login/error/", everyone(301)),
    "accounts/social/signup/": fixed("/accounts/social/signup/", everyone(301)),
    "accounts/social/connections/": fixed("/accounts/social/connections/", everyone(301)),
}


def test_every_route_has_a_case():
    routes = {route.key for route in all_routes()}
    assert routes - set(CASES) == set(), "routes without an isolation case: add them to CASES"
    assert set(CASES) - routes == set(), "cases of routes that no longer exist"


def body_of(response) -> str:
    head = " ".join(f"{k}: {v}" for k, v in response.items())
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return head + "\n" + content.decode(errors="replace")


def assert_nothing_hidden(world: World, viewer: str, text: str, what: str) -> None:
    leaked = [word for word in world.hidden_words(viewer) if word in text]
    assert not leaked, f"{what}: {viewer} was shown {leaked}"


@pytest.mark.parametrize("key", sorted(CASES))
def test_each_viewer_sees_only_what_their_role_allows(key, world, closed_calendly):
    case = CASES[key]
    credentials_before = set(CalendlyCredential.objects.values_list("pk", flat=True))
    for viewer in VIEWERS:
        client = world[viewer].client
        for target in TARGETS if case.targets else (None,):
            path = case.path(world, target)
            response = client.generic(case.method, path)
            what = f"{case.method} {path} as {viewer}"
            allowed = case.expect(world, viewer, target)
            assert response.status_code in allowed, f"{what}: {response.status_code} not in {allowed}"
            assert_nothing_hidden(world, viewer, body_of(response), what)
    if key == "disconnect_calendly":  # each viewer disconnected themselves, nobody else
        gone = {world[v].credential.pk for v in VIEWERS}
        left = set(CalendlyCredential.objects.values_list("pk", flat=True))
        assert left == credentials_before - gone
    if key == "dashboard:sync_now":  # each viewer started a run of their own user only
        subjects = set(SyncRun.objects.values_list("subject_uri", flat=True))
        assert subjects == {world[v].user.uri for v in VIEWERS}


def test_what_admins_see_on_team_pages_is_their_own_organization(world):
    everyone = "&".join(f"member={p.user.pk}" for p in world.people.values())
    for viewer in ("a_admin", "b_owner"):
        client = world[viewer].client
        mates = [k for k in PEOPLE if PEOPLE[k][0] == PEOPLE[viewer][0]]
        # Find-a-time names the members picked (here everyone of both organizations: only
        # the viewer's own are shown), and those its search finds.
        picked = f"/team/find-a-time/?{everyone}"
        search = "/team/find-a-time/?q=example"
        for path in ("/team/", "/team/hours/", "/team/hours.csv", picked, search):
            text = body_of(client.get(path))
            assert all(world[k].user.name in text for k in mates), (viewer, path)
            assert_nothing_hidden(world, viewer, text, f"{path} as {viewer}")


# What a signed-out visitor is answered, where it is not the sign-in page with the way back.
SIGNED_OUT = {
    "home": (200, None),
    "webhooks:calendly": (403, None),
    "calendly_login": (302, "{auth}/oauth/authorize?"),
    "calendly_callback": (302, "/"),
    "account_logout": (302, "/"),
    "account_login": (200, None),
    "account_inactive": (200, None),
    "socialaccount_login_cancelled": (200, None),
    "socialaccount_login_error": (401, None),
    "socialaccount_signup": (302, "/accounts/login/"),
    "socialaccount_connections": (302, "/settings/connection/"),
    "accounts/social/login/cancelled/": (301, "/accounts/3rdparty/login/cancelled/"),
    "accounts/social/login/error/": (301, "/accounts/3rdparty/login/error/"),
    "accounts/social/signup/": (301, "/accounts/3rdparty/signup/"),
    "accounts/social/connections/": (301, "/accounts/3rdparty/"),
}


def test_a_signed_out_visitor_gets_no_ones_data(world, client, settings):
    for key, case in CASES.items():
        path = case.path(world, "a_member")
        response = client.generic(case.method, path)
        status, location = SIGNED_OUT.get(key, (302, "/?next=" + quote(path, safe="/")))
        assert response.status_code == status, (key, path)
        if location is None:
            assert "Location" not in response, (key, path)
        elif location.endswith("?"):  # Calendly's sign-in, its query made afresh each time
            expected = location.format(auth=settings.CALENDLY_AUTH_BASE_URL)
            assert response["Location"].startswith(expected), (key, path)
        else:
            assert response["Location"] == location, (key, path)
        text = body_of(response)
        for person in world.people.values():
            assert not [w for w in person.words if w in text], (key, path)


# --- Webhook deliveries: one organization's signing key opens nothing of another's --------

KEY_A, KEY_B = "signing-key-of-organization-a-0123456789", "signing-key-of-organization-b-987654"


def subscription(world: World, org: str, creator: str, key: str) -> WebhookSubscription:
    return WebhookSubscription.objects.create(
        uri=f"https://api.example/webhook_subscriptions/{org}",
        scope=WebhookSubscription.Scope.ORGANIZATION,
        organization_uri=world.orgs[org].uri,
        creator_uri=world[creator].user.uri,
        callback_url="https://dashboard.example.test/webhooks/calendly/",
        signing_key=key,
        state=WebhookSubscription.State.ACTIVE,
    )


def delivery(world: World, host: str, creator: str) -> bytes:
    return json.dumps(
        {
            "event": "invitee.created",
            "created_by": world[creator].user.uri,
            "payload": {
                "event": "https://api.example/scheduled_events/EV1",
                "scheduled_event": {
                    "uri": "https://api.example/scheduled_events/EV1",
                    "event_type": world[host].event_type.uri,
                    "start_time": "2099-01-05T10:00:00Z",
                    "end_time": "2099-01-05T10:30:00Z",
                    "event_memberships": [{"user": world[host].user.uri}],
                },
            },
        }
    ).encode()


def post_delivery(client, body: bytes, key: str):
    header = signature.sign(key, body, int(time.time()))
    return client.post(
        "/webhooks/calendly/",
        body,
        content_type="application/json",
        HTTP_CALENDLY_WEBHOOK_SIGNATURE=header,
    )


@pytest.mark.parametrize(
    ("host", "creator", "key", "accepted_by"),
    [
        ("a_member", "a_admin", KEY_A, "A"),  # A's delivery with A's key
        ("a_member", "a_admin", KEY_B, None),  # A's delivery signed with B's key
        ("b_member", "b_owner", KEY_A, None),  # B's delivery signed with A's key
        ("b_member", "b_owner", KEY_B, "B"),
        # A creator of B named on A's booking: only A's key (the host's organization) opens it.
        ("a_member", "b_owner", KEY_A, "A"),
        ("b_member", "a_admin", KEY_A, "A"),  # A's subscription made it (its creator): A's key
        ("b_member", "a_admin", KEY_B, "B"),
    ],
)
def test_a_delivery_opens_only_with_the_key_of_a_subscription_that_could_send_it(
    world, client, monkeypatch, host, creator, key, accepted_by
):
    from webhooks import tasks

    monkeypatch.setattr(tasks.handle_delivery, "delay", lambda *a: None)
    subscription(world, "A", "a_admin", KEY_A)
    subscription(world, "B", "b_owner", KEY_B)
    response = post_delivery(client, delivery(world, host, creator), key)
    if accepted_by:
        assert response.status_code == 202, response.content
        row = WebhookDelivery.objects.get()
        assert row.subscription.organization_uri == world.orgs[accepted_by].uri
    else:
        assert response.status_code == 403, response.content
        assert not WebhookDelivery.objects.exists()
    for person in world.people.values():
        assert not [w for w in person.words if w in response.content.decode()]
