"""Django's admin is no public door in production: /admin/ does not exist under the
production settings unless ADMIN_ENABLED=true, and where it exists its password login is
rate-limited per client address (RATE_LIMIT_ADMIN_LOGIN, ops/ratelimit.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.hardening.test_brute_force import flood, fresh_network, fresh_rate, host
from tests.hardening.test_csrf_sessions import PRODUCTION_ENV
from tests.workers import PROJECT_ROOT

ADMIN_LOGIN = "/admin/login/"
# What a production web process answers on /admin/ (the test client, as gunicorn would
# hand it the request), and whether the URL resolves at all.
SHOW = (
    "import json; from django.conf import settings; from django.test import Client; "
    "from django.urls import Resolver404, resolve\n"
    "def found(path):\n"
    "    try:\n"
    "        return resolve(path).view_name\n"
    "    except Resolver404:\n"
    "        return None\n"
    "c = Client(HTTP_HOST='dashboard.example.com')\n"
    "print(json.dumps({'enabled': settings.ADMIN_ENABLED, 'login': found('/admin/login/'), "
    "'index': found('/admin/'), 'status': c.get('/admin/login/').status_code}))"
)


def production(tmp_path, **extra: str) -> subprocess.CompletedProcess:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    # No collectstatic in a test run: the admin's page links its static files unhashed.
    env = {**keep, **PRODUCTION_ENV, "VAR_DIR": str(tmp_path), "STATIC_MANIFEST": "false",
           "DJANGO_SETTINGS_MODULE": "config.settings.production", **extra}
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SHOW],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )


def shown(done: subprocess.CompletedProcess) -> dict:
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_production_has_no_admin_by_default(tmp_path):
    assert shown(production(tmp_path)) == {
        "enabled": False, "login": None, "index": None, "status": 404,
    }


def test_production_has_no_admin_when_the_flag_says_false(tmp_path):
    assert shown(production(tmp_path, ADMIN_ENABLED="false"))["status"] == 404


def test_admin_enabled_true_turns_the_admin_on_in_production(tmp_path):
    assert shown(production(tmp_path, ADMIN_ENABLED="true")) == {
        "enabled": True, "login": "admin:login", "index": "admin:index", "status": 200,
    }


def test_a_misspelt_flag_stops_start_up(tmp_path):
    done = production(tmp_path, ADMIN_ENABLED="ture")
    assert done.returncode != 0
    assert "ADMIN_ENABLED='ture' is neither true nor false" in done.stderr


@pytest.mark.django_db
def test_a_flood_of_the_admin_login_is_answered_429_and_others_still_get_in(client, settings):
    """The test settings have the admin on (as the demo does); a password guesser is
    stopped after the limit, another address is not."""
    settings.RATE_LIMIT_ADMIN_LOGIN = fresh_rate(4)
    network = fresh_network()
    guesser, other = host(network), host(network, subnet=1)
    statuses = [
        client.post(ADMIN_LOGIN, {"username": "admin", "password": f"guess{n}"},
                    REMOTE_ADDR=guesser).status_code
        for n in range(10)
    ]
    assert statuses[:4] == [200] * 4  # the form again: wrong password
    assert statuses[4:] == [429] * 6
    assert flood(client, "POST", ADMIN_LOGIN, 1, other) == [200]
    assert client.get("/healthz", REMOTE_ADDR=guesser).status_code == 200
