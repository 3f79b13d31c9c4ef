"""Talking to a running sandbox's control endpoints from the management commands."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any

from django.core.management.base import CommandError, CommandParser

DEFAULT_URL = "http://127.0.0.1:8001"


def add_url_argument(parser: CommandParser) -> None:
    parser.add_argument("--url", default=os.environ.get("SANDBOX_URL", DEFAULT_URL),
                        help="the running sandbox (default: $SANDBOX_URL or %(default)s)")


def call(url: str, method: str, path: str, body: dict[str, Any] | None = None) -> dict:
    # The standard library: requests is the calendly package's, the only code that uses it.
    payload = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - the sandbox's own http(s) URL
        f"{url.rstrip('/')}{path}", data=payload, method=method,
        headers={"Content-Type": "application/json"} if payload else {},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            status, content = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, content = error.code, error.read()
    except OSError as error:  # URLError, refused, timed out
        raise CommandError(f"cannot reach the sandbox at {url}: {error}") from error
    data = json.loads(content) if content else {}
    if status >= 400:
        raise CommandError(data.get("error") or f"{status} from {path}")
    return data
