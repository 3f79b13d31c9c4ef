"""Where a bench run keeps its state, and the environment every process of it shares.

PostgreSQL and Redis are used when they answer on 127.0.0.1 (database
``dashboard_bench``, Redis database 12, both the bench's alone); otherwise SQLite and
kombu's filesystem broker under ``var/bench/run/``. Secrets are made afresh per run.
"""

from __future__ import annotations

import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet

from tests.sandbox_process import answers

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = PROJECT_ROOT / "var" / "bench"
RUN_DIR = BENCH_DIR / "run"
POSTGRES = ("127.0.0.1", 5432)
REDIS = ("127.0.0.1", 6379)
DATABASE = "dashboard_bench"
REDIS_DB = 12  # the tests use 1, 2 and 9
CLIENT_ID = "dashboard-bench"
CALLBACK = "http://testserver/accounts/calendly/login/callback/"
# Our own budget must not bind where the sandbox sets no limit; with a limit, the client
# learns it from X-RateLimit-Limit, as it would from Calendly.
UNLIMITED_BUDGET = 1_000_000


@dataclass(frozen=True)
class Services:
    database_url: str
    redis_url: str  # empty: the filesystem broker under var_dir
    var_dir: Path
    client_secret: str

    @property
    def postgres(self) -> bool:
        return self.database_url.startswith("postgres")

    def describe(self) -> str:
        db = f"PostgreSQL ({DATABASE})" if self.postgres else "SQLite"
        broker = f"Redis (db {REDIS_DB})" if self.redis_url else "filesystem broker"
        return f"{db}, {broker}"

    def env(self) -> dict[str, str]:
        """Settings of every process of the run (the sandbox's address is added per size)."""
        return {
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "STATIC_MANIFEST": "false",
            "VAR_DIR": str(self.var_dir),
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "CALENDLY_CLIENT_ID": CLIENT_ID,
            "CALENDLY_CLIENT_SECRET": self.client_secret,
            "CALENDLY_RATE_LIMIT_PER_MINUTE": str(UNLIMITED_BUDGET),
            "CALENDLY_RATE_BUDGET_NAMESPACE": "bench",
            "LOG_LEVEL": "INFO",
            "LOG_FORMAT": "json",
        }


def prepare(embedded: bool = False) -> Services:
    """A clean slate: the run folder emptied, the bench database and Redis database reset."""
    shutil.rmtree(RUN_DIR, ignore_errors=True)
    RUN_DIR.mkdir(parents=True)
    database_url = f"sqlite:///{RUN_DIR / 'db.sqlite3'}"
    redis_url = ""
    if not embedded and answers(POSTGRES):
        try:
            database_url = _fresh_postgres()
        except Exception as error:  # answers, but not to us: say so and go on embedded
            print(f"PostgreSQL at {POSTGRES[0]}:{POSTGRES[1]} refused ({error}): SQLite instead")
    if not embedded and answers(REDIS):
        try:
            redis_url = _fresh_redis()
        except Exception as error:
            print(f"Redis at {REDIS[0]}:{REDIS[1]} refused ({error}): filesystem broker instead")
    return Services(database_url, redis_url, RUN_DIR, secrets.token_urlsafe(24))


def _fresh_postgres() -> str:
    import psycopg

    admin = f"postgresql://postgres@{POSTGRES[0]}:{POSTGRES[1]}/postgres"
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    return f"postgres://postgres@{POSTGRES[0]}:{POSTGRES[1]}/{DATABASE}"


def _fresh_redis() -> str:
    import redis

    url = f"redis://{REDIS[0]}:{REDIS[1]}/{REDIS_DB}"
    client = redis.Redis.from_url(url, socket_timeout=5)
    client.flushdb()
    client.close()
    return url


def clear_rate_budget(services: Services) -> None:
    """Forgets the budget's log, pauses and learned limits (a limit learned under the
    rate-limit section would otherwise hold for a day)."""
    if services.redis_url:
        import redis

        client = redis.Redis.from_url(services.redis_url)
        keys = list(client.scan_iter("calendly:budget:*"))
        if keys:
            client.delete(*keys)
        client.close()
    shutil.rmtree(services.var_dir / "ratebudget", ignore_errors=True)
