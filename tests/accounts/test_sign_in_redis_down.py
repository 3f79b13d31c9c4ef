"""With Redis down (broker, cache and rate budget alike), signing in still works: the
credential is stored, the page answers, and the first sync says in words that the task
queue is unavailable instead of waiting for a worker for ever."""

from __future__ import annotations

import contextlib

import pytest
from celery import current_app

from accounts.models import CalendlyCredential
from availability.models import SyncRun
from sandbox.seed import DEMO_MEMBER_EMAIL
from tests.accounts.oauth_flow import sign_in
from tests.sandbox_process import free_port

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def broker_at(url: str):
    """This process's Celery app sending to ``url``; its pools rebuilt before and after."""
    app = current_app._get_current_object()
    before = app.conf.broker_url
    app.conf.broker_url = url
    app._pool, app.amqp._producer_pool = None, None
    try:
        yield
    finally:
        app.conf.broker_url = before
        app._pool, app.amqp._producer_pool = None, None


def test_signing_in_with_redis_down_stores_the_credential_and_says_why_no_sync(
    client, calendly, settings, django_capture_on_commit_callbacks
):
    dead = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    settings.REDIS_URL = dead  # the rate budget's store
    settings.CACHES = {  # the rate limits' counters
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": dead}
    }
    with broker_at(dead), django_capture_on_commit_callbacks(execute=True):
        response = sign_in(client, DEMO_MEMBER_EMAIL)
        assert response.status_code == 302
    # (The sign-in's on-commit listeners ran as the block above closed, Redis still down.)
    page = client.get("/week/")
    assert page.status_code == 200
    credential = CalendlyCredential.objects.get()
    assert credential.state == CalendlyCredential.State.ACTIVE
    run = SyncRun.objects.get(subject_uri=credential.calendly_user_uri)
    assert run.status == SyncRun.Status.FAILED
    assert "task queue is unavailable" in run.error
    assert "task queue is unavailable" in page.content.decode()
