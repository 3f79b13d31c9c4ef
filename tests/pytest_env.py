"""Test-run environment, loaded as a pytest plugin (``-p``) before Django reads its settings.

Tests run with DEBUG off, as production does; only the keys a developer would
put in ``.env`` are filled in with throwaway values. Each run gets a folder of
its own under ``var/test/`` (test database file, embedded broker, worker logs),
so two runs at once never share a broker queue or a database file.
"""

import os
import shutil
from pathlib import Path

TEST_VAR_ROOT = Path(__file__).resolve().parent.parent / "var" / "test"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _run_folder() -> Path:
    TEST_VAR_ROOT.mkdir(parents=True, exist_ok=True)
    for old in TEST_VAR_ROOT.glob("run-*"):
        if not _pid_alive(int(old.name.removeprefix("run-"))):
            shutil.rmtree(old, ignore_errors=True)
    folder = TEST_VAR_ROOT / f"run-{os.getpid()}"
    folder.mkdir(exist_ok=True)
    return folder


os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("STATIC_MANIFEST", "false")
os.environ.setdefault("TOKEN_ENCRYPTION_KEYS", "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdCE=")
os.environ.setdefault("VAR_DIR", str(_run_folder()))
# Every sign-in and delivery of the suite comes from 127.0.0.1: the production limits per
# address (30 callbacks a minute) would refuse them; tests/hardening/test_brute_force.py
# sets limits of its own.
os.environ.setdefault("RATE_LIMIT_SIGN_IN", "100000/m")
os.environ.setdefault("RATE_LIMIT_OAUTH_CALLBACK", "100000/m")
os.environ.setdefault("RATE_LIMIT_WEBHOOKS", "100000/m")
