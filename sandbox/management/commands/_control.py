"""Talking to a running sandbox's control endpoints from the management commands."""

from __future__ import annotations

import os
from typing import Any

import requests
from django.core.management.base import CommandError, CommandParser

DEFAULT_URL = "http://127.0.0.1:8001"


def add_url_argument(parser: CommandParser) -> None:
    parser.add_argument("--url", default=os.environ.get("SANDBOX_URL", DEFAULT_URL),
                        help="the running sandbox (default: $SANDBOX_URL or %(default)s)")


def call(url: str, method: str, path: str, body: dict[str, Any] | None = None) -> dict:
    try:
        response = requests.request(method, f"{url.rstrip('/')}{path}", json=body, timeout=15)
    except requests.RequestException as error:
        raise CommandError(f"cannot reach the sandbox at {url}: {error}") from error
    data = response.json() if response.content else {}
    if response.status_code >= 400:
        raise CommandError(data.get("error") or f"{response.status_code} from {path}")
    return data
