"""Real PostgreSQL and Redis servers for the deployment tests, and the entry script's environment.

The tests use the PostgreSQL and Redis of this machine (127.0.0.1:5432, user postgres,
and 127.0.0.1:6379), each test module in a database of its own, and skip with the
reason when a server does not answer (fail under CI: tests/needs.py).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import redis

from tests.needs import unavailable
from tests.sandbox_process import answers, free_port
from tests.workers import PROJECT_ROOT, stop_process, wait_for

POSTGRES = ("127.0.0.1", 5432)
REDIS = ("127.0.0.1", 6379)
# A database number the other tests leave alone (they use 1 and 2); queues are per test anyway.
REDIS_DB = 9
ENTRYPOINT = PROJECT_ROOT / "docker" / "entrypoint.sh"
HEALTHCHECK = PROJECT_ROOT / "docker" / "healthcheck.py"
# A valid Fernet key, for tests only.
TEST_FERNET_KEY = "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdCE="


def require_servers() -> None:
    if not answers(POSTGRES):
        unavailable("no PostgreSQL answers at 127.0.0.1:5432 (the entry script needs a real one)")
    if not answers(REDIS):
        unavailable("no Redis answers at 127.0.0.1:6379 (the entry script needs a real one)")


@contextlib.contextmanager
def throwaway_database() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards; yields its URL."""
    name = f"deploy_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def entrypoint_env(database_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """What a container gets from .env: production settings, the real servers, no DEBUG."""
    env = dict(os.environ)
    env.update(
        {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "dashboard.example.com",
            "TOKEN_ENCRYPTION_KEYS": TEST_FERNET_KEY,
            "DATABASE_URL": database_url,
            "REDIS_URL": f"redis://{REDIS[0]}:{REDIS[1]}/{REDIS_DB}",
            "VAR_DIR": str(var_dir),
            # collectstatic runs when the image is built, not here.
            "STATIC_MANIFEST": "false",
            "STATIC_ROOT": str(var_dir / "staticfiles"),
            "LOG_FORMAT": "json",
            "DB_WAIT_SECONDS": "20",
        }
    )
    env.update(extra)
    return env


def run_entrypoint(role: str, *args: str, env: dict[str, str], timeout: float = 60):
    return subprocess.run(
        ["bash", str(ENTRYPOINT), role, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def healthcheck(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(HEALTHCHECK), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


class RedisServer:
    """A redis-server of this test's own on a free loopback port, to stop and start at will."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        args = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.folder),
        ]
        self.proc = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        wait_for(self._pings, 10, what=f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
            self.proc = None

    def _pings(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False
