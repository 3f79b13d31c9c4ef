"""Anonymous sign-in starts cannot fill the session table: POST /accounts/calendly/login/
is rate-limited per client address (RATE_LIMIT_SIGN_IN), and beat runs Django's
clearsessions (ops.clear_expired_sessions), which deletes the rows past their expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from config.celery_app import app
from ops.tasks import clear_expired_sessions
from tests.hardening.test_brute_force import fresh_network, fresh_rate, host
from tests.workers import running_worker

SIGN_IN = "/accounts/calendly/login/"


@pytest.mark.django_db
def test_a_flood_of_sign_in_starts_is_answered_429_and_makes_no_more_sessions(client, settings):
    settings.RATE_LIMIT_SIGN_IN = fresh_rate(3)
    network = fresh_network()
    flooder, other = host(network), host(network, subnet=1)
    statuses, sessions = [], []
    for _ in range(8):
        client.cookies.clear()  # a flooder keeps no cookie: each start is a new session
        statuses.append(client.post(SIGN_IN, REMOTE_ADDR=flooder).status_code)
        sessions.append(Session.objects.count())
    assert statuses == [302] * 3 + [429] * 5  # off to Calendly's authorize page, then refused
    assert sessions[:3] == [1, 2, 3]
    assert sessions[3:] == [3] * 5  # a refused start writes no session row
    client.cookies.clear()
    assert client.post(SIGN_IN, REMOTE_ADDR=other).status_code == 302
    assert client.get("/healthz", REMOTE_ADDR=flooder).status_code == 200


def session(expires_in: timedelta) -> str:
    store = SessionStore()
    store["started"] = "sign-in"
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() + expires_in
    )
    return store.session_key


def test_beat_runs_clearsessions():
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values()
               if e["task"] == "ops.clear_expired_sessions"]
    assert len(entries) == 1
    assert 0 < entries[0]["schedule"] <= 24 * 3600
    assert app.tasks["ops.clear_expired_sessions"].name == clear_expired_sessions.name


@pytest.mark.django_db(transaction=True)
def test_the_task_on_a_worker_deletes_expired_sessions_only():
    expired = session(-timedelta(seconds=1))
    long_expired = session(-timedelta(days=30))
    live = session(timedelta(days=1))
    with running_worker(concurrency=1, name="sessions"):
        # By name, as beat sends it: the worker found ops/tasks.py itself.
        result = app.send_task("ops.clear_expired_sessions", expires=60)
        assert result.get(timeout=40) == "cleared"
    left = set(Session.objects.values_list("session_key", flat=True))
    assert live in left
    assert not {expired, long_expired} & left
