"""Load: 50 concurrent clients for 60 s on the calendar pages of a real gunicorn (production
settings, loopback only) while a worker keeps syncing the organization. Zero errors; the
p95 latency is printed (run with -s to see it)."""

from __future__ import annotations

import os
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django.test import Client

from availability.models import CalendlyUser, SyncRun
from sandbox.seed import DEMO_ADMIN_EMAIL, DEMO_MEMBER_EMAIL, DEMO_OWNER_EMAIL
from sync import tasks
from tests.availability.conftest import aim_at, store_credential, worker_env
from tests.sandbox_process import free_port
from tests.workers import process_env, running_process, running_worker, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
CLIENTS = 50
SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
FINAL = (SyncRun.Status.SUCCEEDED, SyncRun.Status.PARTIAL, SyncRun.Status.FAILED)


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def gunicorn(port: int, log: Path, extra: dict[str, str]):
    args = [sys.executable, "-m", "gunicorn", "-c", "python:config.gunicorn", "config.wsgi",
            "--bind", f"127.0.0.1:{port}"]
    env = process_env({"WEB_CONCURRENCY": "4", "WEB_THREADS": "8", "LOG_LEVEL": "WARNING",
                       **extra})
    return running_process(args, env, log)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def test_fifty_clients_for_a_minute_while_the_organization_syncs(sandbox, settings):
    aim_at(settings, sandbox)
    sandbox.configure(latency_ms=30)  # each sync lasts seconds: always one under way
    env = worker_env(settings)
    admin = store_credential(sandbox, DEMO_ADMIN_EMAIL)
    people = [admin, store_credential(sandbox, DEMO_OWNER_EMAIL),
              store_credential(sandbox, DEMO_MEMBER_EMAIL)]
    org = admin.organization_uri
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = Path(settings.VAR_DIR) / "logs" / f"load-web-{port}.log"
    with running_worker(concurrency=3, extra_env=env, name="load"), gunicorn(port, log, env):
        wait_for(lambda: _answers(base), 30, what="gunicorn to answer")
        tasks.request_user_sync(admin.pk, then_organization=True)
        wait_for(lambda: SyncRun.objects.filter(kind="organization", status__in=FINAL).exists(),
                 120, what="the first organization sync")
        members = list(CalendlyUser.objects.filter(memberships__organization__uri=org)
                       .values_list("pk", flat=True))
        admin_pages = ["/week/", "/team/", "/team/hours/", "/team/find-a-time/",
                       "/team/hours.csv", *[f"/week/{pk}/" for pk in members]]
        cookies = {c.pk: session_cookie(c.user) for c in people}
        stop = threading.Event()
        syncs = threading.Thread(target=_keep_syncing, args=(org, stop), daemon=True)
        syncs.start()
        results: list[tuple[float, str, str]] = []
        lock = threading.Lock()

        def client(index: int) -> None:
            person = people[index % len(people)]
            pages = admin_pages if person.pk != people[2].pk else ["/week/", "/sync/progress/"]
            session = requests.Session()
            headers = {"Cookie": f"sessionid={cookies[person.pk]}"}
            deadline = time.monotonic() + SECONDS
            while time.monotonic() < deadline:
                path = random.choice(pages)
                htmx = {"HX-Request": "true"} if random.random() < 0.3 else {}
                started = time.monotonic()
                try:
                    answer = session.get(base + path, headers=headers | htmx, timeout=30,
                                         allow_redirects=False)
                    outcome = "ok" if answer.status_code == 200 else f"{answer.status_code} {path}"
                except requests.RequestException as error:
                    outcome = f"{type(error).__name__} {path}"
                with lock:
                    results.append((time.monotonic() - started, outcome, path))

        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            list(pool.map(client, range(CLIENTS)))
        stop.set()
        syncs.join(timeout=120)
    errors = [outcome for _, outcome, _ in results if outcome != "ok"]
    latencies = [seconds for seconds, _, _ in results]
    for kind in ("/week/", "/team/", "/team/hours/", "/team/find-a-time/", "/team/hours.csv"):
        some = [s for s, _, path in results if path == kind]
        if some:
            print(f"  {kind}: {len(some)} requests, p95 {percentile(some, 0.95) * 1000:.0f} ms")
    ran = SyncRun.objects.filter(kind="organization", status=SyncRun.Status.SUCCEEDED).count()
    p50, p95 = percentile(latencies, 0.50), percentile(latencies, 0.95)
    print(f"\nLOAD: {len(results)} requests by {CLIENTS} clients in {SECONDS:.0f} s "
          f"({len(results) / SECONDS:.0f}/s), {len(errors)} errors, p50 {p50 * 1000:.0f} ms, "
          f"p95 {p95 * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms; "
          f"{ran} organization syncs succeeded meanwhile")
    assert not errors, errors[:10]
    assert ran >= 2, "organization syncs ran during the load"


def _answers(base: str) -> bool:
    try:
        return requests.get(f"{base}/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _keep_syncing(org: str, stop: threading.Event) -> None:
    """As beat would, only faster: a new organization sync whenever the last one ended."""
    from django.db import connection

    try:
        while not stop.is_set():
            if not SyncRun.objects.filter(kind="organization", status__in=SyncRun.ACTIVE).exists():
                tasks.request_organization_sync(org)
            stop.wait(1)
    finally:
        connection.close()
