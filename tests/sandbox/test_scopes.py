"""Scopes (api-2026.md §1): every API route the sandbox serves enforces the scope
sandbox/scopes.py names for it, with Calendly's 403 body; `:write` brings its `:read`;
legacy clients keep full access; tokens and the token response carry the client's grant.

The route list comes from the server itself, so a route added later is covered here (and
fails here if nobody gave it a scope)."""

from __future__ import annotations

import re

import pytest
import requests

from sandbox.scopes import ALL_SCOPES, REQUIRED, SCOPE_NAME
from sandbox.seed import DEMO_MEMBER_EMAIL, DEMO_OWNER_EMAIL
from sandbox.server import API_ROUTES, route_template
from tests.sandbox.helpers import window
from tests.sandbox.test_oauth import (
    WEB,
    authorize_query,
    consent,
    exchange,
    pkce,
    redirected,
    token_request,
)
from tests.sandbox_process import SandboxError, running_sandbox

INSUFFICIENT = {"title": "Insufficient scope",
                "message": "This operation requires the scopes listed in the 'required_scopes' "
                           "array."}
# A placeholder for every {name} of a route: the scope check answers before any lookup.
PLACEHOLDER = "AAAAAAAAAAAAAAAA"


def served_routes() -> list[str]:
    """'METHOD /route/{template}' for each API rule the server registers."""
    return sorted({f"{method} {route_template(path)}" for path, methods, _ in API_ROUTES
                   for method in methods})


SERVED = served_routes()


def call(sandbox, token: str, route: str) -> requests.Response:
    method, template = route.split(" ", 1)
    path = re.sub(r"\{[^}]+\}", PLACEHOLDER, template)
    return requests.request(method, f"{sandbox.url}{path}", headers=sandbox.auth(token),
                            json={} if method == "POST" else None, timeout=10)


def token_with(sandbox, scopes: list[str] | str, email: str = DEMO_OWNER_EMAIL) -> str:
    return sandbox.mint_token(email, scopes=scopes)["access_token"]


def assert_insufficient(response: requests.Response, required: tuple[str, ...]) -> None:
    assert response.status_code == 403, (response.request.url, response.text)
    body = response.json()
    assert set(body) == {"title", "message", "required_scopes"}, body
    assert {k: body[k] for k in ("title", "message")} == INSUFFICIENT
    assert isinstance(body["required_scopes"], list) and body["required_scopes"]
    assert all(isinstance(s, str) and SCOPE_NAME.match(s) for s in body["required_scopes"])
    assert body["required_scopes"] == list(required)


def not_a_scope_refusal(response: requests.Response) -> bool:
    return not (response.status_code == 403
                and response.json().get("title") == "Insufficient scope")


def test_every_served_api_route_has_a_scope():
    assert SERVED, "the server registers no API route"
    assert [route for route in SERVED if route not in REQUIRED] == []
    assert all(SCOPE_NAME.match(s) for scopes in REQUIRED.values() for s in scopes)


@pytest.mark.parametrize("route", SERVED)
def test_route_refuses_a_token_without_its_scope(sandbox, route):
    needed = REQUIRED[route]
    assert_insufficient(call(sandbox, token_with(sandbox, ""), route), needed)
    others = [s for s in ALL_SCOPES if s not in needed
              and s.replace(":write", ":read") not in needed]
    assert_insufficient(call(sandbox, token_with(sandbox, others), route), needed)


@pytest.mark.parametrize("route", SERVED)
def test_route_accepts_each_of_its_scopes_and_their_write(sandbox, route):
    for scope in REQUIRED[route]:
        grants = [scope] + ([scope.replace(":read", ":write")] if scope.endswith(":read") else [])
        for grant in grants:
            response = call(sandbox, token_with(sandbox, [grant]), route)
            assert not_a_scope_refusal(response), (route, grant, response.text)


def test_write_scope_implies_its_read(sandbox, owner):
    token = token_with(sandbox, ["webhooks:write"])
    listed = requests.get(f"{sandbox.url}/webhook_subscriptions", headers=sandbox.auth(token),
                          params={"organization": owner.org, "scope": "organization"}, timeout=5)
    assert listed.status_code == 200, listed.text
    # and nothing beyond its own domain
    assert_insufficient(requests.get(f"{sandbox.url}/users/me", headers=sandbox.auth(token),
                                     timeout=5), ("users:read",))


@pytest.mark.parametrize("scope", ["availability:read", "event_types:read"])
def test_available_times_accept_either_scope(sandbox, member, scope):
    event_type = next(e for e in sandbox.dump()["event_types"]
                      if member.uri in e["hosts"] and e["active"])
    token = token_with(sandbox, [scope], DEMO_MEMBER_EMAIL)
    response = requests.get(f"{sandbox.url}/event_type_available_times",
                            headers=sandbox.auth(token), timeout=5,
                            params={"event_type": event_type["uri"], **window(days=7)})
    assert response.status_code == 200, response.text
    assert_insufficient(requests.get(f"{sandbox.url}/event_type_available_times",
                                     headers=sandbox.auth(token_with(sandbox, ["users:read"])),
                                     params={"event_type": event_type["uri"], **window(days=7)},
                                     timeout=5),
                        ("availability:read", "event_types:read"))


def test_granted_scope_answers_real_data(sandbox, member):
    token = token_with(sandbox, ["users:read"], DEMO_MEMBER_EMAIL)
    me = requests.get(f"{sandbox.url}/users/me", headers=sandbox.auth(token), timeout=5)
    assert me.status_code == 200 and me.json()["resource"]["uri"] == member.uri


@pytest.mark.parametrize("route", SERVED)
def test_legacy_token_has_full_access(sandbox, route):
    legacy = sandbox.mint_token(DEMO_OWNER_EMAIL)
    assert legacy["scope"] == "default"
    assert not_a_scope_refusal(call(sandbox, legacy["access_token"], route))


def test_scope_is_checked_after_authentication_and_before_the_rate_limit(sandbox):
    bad = requests.get(f"{sandbox.url}/users/me", headers=sandbox.auth("no-such-token"),
                       timeout=5)
    assert bad.status_code == 401
    sandbox.configure(rate_limit_per_minute=1)
    token = token_with(sandbox, ["event_types:read"])
    for _ in range(3):  # refused calls spend no budget and never turn into 429s
        assert_insufficient(call(sandbox, token, "GET /users/me"), ("users:read",))
    assert call(sandbox, token, "GET /event_types").status_code != 429


def test_a_queued_fault_waits_for_a_request_that_passes_the_scope_check(sandbox):
    sandbox.fault("/users/me", "non_json")
    refused = token_with(sandbox, ["event_types:read"])
    assert_insufficient(call(sandbox, refused, "GET /users/me"), ("users:read",))
    allowed = call(sandbox, token_with(sandbox, ["users:read"]), "GET /users/me")
    assert allowed.headers["Content-Type"].startswith("text/html")


# --- clients, tokens and the token response ----------------------------------------
SCOPED = {**WEB, "client_id": "scoped-web-client"}


def test_token_response_lists_the_clients_scopes_through_grant_and_refresh(sandbox):
    registered = sandbox.register_client(**SCOPED, scopes="users:read availability:read")
    assert registered["scopes"] == ["availability:read", "users:read"]
    verifier, challenge = pkce()
    code = redirected(consent(sandbox, authorize_query(SCOPED, challenge)))["code"]
    body = exchange(sandbox, code, verifier, SCOPED).json()
    assert body["scope"] == "availability:read users:read", body
    assert call(sandbox, body["access_token"], "GET /users/me").status_code == 200
    assert_insufficient(call(sandbox, body["access_token"], "GET /event_types"),
                        ("event_types:read",))
    refreshed = token_request(sandbox, {"grant_type": "refresh_token",
                                        "refresh_token": body["refresh_token"]}, SCOPED).json()
    assert refreshed["scope"] == "availability:read users:read", refreshed
    assert_insufficient(call(sandbox, refreshed["access_token"], "GET /event_types"),
                        ("event_types:read",))


def test_a_client_granted_nothing_gets_an_empty_scope_and_no_access(sandbox):
    sandbox.register_client(**SCOPED, scopes=[])
    verifier, challenge = pkce()
    code = redirected(consent(sandbox, authorize_query(SCOPED, challenge)))["code"]
    body = exchange(sandbox, code, verifier, SCOPED).json()
    assert body["scope"] == ""
    assert_insufficient(call(sandbox, body["access_token"], "GET /users/me"), ("users:read",))


def test_legacy_client_keeps_default_scope_and_full_access(sandbox):
    sandbox.register_client(**SCOPED, scopes=None)
    verifier, challenge = pkce()
    code = redirected(consent(sandbox, authorize_query(SCOPED, challenge)))["code"]
    body = exchange(sandbox, code, verifier, SCOPED).json()
    assert body["scope"] == "default"
    assert call(sandbox, body["access_token"], "GET /event_types").status_code != 403


def test_authorize_scope_parameter_narrows_or_is_refused(sandbox):
    sandbox.register_client(**SCOPED, scopes=["users:read", "availability:write"])
    verifier, challenge = pkce()
    query = authorize_query(SCOPED, challenge, scope="users:read")
    code = redirected(consent(sandbox, query))["code"]
    narrowed = exchange(sandbox, code, verifier, SCOPED).json()
    assert narrowed["scope"] == "users:read"
    # availability:read comes with the granted availability:write
    query = authorize_query(SCOPED, challenge, scope="availability:read")
    assert "code" in redirected(consent(sandbox, query))
    for asked in ("event_types:read", "users:read nonsense"):
        refused = requests.get(f"{sandbox.url}/oauth/authorize", allow_redirects=False,
                               params=authorize_query(SCOPED, challenge, scope=asked), timeout=5)
        assert redirected(refused)["error"] == "invalid_scope", asked


def test_control_mint_carries_a_registered_clients_scopes(sandbox):
    sandbox.register_client(**SCOPED, scopes=["event_types:read"])
    minted = sandbox.mint_token(DEMO_OWNER_EMAIL, client_id=SCOPED["client_id"])
    assert minted["scope"] == "event_types:read"
    assert_insufficient(call(sandbox, minted["access_token"], "GET /users/me"), ("users:read",))
    with pytest.raises(SandboxError, match=r"^404: .*no registered client 'never-registered'") as unknown:
        sandbox.mint_token(DEMO_OWNER_EMAIL, client_id="never-registered")
    assert unknown.value.status == 404


@pytest.mark.parametrize("scopes", ["users:READ", ["users"], "users:read,:write", [1]])
def test_bad_scope_names_are_refused_clearly(sandbox, scopes):
    with pytest.raises(SandboxError, match=r"^400: .*(not a scope name|scopes must be names such as users:read)") as refused:
        sandbox.register_client(**SCOPED, scopes=scopes)
    assert refused.value.status == 400 and "scope" in str(refused.value)


def test_runsandbox_scopes_flag_and_legacy():
    redirect = ["http://127.0.0.1:9/cb"]
    with running_sandbox(client_id="flag-client", client_secret="s", redirect_uri=redirect,
                         scopes="users:read groups:read") as server:
        minted = server.mint_token(DEMO_MEMBER_EMAIL, client_id="flag-client")
        assert minted["scope"] == "groups:read users:read"
        assert_insufficient(call(server, minted["access_token"], "GET /event_types"),
                            ("event_types:read",))
    with running_sandbox(client_id="flag-client", client_secret="s", redirect_uri=redirect,
                         scopes="legacy") as server:
        minted = server.mint_token(DEMO_MEMBER_EMAIL, client_id="flag-client")
        assert minted["scope"] == "default"


def test_sandbox_client_command_registers_scopes_or_legacy(sandbox):
    from tests.sandbox.test_commands import manage

    base = ["sandbox_client", "--client-id", "cmd-client", "--client-secret", "s",
            "--redirect-uri", "http://127.0.0.1:9/cb", "--url", sandbox.url]
    done = manage(*base, "--scopes", "users:read")
    assert done.returncode == 0 and "(scopes: users:read)" in done.stdout, done.stderr
    assert sandbox.mint_token(DEMO_OWNER_EMAIL, client_id="cmd-client")["scope"] == "users:read"
    done = manage(*base, "--scopes", "legacy")
    assert done.returncode == 0 and "legacy, full access" in done.stdout, done.stderr
    assert sandbox.mint_token(DEMO_OWNER_EMAIL, client_id="cmd-client")["scope"] == "default"
    refused = manage(*base, "--scopes", "users")
    assert refused.returncode != 0 and "not a scope name" in refused.stderr


def test_sandbox_token_command_mints_a_token_of_given_scopes(sandbox):
    from tests.sandbox.test_commands import manage

    done = manage("sandbox_token", DEMO_OWNER_EMAIL, "--scopes", "users:read", "--url",
                  sandbox.url)
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    assert call(sandbox, token, "GET /users/me").status_code == 200
    assert_insufficient(call(sandbox, token, "GET /event_types"), ("event_types:read",))
