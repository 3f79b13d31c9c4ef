"""The management commands: runsandbox's flags and clean stop, and the scripts' helpers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import requests

from sandbox.seed import DEMO_MEMBER_EMAIL
from tests.sandbox.helpers import window
from tests.sandbox_process import PROJECT_ROOT, running_sandbox


def manage(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=PROJECT_ROOT,
                          env=dict(os.environ), capture_output=True, text=True, timeout=60,
                          check=False)


def test_sandbox_token_prints_a_usable_access_token(sandbox):
    done = manage("sandbox_token", DEMO_MEMBER_EMAIL, "--url", sandbox.url)
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    me = requests.get(f"{sandbox.url}/users/me", headers=sandbox.auth(token), timeout=5)
    assert me.json()["resource"]["email"] == DEMO_MEMBER_EMAIL
    unknown = manage("sandbox_token", "nobody@nowhere.example", "--url", sandbox.url)
    assert unknown.returncode != 0 and "no seeded user" in unknown.stderr


def test_flags_public_url_client_and_book_cancel_commands():
    with running_sandbox(public_url="https://calendly.proxy.test", client_id="flag-client",
                         client_secret="s", redirect_uri=["http://127.0.0.1:9/cb"],
                         latency_ms=1) as server:
        token = server.mint_token(DEMO_MEMBER_EMAIL)
        assert token["owner"].startswith("https://calendly.proxy.test/users/")
        me = requests.get(f"{server.url}/users/me", headers=server.auth(token["access_token"]),
                          timeout=5).json()["resource"]
        assert me["scheduling_url"].startswith("https://calendly.proxy.test/")
        page = requests.get(f"{server.url}/oauth/authorize", timeout=5, params={
            "client_id": "flag-client", "response_type": "code",
            "redirect_uri": "http://127.0.0.1:9/cb"})
        assert page.status_code == 200
        assert server.control("GET", "/config")["latency_ms"] == 1

        event_type = next(e for e in server.dump()["event_types"]
                          if e["profile"]["owner"] == me["uri"] and e["duration"] == 30)
        booked = manage("sandbox_book", event_type["uri"], "--url", server.url,
                        f"--token={token['access_token']}", "--email", "dora@guests.example")
        assert booked.returncode == 0, booked.stderr
        event_uri = booked.stdout.split()[1]
        canceled = manage("sandbox_cancel", event_uri, "--url", server.url)
        assert canceled.returncode == 0, canceled.stderr
        event = next(e for e in server.dump()["scheduled_events"] if e["uri"] == event_uri)
        assert event["status"] == "canceled"


def test_sigterm_stops_the_server_cleanly():
    with running_sandbox() as server:
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=10) == 0
        try:
            requests.get(f"{server.url}/_sandbox/health", timeout=1)
            reachable = True
        except requests.ConnectionError:
            reachable = False
        assert not reachable


def test_busy_times_window_helper_matches_the_seven_day_rule(sandbox, member):
    assert member.get("/user_busy_times", user=member.uri, **window(days=7)).status_code == 200
