"""A copy of .env.example with only the secrets filled in is a sound production setup.

It is what docs/self-hosting.md tells a self-hoster to start from: blank entries must
keep their defaults (secure cookies, hashed static files, the image's folders).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys

from tests.deploy.services import TEST_FERNET_KEY
from tests.workers import PROJECT_ROOT

SHOW = (
    "from django.conf import settings as s; import json; print(json.dumps({"
    "'secure_cookies': [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE],"
    "'manifest': s.STATIC_MANIFEST, 'var_dir': str(s.VAR_DIR),"
    "'static_root': str(s.STATIC_ROOT), 'hsts': s.SECURE_HSTS_SECONDS,"
    "'proxy_header': s.SECURE_PROXY_SSL_HEADER, 'log_format': s.LOG_FORMAT}))"
)


def dotenv_copy(**filled: str) -> dict[str, str]:
    text = (PROJECT_ROOT / ".env.example").read_text()
    values = dict(re.findall(r"^([A-Z][A-Z0-9_]+)=(.*)$", text, re.M))
    return {**values, **filled}


def manage(*args: str, dotenv: dict[str, str]) -> subprocess.CompletedProcess:
    # As in a container: the process sees .env and nothing of this test run's own settings.
    keep = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env={**keep, **dotenv},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def production_dotenv() -> dict[str, str]:
    return dotenv_copy(
        SECRET_KEY=secrets.token_urlsafe(50),
        TOKEN_ENCRYPTION_KEYS=TEST_FERNET_KEY,
        SECURE_SSL_REDIRECT="true",
        BEHIND_TLS_PROXY="true",
    )


def test_blank_entries_keep_the_production_defaults():
    done = manage("shell", "-c", SHOW, dotenv=production_dotenv())
    assert done.returncode == 0, done.stderr[-2000:]
    shown = json.loads(done.stdout.strip().splitlines()[-1])
    assert shown["secure_cookies"] == [True, True]
    assert shown["manifest"] is True
    assert shown["var_dir"] == str(PROJECT_ROOT / "var")
    assert shown["static_root"] == str(PROJECT_ROOT / "staticfiles")
    assert shown["hsts"] == 31536000
    assert shown["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert shown["log_format"] == "json"


def test_deploy_check_of_the_copy_reports_only_the_documented_warning():
    done = manage("check", "--deploy", dotenv=production_dotenv())
    assert done.returncode == 0, done.stderr[-2000:]
    found = set(re.findall(r"\((\w+\.[EW]\d+)\)", done.stderr + done.stdout))
    assert found <= {"security.W021"}, done.stderr
