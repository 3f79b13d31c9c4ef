"""Whose rate budget reads whom (issue #18, item 2): a member who signed in is read by their
own syncs, with their own token; the organization's run, with the admin's token, reads
only the others, and falls back to reading a member whose own connection stopped keeping
them fresh. Against the sandbox: its busy-time reads count the members the admin's run read
(schedules are not a count: a periodic run leaves fresh ones alone, sync/slow_refresh.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import CalendlyCredential
from availability.models import BusyBlock, SyncRun
from sandbox.seed import DEMO_ADMIN_EMAIL, DEMO_MEMBER_EMAIL
from sync import runs
from sync.windows import sync_windows
from tests.availability import expected as x
from tests.availability.test_sync_live import inline

pytestmark = pytest.mark.django_db(transaction=True)

BUSY_TIMES = "GET /user_busy_times"


def organization_run(calendly, org: str):
    """The organization's run, inline; the members it read with the admin's token."""
    calendly.reset_stats()
    result = runs.sync_organization(org, inline)
    run = SyncRun.objects.get(pk=result.run_id)
    assert run.status == SyncRun.Status.SUCCEEDED, (run.error, run.member_errors)
    windows = len(sync_windows())
    return result, calendly.stats()["requests"].get(BUSY_TIMES, 0) / windows


@pytest.fixture
def signed_in(calendly, connect):
    """The admin and a plain member signed in, each read once by their own sync."""
    admin, member = connect(DEMO_ADMIN_EMAIL), connect(DEMO_MEMBER_EMAIL)
    for credential in (admin, member):
        assert runs.sync_user(credential.pk).status == SyncRun.Status.SUCCEEDED
    org = admin.organization_uri
    size = len(x.members(calendly.dump(), org))  # as Calendly lists them
    assert size > 2
    return admin, member, org, size


def test_who_signed_in_costs_their_own_budget_not_the_admins(calendly, signed_in):
    admin, member, org, size = signed_in
    result, read = organization_run(calendly, org)
    assert read == size - 2  # everyone but the two whose own syncs read them
    assert "2 member(s) read with their own connection" in result.summary
    # The member's week is still whole: their own sync stored it.
    assert BusyBlock.objects.filter(user__uri=member.calendly_user_uri).exists()


def test_a_member_whose_connection_broke_is_read_with_the_admins_again(calendly, signed_in):
    admin, member, org, size = signed_in
    CalendlyCredential.objects.filter(pk=member.pk).update(
        state=CalendlyCredential.State.NEEDS_RECONNECT
    )
    result, read = organization_run(calendly, org)
    assert read == size - 1  # only the admin reads themselves now
    assert "1 member(s) read with their own connection" in result.summary


def test_a_member_whose_own_syncs_stopped_succeeding_is_read_with_the_admins(
    calendly, signed_in
):
    """Connected, but no own sync succeeded for two intervals (a missing scope, a worker
    down): the admin's run reads them, so nobody's row goes stale unread."""
    admin, member, org, size = signed_in
    long_ago = timezone.now() - timedelta(minutes=2 * settings.SYNC_INTERVAL_MINUTES + 1)
    SyncRun.objects.filter(subject_uri=member.calendly_user_uri).update(finished_at=long_ago)
    _, read = organization_run(calendly, org)
    assert read == size - 1
