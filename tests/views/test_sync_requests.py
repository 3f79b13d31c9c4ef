"""Sync requests cannot flood the queue, and a broker that is down costs a message, not a
run that waits for ever: at most one queued or running sync per user and organization,
"Sync now" says a sync is already running, and each kind of work has its own queue."""

from __future__ import annotations

import subprocess
import sys

import pytest
from celery import current_app
from django.conf import settings
from django.urls import reverse

from availability.models import SyncRun
from sync import tasks
from tests.sandbox_process import free_port
from tests.views import factories as f
from tests.workers import PROJECT_ROOT, process_env

HTMX = {"HX-Request": "true"}


def queued_messages(queue: str = "interactive") -> int:
    """The messages waiting in ``queue`` of this run's broker (Redis, or the embedded one)."""
    with current_app.connection_for_write() as connection:
        # Not passive: Redis holds no key for an empty queue, so "does it exist" says no.
        bound = current_app.amqp.queues[queue].bind(connection.default_channel)
        return bound.queue_declare(passive=False).message_count


@pytest.fixture
def signed_in(client, clock, member):
    f.schedule(member)
    return f.sign_in(client, member)


@pytest.mark.django_db
def test_a_hundred_clicks_on_sync_now_send_one_task(client, signed_in):
    before = queued_messages()
    answers = [client.post(reverse("dashboard:sync_now"), headers=HTMX) for _ in range(100)]
    assert SyncRun.objects.filter(subject_uri=signed_in.calendly_user_uri).count() == 1
    assert queued_messages() - before == 1
    assert "already running" not in answers[0].content.decode()
    for answer in answers[1:]:
        html = answer.content.decode()
        assert "A sync is already running" in html and 'hx-trigger="every 1s"' in html
    # Once it is over, the next click starts another.
    SyncRun.objects.update(status=SyncRun.Status.SUCCEEDED)
    client.post(reverse("dashboard:sync_now"), headers=HTMX)
    assert SyncRun.objects.filter(status=SyncRun.Status.QUEUED).count() == 1
    assert queued_messages() - before == 2


@pytest.mark.django_db
def test_an_organization_sync_already_queued_is_not_sent_again():
    first = tasks.request_organization_sync("https://api.calendly.com/organizations/O")
    again = tasks.request_organization_sync("https://api.calendly.com/organizations/O", "webhook")
    assert again.pk == first.pk and SyncRun.objects.count() == 1


def test_each_kind_of_work_has_a_queue_every_worker_serves():
    assert tasks.queue_for("manual") == tasks.queue_for("sign_in") == "interactive"
    assert tasks.queue_for("schedule") == "periodic"
    assert tasks.queue_for("webhook") == "webhooks"
    served = {queue.name for queue in settings.CELERY_TASK_QUEUES}
    assert {"interactive", "periodic", "webhooks"} <= served
    assert settings.CELERY_TASK_ROUTES["webhooks.*"] == {"queue": "webhooks"}


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_a_sync_request_ends_its_run_in_words(client, member):
    credential = f.sign_in(client, member)
    dead = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    code = (
        "from sync import tasks; "
        f"run = tasks.request_user_sync({credential.pk}); print(run.status, '|', run.error)"
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=PROJECT_ROOT,
        env=process_env({"REDIS_URL": dead}), capture_output=True, text=True, timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == (
        "failed | The task queue is unavailable, so this sync could not start; "
        "try Sync now again in a minute."
    )
    run = SyncRun.objects.get(subject_uri=member.uri)
    assert run.status == SyncRun.Status.FAILED and run.finished_at is not None
    # The broker is back (here: the embedded one): the next request is a new queued run.
    again = tasks.request_user_sync(credential.pk)
    assert again.pk != run.pk and again.status == SyncRun.Status.QUEUED
