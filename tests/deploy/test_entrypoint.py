"""The image's entry script, run outside a container against the real PostgreSQL and Redis.

Each role comes up as it would in its container: web answers /readyz, a worker answers
a ping task, beat ticks; then it is stopped. Migrations run once however many web
replicas start together, and workers wait for them.
"""

from __future__ import annotations

import json
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from tests.deploy.services import (
    ENTRYPOINT,
    entrypoint_env,
    free_port,
    healthcheck,
    require_servers,
    run_entrypoint,
    throwaway_database,
)
from tests.workers import PROJECT_ROOT, running_process, wait_for


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    """One empty database for the module; the web test migrates it, as a first start does."""
    require_servers()
    with throwaway_database() as url:
        yield url


@pytest.fixture
def migrated(database_url, tmp_path) -> str:
    done = run_entrypoint("manage", "migrate_once", env=entrypoint_env(database_url, tmp_path))
    assert done.returncode == 0, done.stderr[-3000:]
    return database_url


def role(name: str, *args: str, env: dict[str, str], log):
    return running_process(["bash", str(ENTRYPOINT), name, *args], env, log)


def get(url: str) -> tuple[int, dict, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def ready(url: str):
    try:
        return get(url)
    except OSError:
        return None


def access_line(log, request_id: str) -> dict | None:
    for line in log.read_text().splitlines():
        if line.startswith("{") and request_id in line:
            entry = json.loads(line)
            if entry["logger"] == "ops.access" and entry["request_id"] == request_id:
                return entry
    return None


def applied_migrations(database_url: str) -> int:
    with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as conn:
        return conn.execute("SELECT count(*) FROM django_migrations").fetchone()[0]


def test_web_role_migrates_then_serves_readyz(database_url, tmp_path):
    port = free_port()
    env = entrypoint_env(
        database_url,
        tmp_path,
        PORT=str(port),
        GUNICORN_CMD_ARGS=f"--bind 127.0.0.1:{port} --workers 1",
    )
    log = tmp_path / "web.log"
    with role("web", env=env, log=log) as proc:
        answer = wait_for(
            lambda: proc.poll() is not None or ready(f"http://127.0.0.1:{port}/readyz"),
            45,
            what="web to answer /readyz",
        )
        assert proc.poll() is None, log.read_text()[-3000:]
        status, _, body = answer
        assert (status, body) == (200, {"database": "ok", "broker": "ok"})
        assert applied_migrations(database_url) > 0
        assert healthcheck("web", env=env).returncode == 0
        request_id = secrets.token_hex(16)
        home = urllib.request.Request(
            f"http://127.0.0.1:{port}/",
            headers={"Host": "dashboard.example.com", "X-Request-ID": request_id},
        )
        with urllib.request.urlopen(home, timeout=10) as response:
            assert response.headers["X-Request-ID"] == request_id
        access = wait_for(lambda: access_line(log, request_id), 10, what="the access log line")
        assert (access["path"], access["status"]) == ("/", 200)
        # Gunicorn's own log lines are JSON objects too.
        first = next(line for line in log.read_text().splitlines() if "gunicorn" in line)
        assert json.loads(first)["logger"].startswith("gunicorn")


def test_worker_role_answers_a_ping_task(migrated, tmp_path):
    queue = f"deploy-{secrets.token_hex(4)}"
    node = f"{queue}@{socket.gethostname()}"
    env = entrypoint_env(migrated, tmp_path)
    log = tmp_path / "worker.log"
    # Its own queue and name: another run's worker on the same Redis cannot answer for it.
    args = ("--queues", queue, "--hostname", node, "--concurrency", "1")
    with role("worker", *args, env=env, log=log) as proc:
        wait_for(
            lambda: proc.poll() is not None or b" ready." in log.read_bytes(),
            45,
            what="worker to be ready",
        )
        assert proc.poll() is None, log.read_text()[-3000:]
        assert send_ping(env, queue) == "pong"
        assert healthcheck("worker", node, env=env).returncode == 0


def send_ping(env: dict[str, str], queue: str) -> str:
    code = (
        "import django; django.setup();"
        "from config.celery_app import ping;"
        f"print(ping.apply_async(queue={queue!r}, expires=60).get(timeout=30))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.production", "LOG_LEVEL": "WARNING"},
        capture_output=True,
        text=True,
        timeout=45,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


def test_beat_role_ticks_and_keeps_its_schedule_in_var_dir(migrated, tmp_path):
    # Beat says when it wakes up next only at DEBUG: that line is its first tick.
    env = entrypoint_env(migrated, tmp_path, LOG_LEVEL="DEBUG")
    log = tmp_path / "beat.log"
    with role("beat", env=env, log=log) as proc:
        wait_for(
            lambda: proc.poll() is not None or b"beat: Waking up" in log.read_bytes(),
            45,
            what="beat's first tick",
        )
        assert proc.poll() is None, log.read_text()[-3000:]
        assert list(tmp_path.glob("celerybeat-schedule*")), "no schedule file in VAR_DIR"
        assert healthcheck("beat", env=env).returncode == 0


def test_replicas_starting_together_migrate_once(tmp_path):
    require_servers()
    with throwaway_database() as url:
        env = entrypoint_env(url, tmp_path)
        with ThreadPoolExecutor(3) as pool:
            runs = list(
                pool.map(lambda _: run_entrypoint("manage", "migrate_once", env=env), range(3))
            )
        assert [run.returncode for run in runs] == [0, 0, 0], runs[0].stderr[-2000:]
        applied = [run.stdout.count("Applying ") for run in runs]
        # One replica applied them all; the others waited on the lock and found nothing left.
        assert sorted(applied)[:2] == [0, 0] and max(applied) > 0, applied
        assert sum("No migrations to apply" in run.stdout for run in runs) == 2


def test_worker_waits_for_migrations_and_gives_up_in_bounded_time(tmp_path):
    require_servers()
    with throwaway_database() as url:
        env = entrypoint_env(url, tmp_path, DB_WAIT_SECONDS="2")
        started = time.monotonic()
        done = run_entrypoint("worker", env=env, timeout=30)
        assert done.returncode != 0
        assert "migration(s) not applied yet" in done.stderr
        assert time.monotonic() - started < 20


def test_unknown_role_is_refused(tmp_path):
    done = run_entrypoint("webb", env=entrypoint_env("sqlite:///unused", tmp_path))
    assert done.returncode == 64
    assert "unknown role 'webb'" in done.stderr
