"""Syncs run by real worker processes through the real broker (Redis when REDIS_URL is set,
else the embedded filesystem broker), against the sandbox; one worker is SIGKILLed mid-run."""

from __future__ import annotations

import os
import signal
from collections import Counter

import pytest
from django.conf import settings

from availability.models import AvailableSlot, SyncRun
from sandbox.seed import DEMO_ADMIN_EMAIL, DEMO_OWNER_EMAIL
from sync import runs, tasks, windows
from tests.availability import expected as x
from tests.availability.conftest import worker_env
from tests.workers import running_worker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
FINAL = (SyncRun.Status.SUCCEEDED, SyncRun.Status.PARTIAL, SyncRun.Status.FAILED)


def finished_run(kind: str, subject: str, after: int = 0) -> SyncRun | None:
    return (
        SyncRun.objects.filter(kind=kind, subject_uri=subject, status__in=FINAL, pk__gt=after)
        .order_by("-pk")
        .first()
    )


def test_a_worker_syncs_a_user_on_request(calendly, connect):
    owner = connect(DEMO_OWNER_EMAIL)
    with running_worker(concurrency=2, extra_env=worker_env(settings), name="sync-user"):
        queued = tasks.request_user_sync(owner.pk)
        assert queued.status == SyncRun.Status.QUEUED
        run = wait_for(
            lambda: finished_run("user", owner.calendly_user_uri),
            90,
            what="the user sync to finish",
        )
    assert run.pk == queued.pk and run.status == SyncRun.Status.SUCCEEDED, run.error
    assert run.trigger == "manual" and run.api_calls > 0
    x.assert_busy_matches(calendly, run, [owner.calendly_user_uri])
    assert AvailableSlot.objects.exists()


def test_an_organization_sync_fans_out_across_workers_with_the_fewest_requests(
    calendly, connect, settings
):
    settings.SYNC_MEMBERS_PER_TASK = 3  # 8 members: three batches for three processes
    admin = connect(DEMO_ADMIN_EMAIL)
    assert runs.sync_user(admin.pk).status == SyncRun.Status.SUCCEEDED
    org = admin.organization_uri
    calendly.reset_stats()
    with running_worker(concurrency=3, extra_env=worker_env(settings), name="sync-org"):
        tasks.request_organization_sync(org)
        run = wait_for(
            lambda: finished_run("organization", org), 120, what="the organization sync to finish"
        )
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    dump = calendly.dump()
    people = [ms["user"]["uri"] for ms in x.members(dump, org)]
    window_count = len(windows.sync_windows())
    events = x.active_events(dump, run, set(people), settings.SYNC_HORIZON_DAYS)
    fewest = (
        x.pages(len(people))
        + x.pages(len(x.org_event_types(dump, org)))
        + x.pages(len(events))  # the names of the organization's booked events, in one walk
        # Every member but the admin, whom their own sync just read with their own token.
        + (len(people) - 1) * (1 + window_count)
        + x.hosts_pages(x.org_event_types(dump, org))  # each team event type's hosts
        + 1  # the organization's name
        + x.structure_requests(dump, org, teams_due=True)  # groups, teams, members' teams
    )
    assert calendly.stats()["api_total"] == fewest == run.api_calls
    assert x.group_rows(org) == x.expected_groups(dump, org)
    assert x.team_rows(org) == x.expected_teams(dump, org)
    assert run.progress_done == run.progress_total
    assert x.membership_rows(org) == x.expected_memberships(dump, org)
    assert x.schedule_rows(people) == x.expected_schedules(dump, people)
    x.assert_busy_matches(calendly, run, people)


def test_a_run_whose_worker_was_killed_is_taken_over_by_the_next(calendly, connect):
    owner = connect(DEMO_OWNER_EMAIL)
    me = owner.calendly_user_uri
    calendly.configure(latency_ms=150)  # one request at a time: a run of several seconds
    slow = {**worker_env(settings), "SYNC_THREADS": "1"}
    with running_worker(concurrency=1, extra_env=slow, name="doomed") as doomed:
        tasks.request_user_sync(owner.pk)
        wait_for(
            lambda: SyncRun.objects.filter(
                subject_uri=me, status="running", progress_done__gte=4
            ).exists(),
            60,
            what="the run to be under way",
        )
        os.killpg(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=10)
    dead = SyncRun.objects.get(subject_uri=me, status="running")
    calendly.configure(latency_ms=0)
    with running_worker(concurrency=2, extra_env=worker_env(settings), name="heir"):
        tasks.request_user_sync(owner.pk)
        run = wait_for(
            lambda: finished_run("user", me, after=dead.pk), 90, what="the next run to finish"
        )
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    dead.refresh_from_db()
    assert dead.status == SyncRun.Status.FAILED and "took over" in dead.error
    x.assert_busy_matches(calendly, run, [me])
    slots = Counter(AvailableSlot.objects.values_list("event_type", "start"))
    assert slots and max(slots.values()) == 1
