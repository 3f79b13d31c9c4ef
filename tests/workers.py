"""Real Celery worker and beat processes for tests, bounded in time and always stopped.

A worker started here opens the same test database and broker as the test that
started it: the environment carries ``DATABASE_URL`` of the test database (set
up by pytest-django) and the broker settings, which are read from the
environment by ``config.settings.test``.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection

from tests.processes import stop_process_group
from tests.sandbox_process import wait_for

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """The URL of the database this test uses (the test database, once pytest-django made it)."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}{port}/{db['NAME']}"


def process_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = database_url()
    env["VAR_DIR"] = str(settings.VAR_DIR)
    env["CALENDLY_API_BASE_URL"] = settings.CALENDLY_API_BASE_URL
    env["CALENDLY_AUTH_BASE_URL"] = settings.CALENDLY_AUTH_BASE_URL
    env.update(extra or {})
    return env


@contextlib.contextmanager
def running_process(
    args: list[str], env: dict[str, str], log_path: Path, grace: float = 10.0
) -> Iterator[subprocess.Popen]:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            args,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield proc
        finally:
            stop_process(proc, grace)


def stop_process(proc: subprocess.Popen, grace: float = 10.0) -> None:
    stop_process_group(proc, grace)


@contextlib.contextmanager
def running_worker(
    concurrency: int = 2, extra_env: dict[str, str] | None = None, name: str = "worker"
) -> Iterator[subprocess.Popen]:
    """A `celery worker` subprocess; `--purge` drops messages a previous run left behind."""
    args = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--loglevel",
        "INFO",
        "--concurrency",
        str(concurrency),
        "--purge",
        "--without-mingle",
        "--without-gossip",
        "--hostname",
        f"{name}-{os.getpid()}@%h",
    ]
    if os.environ.get("COVERAGE_PROCESS_CONFIG"):
        # Under `make coverage`: the tasks run in the worker's own process, which coverage
        # measures and saves on SIGTERM; a prefork pool's children are stopped unsaved.
        args += ["--pool", "solo"]
    log = Path(settings.VAR_DIR) / "logs" / f"{name}-{time.monotonic_ns()}.log"
    # A test's worker is done with when the test is: its warm shutdown took 10 s (the whole
    # grace) after every browser test, so it gets 3 s before it is killed.
    grace = 30.0 if "--pool" in args else 3.0  # coverage saves its data on the way out
    with running_process(args, process_env(extra_env), log, grace=grace) as proc:
        # Sending before the worker is up would race its --purge.
        wait_for(
            lambda: proc.poll() is not None or b" ready." in log.read_bytes(),
            60,
            what=f"worker {name} to be ready",
        )
        assert proc.poll() is None, log.read_text()[-3000:]
        yield proc
