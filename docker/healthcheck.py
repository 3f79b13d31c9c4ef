"""The image's HEALTHCHECK, for whichever role the container runs.

    python docker/healthcheck.py [ROLE [WORKER_NODE]]

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
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz"
    with urllib.request.urlopen(url, timeout=4) as response:  # noqa: S310 (fixed http URL)
        return response.status == 200


def worker(node: str | None = None) -> bool:
    """The worker answers a ping over the broker's control channel."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    import django

    django.setup()
    from config.celery_app import app

    node = node or f"celery@{socket.gethostname()}"
    return bool(app.control.ping(destination=[node], timeout=3.0))


def beat() -> bool:
    """Beat has written its schedule file (the container stops if the process does)."""
    var_dir = Path(os.environ.get("VAR_DIR") or Path(__file__).resolve().parent.parent / "var")
    return any(var_dir.glob("celerybeat-schedule*"))


def sandbox() -> bool:
    port = int(os.environ.get("SANDBOX_PORT", "8001"))
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
