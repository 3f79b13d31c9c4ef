"""What a test needs from the machine: PostgreSQL, Redis, Chromium, Calendly's OpenAPI file.

A developer's checkout may lack any of them, and the test skips saying which and how to get
it. Under CI (``CI=true``, which .ci/run sets) the same absence fails the test instead: a
CI run that skipped them would stay green without having run them.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1")


def unavailable(reason: str) -> NoReturn:
    """Skip for `reason`, or fail for it under CI."""
    if under_ci():
        pytest.fail(f"{reason} (CI=true: what CI must run is never skipped)", pytrace=False)
    pytest.skip(reason)


def redis_url() -> str:
    """The REDIS_URL the run was given, or `unavailable`."""
    from django.conf import settings

    if not settings.REDIS_URL:
        unavailable("REDIS_URL is not set: the Redis tests need a Redis (.ci/run sets it)")
    return settings.REDIS_URL
