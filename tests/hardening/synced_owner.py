"""A sandbox owner synced once, and what the dashboard then holds: the ground the fault
tests (malformed and odd answers) start from."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from availability.models import (
    AvailabilitySchedule,
    AvailableSlot,
    BusyBlock,
    CalendlyUser,
    EventType,
    Membership,
    SyncRun,
)
from sandbox.seed import DEMO_OWNER_EMAIL
from sync import tasks
from tests.availability.conftest import aim_at, store_credential


def stored() -> dict[str, set]:
    """What the dashboard holds, from a few minutes ahead on (earlier slots pass as time does)."""
    cut = timezone.now() + timedelta(minutes=5)
    return {
        "users": set(CalendlyUser.objects.values_list("uri", "name")),
        "memberships": set(Membership.objects.values_list("uri", "role")),
        "event_types": set(
            EventType.objects.filter(deleted_at=None).values_list("uri", "name", "duration")
        ),
        "schedules": set(AvailabilitySchedule.objects.values_list("uri", "name")),
        "busy": set(
            BusyBlock.objects.filter(start__gte=cut).values_list("user__uri", "start", "end")
        ),
        "slots": set(
            AvailableSlot.objects.filter(start__gte=cut).values_list("event_type__uri", "start")
        ),
    }


def run_task(credential_id: int) -> SyncRun:
    """The Celery task itself, in this process: an exception would fail the EagerResult."""
    result = tasks.sync_user.apply(args=(credential_id, "manual"))
    assert result.successful(), result.traceback
    return SyncRun.objects.order_by("-pk").first()


def synced_owner(sandbox, settings):
    """The body of the ``synced`` fixture (tests/hardening/conftest.py)."""
    aim_at(settings, sandbox)
    # One window each and one retry: the same code paths, in a fraction of the time.
    settings.SYNC_HORIZON_DAYS = 7
    settings.CALENDLY_MAX_ATTEMPTS = 2
    credential = store_credential(sandbox, DEMO_OWNER_EMAIL)
    first = run_task(credential.pk)
    assert first.status == SyncRun.Status.SUCCEEDED, first.error
    yield credential
    sandbox.control("DELETE", "/faults")
