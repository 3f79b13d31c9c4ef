"""Celery tasks: they take ids, never tokens, and only schedule; ``sync.runs`` decides.

For the UI and sign-in: ``request_user_sync(credential_id)`` and
``request_organization_sync(organization_uri)`` show a queued run at once and
send the task; ``sync_after_sign_in(credential_id)`` also syncs the user's
organization when they administer it. Beat runs ``schedule_periodic_syncs``.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from celery import group, shared_task
from django.conf import settings
from django.utils import timezone

from accounts.models import CalendlyCredential
from availability.models import Membership, Organization, SyncRun
from sync import lifecycle, runs

log = logging.getLogger(__name__)
MAX_RETRIES = 3


def _report(task, result: runs.Result) -> str:
    log.info("%s: %s", task.name, result.summary)
    if result.retry_in is not None and task.request.retries < MAX_RETRIES:
        countdown = min(result.retry_in, 900)
        _note_retry(result.run_id, countdown)
        raise task.retry(countdown=countdown, max_retries=MAX_RETRIES)
    return result.summary


def _note_retry(run_id: int | None, countdown: float) -> None:
    """The failed run says when its retry is due, for the sync panel to show."""
    retry_at = timezone.now() + timedelta(seconds=countdown)
    SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.FAILED).update(retry_at=retry_at)


# Queues (settings.CELERY_TASK_QUEUES), which a worker serves in turn, so a flood of one
# kind (every organization's periodic sync, a burst of webhooks) never starves a person
# waiting on "Sync now" or their first sync.
INTERACTIVE, PERIODIC, WEBHOOKS = "interactive", "periodic", "webhooks"
QUEUE_OF_TRIGGER = {"manual": INTERACTIVE, "sign_in": INTERACTIVE, "webhook": WEBHOOKS}


def queue_for(trigger: str) -> str:
    return QUEUE_OF_TRIGGER.get(trigger, PERIODIC)


# Syncs wait on the per-user rate budget (50 requests a minute on Calendly's Free plan),
# so they get longer limits than the default; under Redis' one-hour visibility timeout.
LONG = {"soft_time_limit": 1800, "time_limit": 1860}


@shared_task(name="availability.sync_user", bind=True, **LONG)
def sync_user(self, credential_id: int, trigger: str = "schedule", then_organization: bool = False):
    result = runs.sync_user(credential_id, trigger)
    if then_organization and result.status in (SyncRun.Status.SUCCEEDED, SyncRun.Status.PARTIAL):
        _follow_with_organization(credential_id, trigger)
    return _report(self, result)


def _follow_with_organization(credential_id: int, trigger: str) -> None:
    uri = (
        CalendlyCredential.objects.filter(pk=credential_id)
        .values_list("calendly_user_uri", flat=True)
        .first()
    )
    for organization in (
        Membership.objects.administering().filter(user__uri=uri).values_list(
            "organization__uri", flat=True
        )
    ):
        request_organization_sync(organization, trigger)


@shared_task(name="availability.sync_organization", bind=True, **LONG)
def sync_organization(self, organization: str | int, trigger: str = "schedule"):
    uri = organization
    if isinstance(organization, int) or str(organization).isdigit():
        uri = Organization.objects.values_list("uri", flat=True).get(pk=int(organization))
    dispatch = partial(_dispatch_members, queue=queue_for(trigger))
    return _report(self, runs.sync_organization(uri, dispatch, trigger))


def _dispatch_members(
    run_id: int, credential_id: int, batches: list[list[str]], queue: str = PERIODIC
) -> None:
    group(sync_members.s(run_id, credential_id, batch) for batch in batches).apply_async(
        queue=queue
    )


@shared_task(name="availability.sync_members", bind=True, **LONG)
def sync_members(self, run_id: int, credential_id: int, members: list[str]):
    result = runs.sync_members(run_id, credential_id, members)
    log.info("%s: %s", self.name, result.summary)
    return result.summary


@shared_task(name="availability.schedule_periodic_syncs")
def schedule_periodic_syncs() -> str:
    """Every active credential's user, and every organization one of them administers."""
    expires = max(30, settings.SYNC_INTERVAL_MINUTES * 60 - 30)
    # What is queued or running already is not sent again: its run serves this tick too.
    busy = SyncRun.objects.filter(status__in=SyncRun.ACTIVE).values("subject_uri")
    credentials = CalendlyCredential.objects.filter(state=CalendlyCredential.State.ACTIVE)
    users = list(credentials.exclude(calendly_user_uri__in=busy).values_list("pk", flat=True))
    organizations = list(
        Membership.objects.administering()
        .filter(user__uri__in=credentials.values("calendly_user_uri"))
        .exclude(organization__uri__in=busy)
        .values_list("organization__uri", flat=True)
        .distinct()
    )
    for credential_id in users:
        sync_user.apply_async((credential_id,), expires=expires, queue=PERIODIC)
    for uri in organizations:
        sync_organization.apply_async((uri,), expires=expires, queue=PERIODIC)
    return f"scheduled {len(users)} user(s), {len(organizations)} organization(s)"


# --- For the UI and sign-in ---------------------------------------------------------


def request_user_sync(credential_id: int, trigger: str = "manual", **options) -> SyncRun:
    return ask_user_sync(credential_id, trigger, **options)[0]


def ask_user_sync(
    credential_id: int, trigger: str = "manual", **options
) -> tuple[SyncRun, bool]:
    """ "Sync now": (a queued run the page can show at once, True) and the task that will
    run it is sent; or (the run already queued or running for this user, False), nothing."""
    uri = CalendlyCredential.objects.values_list("calendly_user_uri", flat=True).get(
        pk=credential_id
    )
    run, created = lifecycle.request(
        SyncRun.Kind.USER, uri, credential_id=credential_id, trigger=trigger
    )
    if created:
        _send(run, sync_user, (credential_id, trigger), options, queue_for(trigger))
    return run, created


def request_organization_sync(organization_uri: str, trigger: str = "manual") -> SyncRun:
    run, created = lifecycle.request(
        SyncRun.Kind.ORGANIZATION, organization_uri, credential_id=None, trigger=trigger
    )
    if created:
        _send(run, sync_organization, (organization_uri, trigger), {}, queue_for(trigger))
    return run


def _send(run: SyncRun, task, args: tuple, kwargs: dict, queue: str) -> None:
    try:
        task.apply_async(args, kwargs, queue=queue)
    except Exception as error:  # noqa: BLE001 - kombu's errors differ by transport
        log.warning("Sync run %s not sent to the queue: %s", run.pk, type(error).__name__)
        lifecycle.not_sent(
            run,
            "The task queue is unavailable, so this sync could not start; "
            "try Sync now again in a minute.",
        )


def sync_after_sign_in(credential_id: int) -> SyncRun:
    return request_user_sync(credential_id, "sign_in", then_organization=True)
