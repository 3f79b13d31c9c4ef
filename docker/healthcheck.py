"""The image's HEALTHCHECK, for whichever role the container runs.

    python docker/healthcheck.py [ROLE [NODE]]

Without ROLE, the role is read from the command of the container's first process.
Exit 0 when healthy, 1 otherwise (what Docker expects).
"""

from __future__ import annotations

import os
import socket
import sys
import urllib.request
from pathlib import Path

ROLE_WORDS = {
    "gunicorn": "web",
    "web": "web",
    "worker": "worker",
    "beat": "beat",
    "sandbox": "sandbox",
    "runsandbox": "sandbox",
}


def container_role() -> str:
    try:
        args = Path("/proc/1/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "web"
    for arg in args:
        role = ROLE_WORDS.get(arg.decode(errors="replace").rsplit("/", 1)[-1])
        if role:
            return role
    return "web"


def web() -> bool:
    url = f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}/healthz"
    with urllib.request.urlopen(url, timeout=4) as response:  # noqa: S310 (fixed http URL)
        return response.status == 200


def ping(node: str) -> bool:
    """`node` answers a ping over the broker's control channel within 3 s.

    With Redis a bare Celery app is enough, which spares each check Django's start-up (about
    a second of CPU every 30 s per container); the filesystem broker's folders need settings.
    """
    redis_url = os.environ.get("REDIS_URL", "").strip()
    if redis_url:
        from celery import Celery

        app = Celery("healthcheck", broker=redis_url)
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
        import django

        django.setup()
        from config.celery_app import app
    return bool(app.control.ping(destination=[node], timeout=3.0))


def worker(node: str | None = None) -> bool:
    return ping(node or f"celery@{socket.gethostname()}")


def beat(node: str | None = None) -> bool:
    """Beat answers while its scheduler ticks (remote control, celery >= 5.7): not while it
    still waits for the database, as a schedule file left in the volume would suggest."""
    return ping(node or f"celerybeat@{socket.gethostname()}")


def sandbox() -> bool:
    port = int(os.environ.get("SANDBOX_PORT") or "8001")
    with socket.create_connection(("127.0.0.1", port), timeout=3):
        return True


def main(argv: list[str]) -> int:
    role = argv[1] if len(argv) > 1 else container_role()
    checks = {"web": web, "worker": worker, "beat": beat, "sandbox": sandbox}
    try:
        healthy = checks[role](*argv[2:3])
    except Exception as exc:
        print(f"{role} unhealthy: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"{role} {'healthy' if healthy else 'unhealthy'}")
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
