"""Beat's token upkeep (accounts.refresh_expiring_tokens) and a sync whose token cannot be
renewed, against the sandbox's token service; what the sandbox cannot answer (a 429 or a
503 from /oauth/token) comes from a stand-in on another loopback port."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from accounts.models import CalendlyCredential
from accounts.tasks import refresh_expiring_tokens
from availability.models import SyncRun
from sandbox.seed import DEMO_MEMBER_EMAIL
from sync import runs
from tests.accounts.test_refresh import connected_credential, token_requests

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def token_service_answering(status: int, body: bytes) -> Iterator[str]:
    """A token service that answers every POST with `status` and `body`; yields its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_beat_renews_the_tokens_about_to_expire_and_no_others(client, calendly):
    credential = connected_credential(client, calendly, DEMO_MEMBER_EMAIL, timedelta(minutes=10))
    old_refresh_token = credential.refresh_token

    assert refresh_expiring_tokens() == "refreshed 1, not refreshed 0"
    credential.refresh_from_db()
    assert credential.refresh_token != old_refresh_token
    assert credential.access_expires_at > timezone.now() + timedelta(hours=1)
    assert token_requests(calendly) == 1
    # Now good for hours: the next tick asks Calendly nothing.
    assert refresh_expiring_tokens() == "refreshed 0, not refreshed 0"
    assert token_requests(calendly) == 1


def test_beat_leaves_a_token_with_more_than_a_quarter_hour_alone(client, calendly):
    credential = connected_credential(client, calendly, DEMO_MEMBER_EMAIL, timedelta(minutes=16))
    assert refresh_expiring_tokens() == "refreshed 0, not refreshed 0"
    assert token_requests(calendly) == 0
    assert CalendlyCredential.objects.get().access_token == credential.access_token


def test_a_refused_renewal_asks_the_person_to_reconnect_and_is_not_asked_again(client, calendly):
    connected_credential(client, calendly, DEMO_MEMBER_EMAIL, timedelta(minutes=2))
    calendly.revoke_user_tokens(DEMO_MEMBER_EMAIL)

    assert refresh_expiring_tokens() == "refreshed 0, not refreshed 1"
    credential = CalendlyCredential.objects.get()
    assert credential.state == CalendlyCredential.State.NEEDS_RECONNECT
    assert "invalid_grant" in credential.state_reason
    asked = token_requests(calendly)
    assert refresh_expiring_tokens() == "refreshed 0, not refreshed 0"
    assert token_requests(calendly) == asked


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (429, b'{"error": "rate_limited", "error_description": "slow down"}'),
        (503, b"<html>Service Unavailable</html>"),
        (502, b""),
    ],
    ids=["429", "503", "502-empty"],
)
def test_a_token_service_that_fails_keeps_the_credential_for_later(
    client, calendly, settings, status, body
):
    credential = connected_credential(client, calendly, DEMO_MEMBER_EMAIL, timedelta(minutes=2))
    with token_service_answering(status, body) as url:
        settings.CALENDLY_AUTH_BASE_URL = url
        assert refresh_expiring_tokens() == "refreshed 0, not refreshed 1"
    after = CalendlyCredential.objects.get()
    assert after.state == CalendlyCredential.State.ACTIVE
    assert (after.access_token, after.refresh_token) == (
        credential.access_token, credential.refresh_token
    )
    assert after.refresh_retry_after > timezone.now()  # tried again later, not at once


def test_an_unreadable_token_answer_keeps_the_credential_for_later(client, calendly):
    credential = connected_credential(client, calendly, DEMO_MEMBER_EMAIL, timedelta(minutes=2))
    calendly.fault("/oauth/token", "non_json")
    assert refresh_expiring_tokens() == "refreshed 0, not refreshed 1"
    after = CalendlyCredential.objects.get()
    assert after.state == CalendlyCredential.State.ACTIVE
    assert after.refresh_token == credential.refresh_token
    assert after.refresh_retry_after is not None
    # The sandbox, like Calendly, spent the refresh token on the answer we could not read:
    # the next try, once the wait is over, is refused, and the person asked to reconnect.
    assert calendly.token_status(credential.refresh_token) == "revoked"
    CalendlyCredential.objects.update(refresh_retry_after=None)
    assert refresh_expiring_tokens() == "refreshed 0, not refreshed 1"
    assert CalendlyCredential.objects.get().state == CalendlyCredential.State.NEEDS_RECONNECT


@pytest.mark.django_db(transaction=True)
def test_a_sync_whose_token_cannot_be_renewed_now_is_unavailable_and_retried(
    client, calendly, settings
):
    credential = connected_credential(client, calendly, DEMO_MEMBER_EMAIL, timedelta(seconds=-1))
    with token_service_answering(503, b"") as url:
        settings.CALENDLY_AUTH_BASE_URL = url
        result = runs.sync_user(credential.pk)
    run = SyncRun.objects.get(pk=result.run_id)
    assert run.status == SyncRun.Status.FAILED
    assert run.error_kind == SyncRun.ErrorKind.CALENDLY_UNAVAILABLE
    assert result.retry_in == 60.0
    assert CalendlyCredential.objects.get().state == CalendlyCredential.State.ACTIVE


@pytest.mark.django_db(transaction=True)
def test_a_sync_whose_renewal_is_refused_needs_reconnecting_and_is_not_retried(client, calendly):
    credential = connected_credential(client, calendly, DEMO_MEMBER_EMAIL, timedelta(seconds=-1))
    calendly.revoke_user_tokens(DEMO_MEMBER_EMAIL)
    result = runs.sync_user(credential.pk)
    run = SyncRun.objects.get(pk=result.run_id)
    assert (run.status, run.error_kind) == (SyncRun.Status.FAILED, SyncRun.ErrorKind.NEEDS_RECONNECT)
    assert result.retry_in is None
    assert CalendlyCredential.objects.get().state == CalendlyCredential.State.NEEDS_RECONNECT
