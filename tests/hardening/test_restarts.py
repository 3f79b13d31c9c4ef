"""Restarts in the middle of an organization sync, on a private Redis (broker, results and
rate budget) and real workers:

- Redis killed and started again, empty, mid-run: the run in flight fails or dies, its queued
  batches are gone with Redis; the next scheduled attempt takes its lock over and stores
  exactly the sandbox's data.
- The worker SIGKILLed mid-run: its unacknowledged batches would come back only after
  Redis' visibility timeout (an hour); the next attempt takes over the dead run's lock
  once its lease runs out, and stores exactly the sandbox's data, each row once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

from availability.models import SyncRun
from sandbox.seed import DEMO_ADMIN_EMAIL
from sync import runs
from tests.availability import expected as x
from tests.availability.conftest import aim_at, store_credential, worker_env
from tests.availability.expected import assert_busy_matches
from tests.sandbox_process import free_port
from tests.workers import PROJECT_ROOT, process_env, running_process, running_worker, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
FINAL = (SyncRun.Status.SUCCEEDED, SyncRun.Status.PARTIAL, SyncRun.Status.FAILED)


@contextmanager
def private_redis(port: int) -> Iterator[subprocess.Popen]:
    log = Path(settings.VAR_DIR) / "logs" / f"redis-{port}-{time.monotonic_ns()}.log"
    args = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no"]
    with running_process(args, dict(os.environ), log) as proc:
        wait_for(lambda: b"Ready to accept connections" in log.read_bytes(), 15,
                 what="redis-server to start")
        yield proc


def lost_broker(worker: str) -> bool:
    """Whether the worker of that name logged that it lost its broker (Celery's words)."""
    logs = (Path(settings.VAR_DIR) / "logs").glob(f"{worker}-*.log")
    return any(b"Connection to broker lost" in log.read_bytes() for log in logs)


def request_organization_sync(org: str, env: dict[str, str]) -> None:
    """What beat does, from a process of its own that sends through the private Redis."""
    code = f"from sync import tasks; tasks.request_organization_sync({org!r}, 'schedule')"
    done = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=PROJECT_ROOT,
                          env=process_env(env), capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]


def succeeded_after(org: str, after: int) -> SyncRun | None:
    return SyncRun.objects.filter(kind="organization", subject_uri=org, pk__gt=after,
                                  status=SyncRun.Status.SUCCEEDED).first()


def recover(org: str, env: dict[str, str], after: int, timeout: float = 150) -> SyncRun:
    """Scheduled attempts every 10 s until one succeeds (the first may find the lock held)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        request_organization_sync(org, env)
        try:
            return wait_for(lambda: succeeded_after(org, after), 10, what="a recovered sync")
        except TimeoutError:  # wait_for gave up on this attempt; the next is scheduled
            continue
    raise AssertionError(f"no organization sync succeeded within {timeout:.0f} s")


def assert_exactly_the_sandboxs_data(sandbox, run: SyncRun, org: str) -> None:
    dump = sandbox.dump()
    people = [ms["user"]["uri"] for ms in x.members(dump, org)]
    assert x.membership_rows(org) == x.expected_memberships(dump, org)
    assert x.schedule_rows(people) == x.expected_schedules(dump, people)
    assert_busy_matches(sandbox, run, people)


@pytest.fixture
def slow_org(sandbox, settings):
    """An organization whose sync takes several seconds, an admin connected and synced once."""
    aim_at(settings, sandbox)
    settings.SYNC_MEMBERS_PER_TASK = 2  # four batches
    admin = store_credential(sandbox, DEMO_ADMIN_EMAIL)
    assert runs.sync_user(admin.pk).status == SyncRun.Status.SUCCEEDED
    sandbox.configure(latency_ms=250)
    return admin.organization_uri


def under_way(org: str) -> SyncRun | None:
    return SyncRun.objects.filter(kind="organization", subject_uri=org, status="running",
                                  progress_done__gte=4).first()


def test_redis_restarted_mid_sync(sandbox, slow_org):
    port = free_port()
    env = {**worker_env(settings), "REDIS_URL": f"redis://127.0.0.1:{port}/0", "SYNC_THREADS": "1"}
    with private_redis(port) as redis, running_worker(2, env, name="redis-restart"):
        request_organization_sync(slow_org, env)
        hit = wait_for(lambda: under_way(slow_org), 60, what="the sync to be under way")
        redis.kill()  # SIGKILL: a crash, its queue lost with it
        redis.wait(timeout=10)
        # Redis comes back once the worker has seen it go, as after a real crash.
        wait_for(lambda: lost_broker("redis-restart"), 60, what="the worker to lose Redis")
        sandbox.configure(latency_ms=0)
        with private_redis(port):  # the same address, empty; the worker reconnects
            run = recover(slow_org, env, after=hit.pk)
    hit.refresh_from_db()
    assert hit.status == SyncRun.Status.FAILED, (hit.status, hit.error)
    assert_exactly_the_sandboxs_data(sandbox, run, slow_org)


def test_worker_sigkilled_mid_sync(sandbox, slow_org):
    port = free_port()
    env = {**worker_env(settings), "REDIS_URL": f"redis://127.0.0.1:{port}/0", "SYNC_THREADS": "1"}
    with private_redis(port):
        with running_worker(concurrency=2, extra_env=env, name="doomed") as doomed:
            request_organization_sync(slow_org, env)
            hit = wait_for(lambda: under_way(slow_org), 60, what="the sync to be under way")
            os.killpg(doomed.pid, signal.SIGKILL)
            doomed.wait(timeout=10)
        sandbox.configure(latency_ms=0)
        with running_worker(concurrency=2, extra_env=env, name="heir"):
            run = recover(slow_org, env, after=hit.pk)
    hit.refresh_from_db()
    assert hit.status == SyncRun.Status.FAILED and "took over" in hit.error, hit.error
    assert_exactly_the_sandboxs_data(sandbox, run, slow_org)
