"""Knobs for tests and benchmarks, changed at run time: latency, rate limits (per token or
per user), injected 500s, stalls, malformed and 424 responses; and the request counters."""

from __future__ import annotations

import json
import time

import pytest
import requests

from sandbox.knobs import FAULT_KINDS
from sandbox.tokens import CONTROL_CLIENT_ID
from tests.sandbox.conftest import caller_for
from tests.sandbox.helpers import window
from tests.sandbox_process import SandboxError, wait_for


def test_added_latency(sandbox, member):
    sandbox.configure(latency_ms=300)
    started = time.monotonic()
    assert member.get("/users/me").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_rate_limit_per_token_with_headers_and_early_retries(sandbox, member, owner):
    sandbox.configure(rate_limit_per_minute=3)
    answers = [member.get("/users/me") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0].headers["X-RateLimit-Limit"] == "3"
    assert answers[2].headers["X-RateLimit-Remaining"] == "0"
    limited = answers[3]
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert int(limited.headers["X-RateLimit-Reset"]) == int(limited.headers["Retry-After"])
    assert limited.json()["title"] == "Too Many Requests"
    assert member.get("/users/me").status_code == 429  # too early: counted as an early retry
    assert owner.get("/users/me").status_code == 200  # another token has its own budget
    stats = sandbox.stats()
    assert stats["rate_limited"] == 2 and stats["early_retries"] == 1
    assert stats["per_token"][member.token] == 5


def test_injected_errors_have_the_spec_body(sandbox, member, check_response):
    sandbox.configure(error_rate=1.0)
    check_response(member.get("/users/me"), 500)
    check_response(member.get("/event_types", user=member.uri), 500)
    assert sandbox.stats()["injected_errors"] == 2
    sandbox.configure(error_rate=0)
    assert member.get("/users/me").status_code == 200


def test_stalled_responses(sandbox, member):
    sandbox.configure(stall_rate=1.0, stall_seconds=2)
    with pytest.raises(requests.Timeout, match=r"Read timed out"):
        requests.get(f"{sandbox.url}/users/me", headers=member.headers, timeout=0.5)
    assert sandbox.stats()["stalls"] == 1
    # The stalled answer is counted once its sleep ends: wait for it here, or it lands in
    # whichever test runs 2 s from now and spoils that test's totals.
    wait_for(lambda: sandbox.stats()["requests"].get("GET /users/me") == 1, 10,
             what="the stalled answer to be counted")


def test_unknown_or_bad_knobs_are_refused(sandbox):
    for bad in ({"no_such_knob": 1}, {"error_rate": 2}, {"latency_ms": "soon"}):
        response = requests.post(f"{sandbox.url}/_sandbox/config", json=bad, timeout=5)
        assert response.status_code == 400, bad


def test_requests_are_counted_per_method_and_path_template(sandbox, member):
    member.get("/users/me")
    member.get(member.uri)
    member.get(member.uri)
    member.get("/event_types", user=member.uri)
    stats = sandbox.stats()
    assert stats["requests"] == {"GET /users/me": 1, "GET /users/{uuid}": 2,
                                 "GET /event_types": 1}
    assert stats["total"] == 4 and stats["statuses"] == {"200": 4}
    assert sandbox.reset_stats()["total"] == 0


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_faults_make_the_next_responses_of_a_path_malformed(sandbox, member, kind):
    fields = {"role": "superadmin", "user.name": "Odd\u0000Name"} if kind == "override" else None
    sandbox.fault("/organization_memberships", kind, count=2, fields=fields)
    for _ in range(2):
        response = member.get("/organization_memberships", user=member.uri)
        assert response.status_code == 200
        if kind in ("non_json", "truncated"):
            with pytest.raises(json.JSONDecodeError, match=r"^(Expecting value|Unterminated string)"):
                json.loads(response.text)
            continue
        body = response.json()
        if kind == "huge_page":
            assert len(body["collection"]) > 1000
        elif kind == "invalid_timezone":
            assert body["collection"][0]["user"]["timezone"] == "Mars/Olympus_Mons"
        elif kind == "missing_fields":
            assert "pagination" not in body and "uri" not in body["collection"][0]
        elif kind == "override":
            record = body["collection"][0]
            assert record["role"] == "superadmin" and record["user"]["name"] == "Odd\u0000Name"
            assert record["user"]["email"] == member.email  # the rest as it was
        else:
            assert isinstance(body["collection"][0]["uri"], int)
    assert member.get("/organization_memberships", user=member.uri).json()["pagination"]
    assert sandbox.stats()["faults"] == 2


def test_fields_go_with_the_override_fault_and_only_with_it(sandbox):
    with pytest.raises(SandboxError, match="fields"):
        sandbox.fault("/event_types", "override")
    with pytest.raises(SandboxError, match="fields"):
        sandbox.fault("/event_types", "wrong_types", fields={"name": "x"})


def test_rate_limit_per_user_shares_one_window_across_tokens(sandbox, member, owner):
    sandbox.configure(rate_limit_per_minute=3, rate_limit_scope="user")
    second = caller_for(sandbox, member.email)  # the same person's other token
    assert [member.get("/users/me").status_code for _ in range(2)] == [200, 200]
    last = second.get("/users/me")
    assert last.status_code == 200 and last.headers["X-RateLimit-Remaining"] == "0"
    assert second.get("/users/me").status_code == 429  # told: reset in Retry-After
    assert member.get("/users/me").status_code == 429  # never told: not an early retry
    assert second.get("/users/me").status_code == 429  # told, retried early
    assert owner.get("/users/me").status_code == 200  # another user has their own window
    stats = sandbox.stats()
    assert stats["rate_limited"] == 3 and stats["early_retries"] == 1
    assert stats["per_token"] == {member.token: 3, second.token: 3, owner.token: 1}


def test_rate_limit_scope_defaults_to_token(sandbox):
    assert sandbox.configure()["rate_limit_scope"] == "token"
    with pytest.raises(SandboxError, match=r"^400: .*rate_limit_scope must be one of token, user"):
        sandbox.configure(rate_limit_scope="organization")


def test_external_calendar_fault_answers_the_specs_424(sandbox, member, owner, check_response):
    sandbox.fault("/user_busy_times", "external_calendar", count=1)
    check_response(member.get("/user_busy_times", user=owner.uri, **window()), 403)
    check_response(member.get("/user_busy_times", user=member.uri, **window(days=10)), 400)
    failed = check_response(member.get("/user_busy_times", user=member.uri, **window()), 424)
    assert failed.json() == {"title": "External Calendar Error",
                             "message": "There is a problem accessing your calendar."}
    check_response(member.get("/user_busy_times", user=member.uri, **window()), 200)
    assert sandbox.stats()["faults"] == 1


def test_external_calendar_fault_only_where_calendly_documents_it(sandbox):
    with pytest.raises(SandboxError, match=r"^400: .*external_calendar applies to /user_busy_times only") as refused:
        sandbox.fault("/event_type_available_times", "external_calendar")
    assert refused.value.status == 400


def test_totals_count_public_routes_and_never_control_calls(sandbox, member):
    minted = sandbox.mint_token(member.email)  # control calls: not counted
    sandbox.health(), sandbox.dump(), sandbox.configure(latency_ms=0)
    sandbox.token_status(member.token)
    member.get("/users/me")
    member.get("/nowhere")  # no route: not counted
    requests.post(f"{sandbox.url}/oauth/token", timeout=5, data={
        "grant_type": "refresh_token", "refresh_token": minted["refresh_token"],
        "client_id": CONTROL_CLIENT_ID}).raise_for_status()
    stats = sandbox.stats()
    assert stats["requests"] == {"GET /users/me": 1, "POST /oauth/token": 1}
    assert stats["total"] == 2 and stats["api_total"] == 1
    assert sum(stats["statuses"].values()) == stats["total"]
