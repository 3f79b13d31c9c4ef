"""CSRF and sessions: every state change is a POST that needs a CSRF token (the webhook
receiver, signed by Calendly, is the one exemption); cookies are Secure, HttpOnly and
SameSite in production; signing out ends the session on the server; an OAuth callback
only completes in the browser session that started it."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from accounts.models import CalendlyCredential
from availability.models import SyncRun
from tests.accounts.oauth_flow import callback_path, consent, start_sign_in
from tests.hardening.routes import all_routes
from tests.hardening.test_isolation import CASES
from tests.workers import PROJECT_ROOT

CSRF_EXEMPT = {"webhooks:calendly"}  # Calendly signs deliveries (webhooks/signature.py)
# Routes whose POST changes something: a session, a sync, a connection, a delivery.
# Each state-changing route and what a GET of it answers: our views refuse it (405);
# allauth's sign-out and sign-in answer with the page whose form POSTs (200).
STATE_CHANGING = {
    "dashboard:sync_now": 405,
    "disconnect_calendly": 405,
    "account_logout": 200,
    "calendly_login": 200,
    "webhooks:calendly": 405,
}


def csrf_client(world, viewer: str = "a_member") -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world[viewer].credential.user)
    return client


def state(world) -> tuple:
    return (
        SyncRun.objects.count(),
        CalendlyCredential.objects.count(),
        Session.objects.count(),
    )


def test_only_the_signed_webhook_receiver_is_exempt_from_csrf():
    exempt = {r.key for r in all_routes() if getattr(r.callback, "csrf_exempt", False)}
    assert exempt == CSRF_EXEMPT


def test_a_post_without_a_csrf_token_is_refused_on_every_route(world, closed_calendly):
    client = csrf_client(world)
    for route in all_routes():
        if route.key in CSRF_EXEMPT:
            continue
        before = state(world)
        response = client.post(CASES[route.key].path(world, "a_member"))
        assert response.status_code == 403, (route.key, response.status_code)
        assert b"CSRF" in response.content, route.key
        assert state(world) == before, route.key


def test_state_changes_need_a_post(world, closed_calendly):
    """GET on a state-changing route changes nothing (405, or allauth's confirmation page)."""
    client = csrf_client(world)
    for key in sorted(STATE_CHANGING):
        before = state(world)
        response = client.get(CASES[key].path(world, "a_member"))
        assert response.status_code == STATE_CHANGING[key], (key, response.status_code)
        assert state(world) == before, key
        assert client.get("/week/").status_code == 200, f"GET {key} signed the viewer out"


def test_every_other_view_of_ours_answers_only_get(world):
    """A view that is not declared state-changing refuses POST even with a valid token."""
    client = csrf_client(world)
    token = client.get("/week/").cookies["csrftoken"].value
    for route in all_routes():
        if route.key in STATE_CHANGING or not route.ours:
            continue
        path = CASES[route.key].path(world, "a_member")
        response = client.post(path, HTTP_X_CSRFTOKEN=token)
        assert response.status_code == 405, (route.key, response.status_code)


def test_a_post_with_the_pages_token_goes_through(world):
    client = csrf_client(world)
    page = client.get("/week/").content.decode()
    token = page.split('"X-CSRFToken": "', 1)[1].split('"', 1)[0]  # hx-headers on <body>
    response = client.post("/sync/", HTTP_X_CSRFTOKEN=token, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert SyncRun.objects.filter(subject_uri=world["a_member"].user.uri).exists()


# --- Cookies ------------------------------------------------------------------------------

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "dashboard.example.com",
    "TOKEN_ENCRYPTION_KEYS": "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdCE=",
}
SHOW = (
    "from django.conf import settings as s; import json; print(json.dumps({n: getattr(s, n) "
    "for n in ('SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE', "
    "'CSRF_COOKIE_SECURE', 'CSRF_COOKIE_HTTPONLY', 'CSRF_COOKIE_SAMESITE', 'DEBUG')}))"
)


def test_production_settings_make_every_cookie_secure_httponly_and_samesite(tmp_path):
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SHOW],
        cwd=PROJECT_ROOT,
        env={**keep, **PRODUCTION_ENV, "VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    shown = json.loads(done.stdout.strip().splitlines()[-1])
    assert shown == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "DEBUG": False,
    }


def test_the_cookies_sent_carry_the_flags(world, closed_calendly):
    """As set on real answers (the suite runs with production's DEBUG off): the session,
    CSRF and messages cookies."""
    client = csrf_client(world)
    sent = dict(client.get("/week/?tz=Europe/Paris").cookies)  # session changed, CSRF set
    token = sent["csrftoken"].value
    sent |= dict(client.post("/settings/connection/disconnect/", HTTP_X_CSRFTOKEN=token).cookies)
    assert {"sessionid", "csrftoken", "messages"} <= set(sent)
    for name, morsel in sent.items():
        assert morsel["secure"] and morsel["httponly"], name
        assert morsel["samesite"] == "Lax", name


# --- Signing out --------------------------------------------------------------------------


def test_signing_out_ends_the_session_on_the_server(world):
    client = csrf_client(world)
    token = client.get("/week/").cookies["csrftoken"].value
    old_key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=old_key).exists()
    response = client.post("/accounts/logout/", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=old_key).exists()
    replay = Client()
    replay.cookies["sessionid"] = old_key  # a copy of the cookie taken before signing out
    answer = replay.get("/week/")
    assert answer.status_code == 302 and answer["Location"].startswith("/?next=")
    # The other people's sessions are untouched.
    assert world["a_admin"].client.get("/week/").status_code == 200


# --- The OAuth callback belongs to the session that started sign-in ----------------------


@pytest.mark.django_db
def test_a_callback_carried_to_another_browser_signs_no_one_in(calendly):
    victim, attacker = Client(), Client()
    location = consent(start_sign_in(victim), "ana@acme.example")
    stolen = callback_path(location)
    answer = attacker.get(stolen)  # the code and state, in a session that never asked
    assert answer.status_code == 302
    assert attacker.get("/week/").status_code == 302  # not signed in
    assert not CalendlyCredential.objects.exists()
    # The code was not spent by the attempt: the browser that asked completes sign-in.
    assert victim.get(stolen).status_code == 302
    assert victim.get("/week/").status_code == 200
    assert CalendlyCredential.objects.count() == 1
    # And a replay of the same callback, even in that browser, adds nothing.
    victim.get(stolen)
    assert CalendlyCredential.objects.count() == 1
