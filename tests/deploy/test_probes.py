"""/healthz and /readyz: what the reverse proxy and the orchestrator see."""

from __future__ import annotations

import shutil

import pytest

from tests.deploy.services import RedisServer
from tests.needs import unavailable


@pytest.fixture
def own_redis(tmp_path, settings):
    """A redis-server for this test alone, which the test stops and starts again."""
    if shutil.which("redis-server") is None:
        unavailable("redis-server is not installed: apt-get install redis-server")
    server = RedisServer(tmp_path)
    server.start()
    settings.REDIS_URL = server.url
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.django_db
def test_readyz_names_the_broker_while_redis_is_down_and_recovers(client, own_redis):
    assert client.get("/readyz").json() == {"database": "ok", "broker": "ok"}

    own_redis.stop()
    down = client.get("/readyz")
    assert down.status_code == 503
    assert down.json()["database"] == "ok"
    assert down.json()["broker"].startswith("unreachable: ")

    own_redis.start()
    back = client.get("/readyz")
    assert (back.status_code, back.json()) == (200, {"database": "ok", "broker": "ok"})


@pytest.mark.django_db
def test_readyz_names_an_unwritable_filesystem_broker(client, settings, tmp_path):
    settings.REDIS_URL = ""
    missing = str(tmp_path / "gone")
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        key: missing
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "unreachable: OSError"}


def test_healthz_answers_any_host_over_plain_http(client, settings):
    """Probes come from inside the network: no Host check, no redirect to https."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["dashboard.example.com"]
    response = client.get("/healthz", HTTP_HOST="10.0.3.7:8000")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    # Everything else still gets both.
    assert client.get("/", HTTP_HOST="10.0.3.7:8000").status_code == 400
    assert client.get("/", HTTP_HOST="dashboard.example.com").status_code == 301


def test_probes_need_no_login_and_set_no_cookie(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert not response.cookies
