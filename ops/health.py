"""``/healthz`` and ``/readyz`` for the reverse proxy and the orchestrator.

Answered by a middleware placed first, before Django checks the Host header or
redirects to https: a probe comes over plain http from inside the network, on
whatever address the container has. Nothing here needs a login or a session.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

import redis
from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

# Seconds the broker check waits: a probe must answer well within its own timeout.
BROKER_TIMEOUT = 1.0


def healthz(request: HttpRequest) -> HttpResponse:
    """The process is alive and serves requests; it says nothing about its dependencies."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> HttpResponse:
    """200 when the database and the broker answer, 503 naming the one that does not."""
    checks = {"database": check_database(), "broker": check_broker()}
    ready = all(result == "ok" for result in checks.values())
    return JsonResponse(checks, status=200 if ready else 503)


def check_database() -> str:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return _failed("database", exc)
    return "ok"


def check_broker() -> str:
    try:
        if settings.REDIS_URL:
            _ping_redis(settings.REDIS_URL)
        else:
            _check_broker_folders(settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    except Exception as exc:
        return _failed("broker", exc)
    return "ok"


def _ping_redis(url: str) -> None:
    client = redis.Redis.from_url(
        url, socket_connect_timeout=BROKER_TIMEOUT, socket_timeout=BROKER_TIMEOUT
    )
    try:
        client.ping()
    finally:
        client.close()


def _check_broker_folders(options: dict) -> None:
    """kombu's filesystem transport has no server: its folders must exist and be writable."""
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        folder = Path(options[key])
        if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
            raise OSError(f"{key} is not a writable folder")


def _failed(what: str, exc: Exception) -> str:
    # The details go to the log; the answer, which may be public, names only the error type.
    logger.warning("readiness: %s unreachable: %s", what, exc)
    return f"unreachable: {type(exc).__name__}"


PROBES: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": healthz,
    "/readyz": readyz,
}


class HealthCheckMiddleware:
    """Answers the probes before any other middleware (first in ``MIDDLEWARE``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info.rstrip("/"))
        if probe is None or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        return probe(request)
