"""Signing in as a person of the sandbox, the way a browser would, and following the syncs.

The dashboard's side runs in this process (Django's test client, on the bench
database); the sandbox's consent page is answered over HTTP as in
``tests/accounts/oauth_flow.py``. The dashboard exchanges the code and stores the
credential itself, so its refresh works later as in production; sign-in enqueues
the first sync (the user's, then the organization's for an admin) for the workers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.test import Client

from accounts.calendly_connection import credential_for
from accounts.models import CalendlyCredential
from availability.models import SyncRun
from tests.accounts.oauth_flow import callback_path, consent, start_sign_in
from tests.sandbox_process import wait_for

FINAL = (SyncRun.Status.SUCCEEDED, SyncRun.Status.PARTIAL, SyncRun.Status.FAILED)


@dataclass
class SignedIn:
    client: Client
    credential: CalendlyCredential

    @property
    def session_cookie(self) -> str:
        return f"{settings.SESSION_COOKIE_NAME}={self.client.cookies[settings.SESSION_COOKIE_NAME].value}"


def point_at(sandbox_url: str) -> None:
    """This process's dashboard, aimed at the sandbox of the current size."""
    settings.CALENDLY_AUTH_BASE_URL = sandbox_url
    settings.CALENDLY_API_BASE_URL = sandbox_url


def sign_in(email: str) -> SignedIn:
    client = Client()
    answer = client.get(callback_path(consent(start_sign_in(client), email)))
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in of {email} failed: {answer.status_code}")
    user = answer.wsgi_request.user
    credential = credential_for(user)
    if credential is None:
        raise RuntimeError(f"sign-in of {email} stored no credential")
    return SignedIn(client, credential)


def wait_finished(run_id: int, timeout: float) -> SyncRun:
    def finished() -> SyncRun | None:
        run = SyncRun.objects.get(pk=run_id)
        return run if run.status in FINAL else None

    return wait_for(finished, timeout, 0.05, f"sync run {run_id} to finish")


def wait_latest(kind: str, subject_uri: str, timeout: float) -> SyncRun:
    """The subject's latest run once it has finished (one may not exist yet)."""
    started = time.monotonic()

    def latest() -> SyncRun | None:
        return SyncRun.objects.filter(kind=kind, subject_uri=subject_uri).order_by("-pk").first()

    run = wait_for(latest, timeout, 0.05, f"a {kind} run of {subject_uri}")
    return wait_finished(run.pk, max(1.0, timeout - (time.monotonic() - started)))
