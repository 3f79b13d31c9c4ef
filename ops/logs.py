"""Logs for operators: one JSON object a line on stdout, each carrying the request id.

The request id comes from django-guid (``X-Request-ID``: an incoming one is kept when
it is a UUID, otherwise a new one is made; it is sent back in the response). Celery
tasks sent while serving a request log the same id.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # settings import this module: keep Django's request machinery out of it
    from django.http import HttpRequest, HttpResponse

access_logger = logging.getLogger("ops.access")


def logging_config(level: str, fmt: str) -> dict:
    """The ``LOGGING`` dict: ``fmt`` is ``json`` (production) or ``plain`` (a terminal)."""
    if fmt == "json":
        formatter = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,
        }
    else:
        formatter = {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {
                "()": "django_guid.log_filters.CorrelationId",
                "correlation_id_field": "request_id",
            },
            # No query string in any line: a callback's carries the OAuth code (ops/log_filters.py).
            "no_query_strings": {"()": "ops.log_filters.NoQueryStrings"},
        },
        "formatters": {"default": formatter},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "default",
                "filters": ["request_id", "no_query_strings"],
            }
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            "django": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
            # runserver's request lines (the demo), through the same handler, without queries.
            "django.server": {
                "handlers": ["stdout"],
                "level": "INFO",
                "propagate": False,
                "filters": ["no_query_strings"],
            },
            # It logs every id it makes at INFO: the access line already carries it.
            "django_guid": {"level": "WARNING"},
            # Gunicorn's own loggers go to the root handler (see config/gunicorn.py).
            "gunicorn.error": {"level": "INFO", "propagate": True},
        },
    }


class AccessLogMiddleware:
    """One line per request: method, path, status and duration, with the request id.

    The path only, never the query string (an OAuth callback's holds the code)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        response = self.get_response(request)
        duration_ms = round((time.monotonic() - started) * 1000, 1)
        access_logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
            },
        )
        return response
