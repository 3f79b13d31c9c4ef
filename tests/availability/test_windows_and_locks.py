"""Sync windows, window ownership, and the run lock (claim, refuse, take over)."""

import os
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from availability.models import SyncRun
from sync import lifecycle
from sync.windows import Window, plan_windows

T0 = datetime(2030, 3, 4, 10, 0, tzinfo=UTC)


def test_windows_cover_the_horizon_in_chunks_of_at_most_the_window():
    windows = plan_windows(T0, horizon_days=28, window_days=7)
    assert [(w.start, w.end) for w in windows] == [
        (T0 + timedelta(days=7 * i), T0 + timedelta(days=7 * (i + 1))) for i in range(4)
    ]
    assert [w.first for w in windows] == [True, False, False, False]
    assert [w.last for w in windows] == [False, False, False, True]


def test_a_shorter_last_window_and_a_single_window():
    windows = plan_windows(T0, horizon_days=10, window_days=7)
    assert [w.end - w.start for w in windows] == [timedelta(days=7), timedelta(days=3)]
    (only,) = plan_windows(T0, horizon_days=5, window_days=7)
    assert only.first and only.last and only.end == T0 + timedelta(days=5)


def test_window_ownership_leaves_no_gap_and_no_overlap():
    windows = plan_windows(T0, horizon_days=21, window_days=7)
    for moment in (T0 - timedelta(days=3), T0, T0 + timedelta(days=7), T0 + timedelta(days=30)):
        assert sum(w.contains(moment) for w in windows) == 1
    middle = Window(T0, T0 + timedelta(days=7))
    assert middle.contains(T0) and not middle.contains(T0 + timedelta(days=7))


SUBJECT = "https://api.calendly.com/users/LOCK"


@pytest.mark.django_db
def test_claim_refuses_a_second_run_while_the_first_lives():
    first = lifecycle.claim("user", SUBJECT)
    assert first is not None and first.status == SyncRun.Status.RUNNING
    assert lifecycle.claim("user", SUBJECT) is None
    assert lifecycle.claim("user", SUBJECT + "-other") is not None
    assert lifecycle.finish(first, SyncRun.Status.SUCCEEDED)
    assert lifecycle.claim("user", SUBJECT) is not None


@pytest.mark.django_db
def test_a_run_whose_lease_ran_out_is_taken_over(settings):
    settings.SYNC_LEASE_SECONDS = 60
    stale = lifecycle.claim("user", SUBJECT)
    SyncRun.objects.filter(pk=stale.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=61))
    fresh = lifecycle.claim("user", SUBJECT)
    assert fresh is not None and fresh.pk != stale.pk
    stale.refresh_from_db()
    assert stale.status == SyncRun.Status.FAILED and "took over" in stale.error
    assert not lifecycle.finish(stale, SyncRun.Status.SUCCEEDED)  # the dead run cannot end it now


@pytest.mark.django_db
def test_a_run_whose_worker_process_is_gone_is_taken_over_at_once():
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = lifecycle.claim("user", SUBJECT)
    SyncRun.objects.filter(pk=dead.pk).update(
        worker=f"{socket.gethostname()}:{gone.stdout.strip()}"
    )
    assert lifecycle.claim("user", SUBJECT) is not None
    alive = lifecycle.claim("user", SUBJECT + "/2")
    SyncRun.objects.filter(pk=alive.pk).update(worker=f"{socket.gethostname()}:{os.getppid()}")
    assert lifecycle.claim("user", SUBJECT + "/2") is None


@pytest.mark.django_db
def test_a_queued_request_is_the_run_that_starts_and_refusal_ends_it():
    queued, created = lifecycle.request("user", SUBJECT, credential_id=None, trigger="manual")
    assert created
    assert lifecycle.request("user", SUBJECT, credential_id=None, trigger="manual") == (
        queued,
        False,
    )
    run = lifecycle.claim("user", SUBJECT)
    assert run.pk == queued.pk and run.trigger == "manual"
    assert lifecycle.request("user", SUBJECT, credential_id=None, trigger="manual") == (
        run,
        False,
    )
    lifecycle.finish(run, SyncRun.Status.SUCCEEDED)
    again, created = lifecycle.request(
        "organization", SUBJECT, credential_id=None, trigger="manual"
    )
    assert created
    refused = lifecycle.refuse("organization", SUBJECT, "no admin")
    assert refused.pk == again.pk and refused.status == SyncRun.Status.FAILED


@pytest.mark.django_db
def test_beat_counts_and_reports_a_lost_run():
    run = lifecycle.claim("user", SUBJECT)
    assert lifecycle.beat(run.pk, api_calls=3, progress_done=1)
    run.refresh_from_db()
    assert (run.api_calls, run.progress_done) == (3, 1)
    lifecycle.finish(run, SyncRun.Status.FAILED, "x")
    assert not lifecycle.beat(run.pk)
