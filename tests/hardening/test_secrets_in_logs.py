"""No secret in any log line, error page or Celery message: the whole sign-in and sync flow
(sign-in, the webhook subscription it sets up, a token refresh, a user and an organization
sync fanned out to a real worker) runs with every logger at DEBUG, and then every line this
process logged, the worker's log (which at DEBUG prints each task's message body), every
task message this process published, and every page served are searched for the access and
refresh tokens, the OAuth client secret, the authorization code and the webhook signing key.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from celery.signals import before_task_publish
from django.test import Client

from accounts.models import CalendlyCredential
from availability.models import SyncRun
from tests.accounts.conftest import CLIENT_SECRET
from tests.accounts.oauth_flow import callback_path, consent, start_sign_in
from tests.availability.conftest import worker_env
from tests.workers import process_env, running_process, wait_for
from webhooks.models import WebhookSubscription

pytestmark = pytest.mark.django_db(transaction=True)
ADMIN = "admin@acme.example"
FINAL = (SyncRun.Status.SUCCEEDED, SyncRun.Status.PARTIAL, SyncRun.Status.FAILED)


@pytest.fixture
def published():
    """Every task message this process sends: headers and body as they go to the broker."""
    seen: list[str] = []

    def record(sender=None, body=None, headers=None, **kwargs):
        seen.append(json.dumps({"task": sender, "headers": headers, "body": body}, default=repr))

    before_task_publish.connect(record, weak=False)
    yield seen
    before_task_publish.disconnect(record)


def debug_worker(log: Path, extra: dict[str, str]):
    args = [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel", "DEBUG",
            "--concurrency", "2", "--purge", "--without-mingle", "--without-gossip",
            "--hostname", f"secrets-{time.monotonic_ns()}@%h"]
    return running_process(args, process_env({"LOG_LEVEL": "DEBUG", **extra}), log)


def test_no_secret_reaches_a_log_line_an_error_page_or_a_task_message(
    calendly, settings, caplog, published
):
    caplog.set_level(logging.DEBUG)  # the root logger and everything under it
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:9"  # sign-in then sets up a webhook
    settings.SYNC_HORIZON_DAYS = 7
    env = {**worker_env(settings), "PUBLIC_BASE_URL": settings.PUBLIC_BASE_URL,
           "SYNC_HORIZON_DAYS": "7", "CALENDLY_CLIENT_ID": settings.CALENDLY_CLIENT_ID,
           "CALENDLY_CLIENT_SECRET": settings.CALENDLY_CLIENT_SECRET}
    log = Path(settings.VAR_DIR) / "logs" / f"secrets-worker-{time.monotonic_ns()}.log"
    pages: list[str] = []
    secrets: dict[str, str] = {"client secret": CLIENT_SECRET}

    browser = Client()
    with debug_worker(log, env) as worker:
        wait_for(lambda: b" ready." in log.read_bytes() or worker.poll() is not None, 60,
                 what="the worker to be ready")
        location = consent(start_sign_in(browser), ADMIN)
        secrets["authorization code"] = parse_qs(urlsplit(location).query)["code"][0]
        answer = browser.get(callback_path(location))
        pages.append(answer.content.decode() + str(answer.headers))
        credential = CalendlyCredential.objects.get()
        secrets["access token"] = credential.access_token
        secrets["refresh token"] = credential.refresh_token
        org = credential.organization_uri

        def org_run():
            return SyncRun.objects.filter(kind="organization", subject_uri=org, status__in=FINAL).first()

        run = wait_for(org_run, 120, what="the sign-in's organization sync to finish")
        assert run.status == SyncRun.Status.SUCCEEDED, run.error
        subscription = wait_for(
            lambda: WebhookSubscription.objects.exclude(uri="").first(), 60,
            what="the webhook subscription to be set up",
        )
        secrets["webhook signing key"] = subscription.signing_key
        # A refresh in the worker: the stored token is about to expire.
        CalendlyCredential.objects.update(access_expires_at=credential.access_expires_at.replace(year=2000))
        pages.append(browser.post("/sync/").content.decode())
        wait_for(lambda: not SyncRun.objects.filter(status__in=SyncRun.ACTIVE).exists(), 90,
                 what="the refreshing sync to finish")
        credential.refresh_from_db()
        assert credential.refresh_token != secrets["refresh token"], "the worker refreshed"
        secrets["refreshed access token"] = credential.access_token
        secrets["refreshed refresh token"] = credential.refresh_token
        # Pages, and error pages: a replayed callback, an unknown page, a refused member.
        for path in ("/week/", "/settings/connection/", "/team/", callback_path(location),
                     "/no-such-page/", "/week/999999/"):
            response = browser.get(path, follow=True)
            pages.append(response.content.decode() + str(response.headers))
    worker_log = log.read_text(errors="replace")
    assert "TaskPool: Apply" in worker_log and "availability.sync_members" in worker_log, (
        "the worker log holds the task messages it ran"
    )
    assert any("availability.sync_user" in message for message in published)
    assert any(r.levelno == logging.DEBUG and r.name.startswith("urllib3") for r in caplog.records)
    lines = [r.getMessage() for r in caplog.records] + [caplog.text]
    places = {
        "a log line of the web process": "\n".join(lines),
        "the worker's log": worker_log,
        "a task message": "\n".join(published),
        "a page": "\n".join(pages),
    }
    assert all(len(value) >= 12 for value in secrets.values()), secrets.keys()
    for where, text in places.items():
        for name, value in secrets.items():
            assert value not in text, f"the {name} appears in {where}"
