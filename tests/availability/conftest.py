"""Fixtures for the Calendly client and sync tests: the sandbox as this dashboard's Calendly.

`calendly` aims the settings at the session's sandbox, with a rate-budget namespace of
the test's own (so budgets and learned limits never leak between tests), and `connect`
stores a credential the way sign-in does, from a token the sandbox mints. Worker
processes started with `tests.workers.running_worker(extra_env=worker_env(settings))`
get the same settings through their environment.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import CalendlyCredential
from calendly import CalendlyClient, RetryPolicy, StaticTokenSource

CONTROL_CLIENT_ID = "sandbox-control"  # the sandbox's client of minted tokens (public)

# Short everything, so faults cost seconds, not minutes.
FAST = {
    "CALENDLY_TIMEOUT_SECONDS": (2.0, 1.0),
    "CALENDLY_MAX_ATTEMPTS": 6,
    "SYNC_LEASE_SECONDS": 20,
}


def aim_at(settings, sandbox) -> None:
    settings.CALENDLY_API_BASE_URL = sandbox.url
    settings.CALENDLY_AUTH_BASE_URL = sandbox.url
    settings.CALENDLY_CLIENT_ID = CONTROL_CLIENT_ID
    settings.CALENDLY_CLIENT_SECRET = ""
    settings.CALENDLY_RATE_BUDGET_NAMESPACE = f"test-{uuid.uuid4().hex[:12]}"
    for name, value in FAST.items():
        setattr(settings, name, value)


def worker_env(settings) -> dict[str, str]:
    """What a worker process needs to see this test's settings."""
    connect_timeout, read_timeout = settings.CALENDLY_TIMEOUT_SECONDS
    return {
        "CALENDLY_API_BASE_URL": settings.CALENDLY_API_BASE_URL,
        "CALENDLY_AUTH_BASE_URL": settings.CALENDLY_AUTH_BASE_URL,
        "CALENDLY_CLIENT_ID": settings.CALENDLY_CLIENT_ID,
        "CALENDLY_CLIENT_SECRET": settings.CALENDLY_CLIENT_SECRET,
        "CALENDLY_RATE_BUDGET_NAMESPACE": settings.CALENDLY_RATE_BUDGET_NAMESPACE,
        "CALENDLY_CONNECT_TIMEOUT": str(connect_timeout),
        "CALENDLY_READ_TIMEOUT": str(read_timeout),
        "CALENDLY_MAX_ATTEMPTS": str(settings.CALENDLY_MAX_ATTEMPTS),
        "CALENDLY_RATE_LIMIT_PER_MINUTE": str(settings.CALENDLY_RATE_LIMIT_PER_MINUTE),
        "CALENDLY_BUDGET_SHARE": str(settings.CALENDLY_BUDGET_SHARE),
        "SYNC_LEASE_SECONDS": str(settings.SYNC_LEASE_SECONDS),
        "SYNC_HORIZON_DAYS": str(settings.SYNC_HORIZON_DAYS),
        "SYNC_WINDOW_DAYS": str(settings.SYNC_WINDOW_DAYS),
        "SYNC_AVAILABLE_TIMES_WINDOW_DAYS": str(settings.SYNC_AVAILABLE_TIMES_WINDOW_DAYS),
        "SYNC_MEMBERS_PER_TASK": str(settings.SYNC_MEMBERS_PER_TASK),
    }


@pytest.fixture(autouse=True)
def fresh_window_length():
    """Each test starts as a fresh process: with the set available-times window length."""
    from sync import windows

    windows.forget_short_windows()
    yield
    windows.forget_short_windows()


@pytest.fixture
def calendly(sandbox, settings):
    aim_at(settings, sandbox)
    return sandbox


def store_credential(
    sandbox, email: str, access_token: str | None = None, scopes: list[str] | str | None = None
) -> CalendlyCredential:
    """A credential as sign-in stores it, for a sandbox user (a fresh token pair); with
    ``scopes``, of an app granted only those (None: a legacy app, full access)."""
    grant = sandbox.mint_token(email, scopes=scopes)
    user, _ = get_user_model().objects.get_or_create(username=email, defaults={"email": email})
    credential, _ = CalendlyCredential.objects.update_or_create(
        calendly_user_uri=grant["owner"],
        defaults={
            "user": user,
            "organization_uri": grant["organization"],
            "access_token": access_token or grant["access_token"],
            "refresh_token": grant["refresh_token"],
            "scope": grant.get("scope", ""),
            "access_expires_at": timezone.now() + timedelta(seconds=int(grant["expires_in"])),
            "state": CalendlyCredential.State.ACTIVE,
        },
    )
    return credential


@pytest.fixture
def connect(calendly):
    return lambda email, **kwargs: store_credential(calendly, email, **kwargs)


def static_client(sandbox, email: str, scopes=None, **kwargs) -> tuple[CalendlyClient, dict]:
    """A client on a freshly minted token (of ``scopes``, None: legacy), with no database."""
    grant = sandbox.mint_token(email, scopes=scopes)
    policy = kwargs.pop("policy", RetryPolicy(max_attempts=4, base_delay=0.05, max_delay=0.2))
    tokens = StaticTokenSource(grant["access_token"], grant["owner"])
    return CalendlyClient(tokens, policy=policy, **kwargs), grant
