"""The OAuth server over real HTTP: the browser flow through the consent page, PKCE,
token rotation and revocation, the per-user limit of token requests, and every negative
case the issue names."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from sandbox.seed import DEMO_MEMBER_EMAIL, DEMO_OWNER_EMAIL
from sandbox.tokens import CONTROL_CLIENT_ID
from tests.sandbox_process import wait_for

WEB = {"client_id": "web-client", "client_secret": "web-secret",
       "redirect_uris": ["http://127.0.0.1:8000/accounts/calendly/login/callback/"]}
NATIVE = {"client_id": "native-client", "client_secret": None,
          "redirect_uris": ["com.example.app://auth/calendly"]}
TOKEN_FIELDS = {"token_type", "access_token", "refresh_token", "scope", "created_at",
                "expires_in", "owner", "organization"}


@pytest.fixture
def clients(sandbox):
    sandbox.register_client(**WEB)
    sandbox.register_client(**NATIVE)
    return sandbox


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


def authorize_query(client: dict, challenge: str | None, **extra: str) -> dict[str, str]:
    query = {"client_id": client["client_id"], "response_type": "code",
             "redirect_uri": client["redirect_uris"][0], "state": "st-123"}
    if challenge:
        query |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    return query | extra


def consent(sandbox, query: dict, button: str = "Allow", email: str = DEMO_MEMBER_EMAIL,
            typed: str = "") -> requests.Response:
    """What a person does: open the page, pick a user (or type one), click a button."""
    page = requests.get(f"{sandbox.url}/oauth/authorize", params=query, timeout=5)
    assert page.status_code == 200, page.text
    hidden = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', page.text))
    assert hidden["state"] == query["state"]
    form = {**hidden, "email": email, "email_typed": typed, button: button}
    return requests.post(f"{sandbox.url}/oauth/authorize", data=form, allow_redirects=False,
                         timeout=5)


def redirected(response: requests.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["Location"]).query).items()}


def token_request(sandbox, form: dict, client: dict | None = WEB,
                  secret: str | None = None) -> requests.Response:
    auth = (client["client_id"], secret or client["client_secret"]) \
        if client and client["client_secret"] else None
    return requests.post(f"{sandbox.url}/oauth/token", data=form, auth=auth, timeout=5)


def get_code(sandbox, client: dict = WEB, email: str = DEMO_MEMBER_EMAIL) -> tuple[str, str]:
    verifier, challenge = pkce()
    return redirected(consent(sandbox, authorize_query(client, challenge),
                              email=email))["code"], verifier


def exchange(sandbox, code: str, verifier: str | None, client: dict = WEB, **extra: str):
    form = {"grant_type": "authorization_code", "code": code,
            "redirect_uri": client["redirect_uris"][0], **extra}
    if verifier:
        form["code_verifier"] = verifier
    if not client["client_secret"]:
        form["client_id"] = client["client_id"]
    return token_request(sandbox, form, client)


def me(sandbox, token: str) -> requests.Response:
    return requests.get(f"{sandbox.url}/users/me", headers=sandbox.auth(token), timeout=5)


def test_consent_page_offers_seeded_users_and_two_buttons(clients):
    page = requests.get(f"{clients.url}/oauth/authorize", timeout=5,
                        params=authorize_query(WEB, pkce()[1]))
    assert '<select id="email" name="email">' in page.text and "Calendly user" in page.text
    assert 'name="email_typed"' in page.text and "or type an email" in page.text
    assert 'name="Allow"' in page.text and 'name="Deny"' in page.text
    assert DEMO_OWNER_EMAIL in page.text and "member@globex.example" in page.text


def test_web_client_full_flow(clients):
    code, verifier = get_code(clients)
    response = exchange(clients, code, verifier)
    body = response.json()
    assert response.status_code == 200 and set(body) == TOKEN_FIELDS, body
    assert body["token_type"] == "Bearer" and body["expires_in"] == 7200
    assert body["scope"] == "default" and abs(body["created_at"] - time.time()) < 60
    assert me(clients, body["access_token"]).json()["resource"]["uri"] == body["owner"]
    assert response.headers["Cache-Control"] == "no-store"


def test_typed_email_wins_and_state_is_echoed(clients):
    verifier, challenge = pkce()
    query = authorize_query(WEB, challenge)
    code = redirected(consent(clients, query, typed=DEMO_OWNER_EMAIL))
    assert code["state"] == "st-123"
    token = exchange(clients, code["code"], verifier).json()["access_token"]
    assert me(clients, token).json()["resource"]["email"] == DEMO_OWNER_EMAIL


def test_unknown_typed_email_shows_the_page_again(clients):
    response = consent(clients, authorize_query(WEB, pkce()[1]), typed="nobody@nowhere.example")
    assert response.status_code == 400 and "No seeded user" in response.text


def test_deny_redirects_with_access_denied(clients):
    query = redirected(consent(clients, authorize_query(WEB, pkce()[1]), button="Deny"))
    assert query["error"] == "access_denied" and query["state"] == "st-123"


def test_wrong_redirect_uri_is_an_error_page_without_redirect(clients):
    for query in (authorize_query(WEB, None, redirect_uri="http://evil.example/cb"),
                  authorize_query(WEB, None, client_id="nope")):
        response = requests.get(f"{clients.url}/oauth/authorize", params=query,
                                allow_redirects=False, timeout=5)
        assert response.status_code == 400 and "Location" not in response.headers


def test_native_client_needs_s256(clients):
    for challenge, method in ((None, None), ("short", "S256"), (pkce()[1], "plain")):
        query = authorize_query(NATIVE, None)
        if challenge:
            query |= {"code_challenge": challenge, "code_challenge_method": method}
        response = requests.get(f"{clients.url}/oauth/authorize", params=query,
                                allow_redirects=False, timeout=5)
        assert redirected(response)["error"] == "invalid_request"
    code, verifier = get_code(clients, NATIVE)
    assert exchange(clients, code, verifier, NATIVE).status_code == 200


def test_unsupported_response_type(clients):
    response = requests.get(f"{clients.url}/oauth/authorize", allow_redirects=False, timeout=5,
                            params=authorize_query(WEB, None, response_type="token"))
    assert redirected(response)["error"] == "unsupported_response_type"


def test_pkce_verifier_missing_or_wrong(clients):
    code, verifier = get_code(clients)
    assert exchange(clients, code, None).json()["error"] == "invalid_grant"
    assert exchange(clients, code, pkce()[0]).json()["error"] == "invalid_grant"
    assert exchange(clients, code, verifier).status_code == 200


def test_reused_code_fails_and_voids_its_tokens(clients):
    code, verifier = get_code(clients)
    first = exchange(clients, code, verifier).json()
    again = exchange(clients, code, verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert clients.token_status(first["access_token"]) == "revoked"


def test_expired_code(clients):
    clients.configure(code_ttl=1, token_ttl=1)
    code, verifier = get_code(clients)
    # A token of the same lifetime minted after the code: once the sandbox's own clock calls
    # it expired, the code is too.
    later = clients.mint_token(DEMO_OWNER_EMAIL)["access_token"]
    wait_for(lambda: clients.token_status(later) == "expired", 10, 0.05, "the code to expire")
    assert exchange(clients, code, verifier).json()["error"] == "invalid_grant"


def test_redirect_uri_must_match_at_exchange(clients):
    code, verifier = get_code(clients)
    response = exchange(clients, code, verifier, redirect_uri="http://127.0.0.1:8000/other/")
    assert response.json()["error"] == "invalid_grant"


def test_wrong_client_secret(clients):
    code, verifier = get_code(clients)
    response = token_request(clients, {"grant_type": "authorization_code", "code": code,
                                       "redirect_uri": WEB["redirect_uris"][0],
                                       "code_verifier": verifier}, secret="wrong")
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    assert "WWW-Authenticate" in response.headers
    no_auth = requests.post(f"{clients.url}/oauth/token", timeout=5,
                            data={"grant_type": "authorization_code", "code": code,
                                  "client_id": WEB["client_id"]})
    assert no_auth.status_code == 401 and no_auth.json()["error"] == "invalid_client"


def test_grant_type_errors(clients):
    assert token_request(clients, {}).json()["error"] == "invalid_request"
    unsupported = token_request(clients, {"grant_type": "password"})
    assert unsupported.status_code == 400 and unsupported.json()["error"] == \
        "unsupported_grant_type"
    assert token_request(clients, {"grant_type": "authorization_code"}).json()["error"] == \
        "invalid_request"


def test_refresh_rotates_and_a_used_refresh_token_is_invalid_grant(clients):
    code, verifier = get_code(clients)
    first = exchange(clients, code, verifier).json()
    form = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    second = token_request(clients, form).json()
    assert set(second) == TOKEN_FIELDS and second["refresh_token"] != first["refresh_token"]
    assert me(clients, second["access_token"]).status_code == 200
    reused = token_request(clients, form)
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    assert clients.token_status(first["refresh_token"]) == "revoked"


def test_short_token_lifetime_then_refresh(clients):
    clients.configure(token_ttl=1)
    code, verifier = get_code(clients)
    tokens = exchange(clients, code, verifier).json()
    assert tokens["expires_in"] == 1
    wait_for(lambda: clients.token_status(tokens["access_token"]) == "expired", 10, 0.05,
             "the token to expire")
    assert me(clients, tokens["access_token"]).status_code == 401
    assert clients.token_status(tokens["access_token"]) == "expired"
    fresh = token_request(clients, {"grant_type": "refresh_token",
                                    "refresh_token": tokens["refresh_token"]}).json()
    assert me(clients, fresh["access_token"]).status_code == 200


def test_revoke_access_then_refresh_token(clients):
    code, verifier = get_code(clients)
    tokens = exchange(clients, code, verifier).json()
    revoke = requests.post(f"{clients.url}/oauth/revoke", auth=(WEB["client_id"],
                           WEB["client_secret"]), data={"token": tokens["access_token"]},
                           timeout=5)
    assert revoke.status_code == 200
    assert me(clients, tokens["access_token"]).status_code == 401
    assert clients.token_status(tokens["refresh_token"]) == "active"
    requests.post(f"{clients.url}/oauth/revoke", auth=(WEB["client_id"], WEB["client_secret"]),
                  data={"token": tokens["refresh_token"]}, timeout=5)
    assert clients.token_status(tokens["refresh_token"]) == "revoked"
    refreshed = token_request(clients, {"grant_type": "refresh_token",
                                        "refresh_token": tokens["refresh_token"]})
    assert refreshed.json()["error"] == "invalid_grant"
    unknown = requests.post(f"{clients.url}/oauth/revoke", data={"token": "nope"}, timeout=5,
                            auth=(WEB["client_id"], WEB["client_secret"]))
    assert unknown.status_code == 200
    bad_client = requests.post(f"{clients.url}/oauth/revoke", data={"token": "nope"}, timeout=5,
                               auth=(WEB["client_id"], "wrong"))
    assert bad_client.status_code == 401


def test_password_change_revokes_all_of_a_users_tokens(clients):
    minted = clients.mint_token(DEMO_OWNER_EMAIL)
    assert me(clients, minted["access_token"]).status_code == 200
    assert clients.revoke_user_tokens(DEMO_OWNER_EMAIL)["revoked"] >= 2
    assert me(clients, minted["access_token"]).status_code == 401
    assert clients.token_status(minted["refresh_token"]) == "revoked"
    assert clients.token_status("never-issued") == "unknown"


def test_token_requests_are_limited_per_user(clients):
    clients.configure(token_rate_limit_per_minute=2)
    code, verifier = get_code(clients)
    tokens = exchange(clients, code, verifier).json()  # the member's 1st
    refresh = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    tokens = token_request(clients, refresh).json()  # 2nd
    refresh["refresh_token"] = tokens["refresh_token"]
    limited = token_request(clients, refresh)
    assert limited.status_code == 429
    assert set(limited.json()) == {"error", "error_description"}
    assert limited.json()["error"] == "rate_limited"
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert limited.headers["Cache-Control"] == "no-store"
    assert clients.token_status(refresh["refresh_token"]) == "active"  # not used up

    code, verifier = get_code(clients)  # a code of the same user counts against them too
    assert exchange(clients, code, verifier).status_code == 429  # and retries early
    owner = get_code(clients, email=DEMO_OWNER_EMAIL)
    assert exchange(clients, *owner).status_code == 200  # another user: a window of their own
    unknown = token_request(clients, {"grant_type": "refresh_token", "refresh_token": "nope"})
    assert unknown.json()["error"] == "invalid_grant"  # names no user: not counted

    stats = clients.stats()
    assert stats["token_rate_limited"] == 2 and stats["token_early_retries"] == 1
    assert stats["rate_limited"] == 0 and stats["api_total"] == 0
    clients.reset_knobs()  # forgets the windows: the refused code and token still work
    assert exchange(clients, code, verifier).status_code == 200
    assert token_request(clients, refresh).status_code == 200


def test_token_rate_limit_is_off_by_default(clients):
    assert clients.configure()["token_rate_limit_per_minute"] == 0
    minted = clients.mint_token(DEMO_MEMBER_EMAIL)
    for _ in range(10):
        answer = requests.post(f"{clients.url}/oauth/token", timeout=5, data={
            "grant_type": "refresh_token", "refresh_token": minted["refresh_token"],
            "client_id": CONTROL_CLIENT_ID}).json()
        minted["refresh_token"] = answer["refresh_token"]  # a KeyError had it been refused
