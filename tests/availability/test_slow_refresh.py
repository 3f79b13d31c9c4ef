"""Schedules read slowly (issue #18, sync/slow_refresh.py): a periodic run leaves schedules
stored within SYNC_SLOW_REFRESH_HOURS as they are, and re-reads older ones; a sign-in or
"Sync now" reads them whatever their age. Against the sandbox: a stored schedule is marked
by hand, and whether the next run puts Calendly's back shows whether it read it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from availability.models import AvailabilitySchedule, SyncRun
from sandbox.seed import DEMO_ADMIN_EMAIL
from sync import runs
from tests.availability.test_sync_live import inline

pytestmark = pytest.mark.django_db(transaction=True)

SCHEDULES = "GET /user_availability_schedules"
MARK = [{"type": "wday", "wday": "sunday", "intervals": []}]  # never what the sandbox serves


def mark_stored(user_uri: str, age: timedelta) -> None:
    AvailabilitySchedule.objects.filter(user__uri=user_uri).update(
        rules=MARK, synced_at=timezone.now() - age
    )


def marked(user_uri: str) -> bool:
    return all(s.rules == MARK for s in AvailabilitySchedule.objects.filter(user__uri=user_uri))


@pytest.fixture
def admin(calendly, connect):
    credential = connect(DEMO_ADMIN_EMAIL)
    assert runs.sync_user(credential.pk, trigger="sign_in").status == SyncRun.Status.SUCCEEDED
    assert AvailabilitySchedule.objects.filter(user__uri=credential.calendly_user_uri).exists()
    return credential


def user_run(calendly, credential, trigger: str) -> int:
    calendly.reset_stats()
    assert runs.sync_user(credential.pk, trigger=trigger).status == SyncRun.Status.SUCCEEDED
    return calendly.stats()["requests"].get(SCHEDULES, 0)


def test_a_periodic_run_leaves_schedules_younger_than_the_slow_refresh(calendly, admin, settings):
    me = admin.calendly_user_uri
    mark_stored(me, timedelta(hours=settings.SYNC_SLOW_REFRESH_HOURS) - timedelta(minutes=5))
    assert user_run(calendly, admin, "schedule") == 0
    assert marked(me)  # kept as stored: not read


def test_a_periodic_run_rereads_schedules_older_than_the_slow_refresh(calendly, admin, settings):
    me = admin.calendly_user_uri
    mark_stored(me, timedelta(hours=settings.SYNC_SLOW_REFRESH_HOURS, minutes=1))
    assert user_run(calendly, admin, "schedule") == 1
    assert not marked(me)
    fresh = AvailabilitySchedule.objects.filter(user__uri=me).values_list("synced_at", flat=True)
    assert all(timezone.now() - moment < timedelta(minutes=5) for moment in fresh)


@pytest.mark.parametrize("trigger", ["manual", "sign_in"])
def test_sync_now_and_sign_in_read_schedules_however_fresh(calendly, admin, trigger):
    me = admin.calendly_user_uri
    mark_stored(me, timedelta(0))
    assert user_run(calendly, admin, trigger) == 1
    assert not marked(me)


def test_zero_hours_reads_schedules_on_every_run(calendly, admin, settings):
    settings.SYNC_SLOW_REFRESH_HOURS = 0
    mark_stored(admin.calendly_user_uri, timedelta(0))
    assert user_run(calendly, admin, "schedule") == 1
    assert not marked(admin.calendly_user_uri)


def test_an_organization_run_reads_only_the_members_whose_schedules_are_due(
    calendly, admin, settings
):
    org = admin.organization_uri
    assert runs.sync_organization(org, inline, "manual").status == SyncRun.Status.SUCCEEDED
    members = list(
        AvailabilitySchedule.objects.exclude(user__uri=admin.calendly_user_uri)
        .values_list("user__uri", flat=True).distinct()
    )
    assert len(members) >= 3
    old, young = members[:2], members[2:]
    for uri in old:
        mark_stored(uri, timedelta(hours=settings.SYNC_SLOW_REFRESH_HOURS, minutes=1))
    for uri in young:
        mark_stored(uri, timedelta(minutes=1))

    calendly.reset_stats()
    result = runs.sync_organization(org, inline)
    run = SyncRun.objects.get(pk=result.run_id)
    # Done, not waiting for the requests it did not make: they count as steps all the same.
    assert run.status == SyncRun.Status.SUCCEEDED and run.progress_done == run.progress_total
    assert calendly.stats()["requests"].get(SCHEDULES, 0) == len(old)
    assert not any(marked(uri) for uri in old)
    assert all(marked(uri) for uri in young)
