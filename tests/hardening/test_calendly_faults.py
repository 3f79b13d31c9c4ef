"""The sync against malformed Calendly answers, served by the sandbox over real HTTP: wrong
types, missing fields, invalid time zones, huge pages, non-JSON and truncated bodies, on
each endpoint a user sync reads. The Celery task never crashes, the run ends with its
error in words, and what an earlier sync stored is still there."""

from __future__ import annotations

from datetime import timedelta

import pytest
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

pytestmark = pytest.mark.django_db(transaction=True)

PATHS = [
    "/organization_memberships",
    "/event_types",
    "/user_availability_schedules",
    "/user_busy_times",
    "/event_type_available_times",
    "/scheduled_events",
]
KINDS = ["non_json", "truncated", "wrong_types", "missing_fields", "invalid_timezone", "huge_page"]
FINAL = (SyncRun.Status.SUCCEEDED, SyncRun.Status.PARTIAL, SyncRun.Status.FAILED)


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


@pytest.fixture
def synced(sandbox, settings):
    aim_at(settings, sandbox)
    # One window each and one retry: the same code paths, in a fraction of the time.
    settings.SYNC_HORIZON_DAYS = 7
    settings.CALENDLY_MAX_ATTEMPTS = 2
    credential = store_credential(sandbox, DEMO_OWNER_EMAIL)
    first = run_task(credential.pk)
    assert first.status == SyncRun.Status.SUCCEEDED, first.error
    yield credential
    sandbox.control("DELETE", "/faults")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("path", PATHS)
def test_a_malformed_answer_ends_the_run_in_words_and_loses_nothing(sandbox, synced, path, kind):
    before = stored()
    sandbox.fault(path, kind, count=1000)  # every answer of that path, retries included
    run = run_task(synced.pk)
    sandbox.control("DELETE", "/faults")
    assert sandbox.stats()["faults"], "the malformed answer was served"
    assert run.status in FINAL
    if run.status != SyncRun.Status.SUCCEEDED:
        words = run.error or " ".join(run.member_errors.values())
        assert words.strip(), "a run that did not succeed says why"
        assert "Internal error" not in words and "Traceback" not in words, words
    after = stored()
    for table, rows in before.items():
        lost = rows - after[table]
        assert not lost, f"{path} {kind}: {len(lost)} {table} row(s) lost, e.g. {sorted(lost)[:2]}"
