"""A task really travels through the broker to a worker process and back."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from tests.workers import PROJECT_ROOT, running_worker

SEND_PING = (
    "import django; django.setup();"
    "from config.celery_app import ping;"
    "print(ping.apply_async(expires=60).get(timeout=40))"
)


def send_ping(env: dict[str, str]) -> str:
    env = {**env, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    done = subprocess.run(
        [sys.executable, "-c", SEND_PING],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # The last line: what the task returned (logs go to the same stdout).
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.django_db
def test_ping_round_trips_through_the_configured_broker():
    expected = "redis" if settings.REDIS_URL else "filesystem"
    assert settings.CELERY_BROKER_URL.startswith(expected)
    with running_worker(concurrency=1, name="roundtrip") as worker:
        assert send_ping(dict(os.environ)) == "pong"
        assert worker.poll() is None


@pytest.mark.django_db
def test_ping_round_trips_through_the_embedded_broker(tmp_path):
    """The embedded default (no REDIS_URL) works on its own, whatever this run points at."""
    env = {"REDIS_URL": "", "VAR_DIR": str(tmp_path)}
    with running_worker(concurrency=1, extra_env=env, name="embedded"):
        assert send_ping({**os.environ, **env}) == "pong"
