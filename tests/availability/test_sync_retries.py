"""When a failed sync will be tried again: the task's Celery retry is written on the run
(``retry_at``) with what kind of failure it was, against the sandbox over HTTP. Run eagerly
(``apply``), a task's retries run at once, one after another, each a run of its own."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from celery.exceptions import Retry

from availability.models import SyncRun
from sandbox.seed import DEMO_MEMBER_EMAIL, DEMO_OWNER_EMAIL
from sync import runs, tasks

pytestmark = pytest.mark.django_db(transaction=True)
Kind = SyncRun.ErrorKind


def runs_of(credential) -> list[SyncRun]:
    return list(SyncRun.objects.filter(subject_uri=credential.calendly_user_uri).order_by("pk"))


def test_a_rate_limited_sync_retries_when_calendly_said_its_limit_resets(
    calendly, connect, settings
):
    settings.CALENDLY_MAX_RATE_LIMIT_WAIT_SECONDS = 1  # too long a wait: the task retries later
    owner = connect(DEMO_OWNER_EMAIL)
    calendly.configure(rate_limit_per_minute=3, rate_limit_scope="user")
    other_token = calendly.mint_token(DEMO_OWNER_EMAIL)["access_token"]
    for _ in range(3):  # the user's minute, spent by another app of theirs
        requests.get(f"{calendly.url}/users/me", headers=calendly.auth(other_token), timeout=10)

    # Called as a worker would, minus the broker: the retry is scheduled, not run at once
    # (an eager retry would wait out the learned 3-a-minute limit and sync very slowly).
    with pytest.raises(Retry, match=r"Task can be retried"):
        tasks.sync_user(owner.pk, "manual")

    (run,) = runs_of(owner)
    assert run.status == SyncRun.Status.FAILED and run.error_kind == Kind.RATE_LIMITED
    assert "429" in run.error
    # Retried when Calendly's announced reset comes (Retry-After), within the minute.
    assert run.retry_at is not None
    assert timedelta(seconds=1) < run.retry_at - run.finished_at <= timedelta(seconds=62)


def test_an_unavailable_calendly_is_retried_in_two_minutes(calendly, connect, settings):
    settings.CALENDLY_MAX_ATTEMPTS = 1
    owner = connect(DEMO_OWNER_EMAIL)
    calendly.configure(error_rate=1.0)
    tasks.sync_user.apply(args=(owner.pk, "manual"), retries=tasks.MAX_RETRIES - 1)
    first, last = runs_of(owner)
    assert first.error_kind == last.error_kind == Kind.CALENDLY_UNAVAILABLE
    waited = first.retry_at - first.finished_at
    assert timedelta(seconds=runs.UNAVAILABLE_RETRY_SECONDS) <= waited
    assert waited <= timedelta(seconds=runs.UNAVAILABLE_RETRY_SECONDS + 2)
    assert last.retry_at is None


def test_refusals_say_what_kind_they_are_and_schedule_no_retry(calendly, connect):
    member = connect(DEMO_MEMBER_EMAIL)
    org = runs.sync_organization(member.organization_uri, lambda *args: None)
    assert SyncRun.objects.get(pk=org.run_id).error_kind == Kind.PERMISSION  # not an admin
    member.state = member.State.NEEDS_RECONNECT
    member.save(update_fields=["state"])
    tasks.sync_user.apply(args=(member.pk, "manual"))
    (run,) = runs_of(member)
    assert run.error_kind == Kind.NEEDS_RECONNECT and run.retry_at is None


def test_a_good_run_has_no_error_kind(calendly, connect):
    owner = connect(DEMO_OWNER_EMAIL)
    tasks.sync_user.apply(args=(owner.pk, "manual"))
    (run,) = runs_of(owner)
    assert run.status == SyncRun.Status.SUCCEEDED
    assert run.error_kind == "" and run.retry_at is None
