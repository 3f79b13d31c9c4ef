"""Settings come from the environment, fail loudly when wrong, and pass Django's deploy checks."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.workers import PROJECT_ROOT

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "dashboard.example.com",
    "SECURE_SSL_REDIRECT": "true",
    "BEHIND_TLS_PROXY": "true",
    "PUBLIC_BASE_URL": "https://dashboard.example.com",
    "TOKEN_ENCRYPTION_KEYS": "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdCE=",
}


def manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k != "ALLOWED_HOSTS"
    }
    clean.pop("SECRET_KEY", None)
    clean.pop("TOKEN_ENCRYPTION_KEYS", None)
    # The browser tests set it for Playwright's event loop; no deployment does (async.E001).
    clean.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env={**clean, "VAR_DIR": str(tmp_path), **env},
        timeout=60,
        check=False,
    )


def test_deploy_check_has_no_errors_and_only_the_documented_warning(tmp_path):
    done = manage("check", "--deploy", env=PRODUCTION_ENV, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    found = set(re.findall(r"\((\w+\.[EW]\d+)\)", done.stderr + done.stdout))
    # W021 (HSTS preload) is a choice for each self-hoster to make, documented in docs/.
    assert found <= {"security.W021"}, done.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "TOKEN_ENCRYPTION_KEYS"])
def test_missing_required_variable_stops_start_up_naming_it(tmp_path, missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    done = manage("check", env=env, tmp_path=tmp_path)
    assert done.returncode != 0
    assert f"{missing} must be set" in done.stderr


def test_a_boolean_that_is_neither_true_nor_false_stops_start_up(tmp_path):
    done = manage("check", env={**PRODUCTION_ENV, "DEBUG": "ture"}, tmp_path=tmp_path)
    assert done.returncode != 0
    assert "DEBUG='ture' is neither true nor false" in done.stderr


@pytest.mark.parametrize("share", ["0", "1.5", "-1"])
def test_a_budget_share_outside_0_to_1_stops_start_up(tmp_path, share):
    done = manage("check", env={**PRODUCTION_ENV, "CALENDLY_BUDGET_SHARE": share}, tmp_path=tmp_path)
    assert done.returncode != 0
    assert f"CALENDLY_BUDGET_SHARE={float(share)} must be above 0 and at most 1" in done.stderr


def test_debug_is_off_unless_asked_for(settings):
    assert settings.DEBUG is False
    assert settings.USE_TZ is True and settings.TIME_ZONE == "UTC"


def test_every_variable_read_is_documented_in_env_example():
    read = set()
    for source in (PROJECT_ROOT / "config").glob("*.py"):
        read |= set(re.findall(r'env_\w+\(\s*"([A-Z][A-Z0-9_]+)"', source.read_text()))
    documented = set(
        re.findall(r"^([A-Z][A-Z0-9_]+)=", (PROJECT_ROOT / ".env.example").read_text(), re.M)
    )
    assert read, "no settings found: the pattern above no longer matches config/"
    assert read - documented == set()


def test_production_settings_install_no_development_tool(tmp_path):
    """The sandbox (its control endpoints, its commands) is the demo's and the tests', never a
    deployment's: production settings leave it out, local settings (the demo) put it in."""
    code = "from django.conf import settings; print(','.join(settings.INSTALLED_APPS))"
    apps = {}
    for name in ("production", "local"):
        env = {**PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": f"config.settings.{name}"}
        done = manage("shell", "-c", code, env=env, tmp_path=tmp_path)
        assert done.returncode == 0, done.stderr
        apps[name] = set(done.stdout.strip().split(","))
    assert "sandbox" not in apps["production"]
    assert apps["local"] - apps["production"] == {"sandbox"}
    production = manage("help", "runsandbox", env=PRODUCTION_ENV, tmp_path=tmp_path)
    assert production.returncode != 0 and "Unknown command" in production.stderr
