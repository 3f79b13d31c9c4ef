"""A user's own sync reads what only they may read: their time notation and their meeting
limits (api-2026.md §2, §3). A refusal or an odd answer is a named problem of the run."""

from __future__ import annotations

import pytest

from availability.models import CalendlyUser, SyncRun
from sandbox.seed import DEMO_MEMBER_EMAIL, DEMO_OWNER_EMAIL
from sync import runs

pytestmark = pytest.mark.django_db(transaction=True)
DEV = "dev@acme.example"  # docs/sandbox.md: a daily limit of 2, 12h time notation


def test_the_user_sync_stores_the_limits_and_time_notation(calendly, connect):
    dev = connect(DEV)
    result = runs.sync_user(dev.pk)
    assert result.status == SyncRun.Status.SUCCEEDED, result.summary
    me = CalendlyUser.objects.get(uri=dev.calendly_user_uri)
    assert (me.daily_limit, me.weekly_limit, me.monthly_limit) == (2, None, None)
    assert me.time_notation == "12h"

    ana = connect(DEMO_MEMBER_EMAIL)
    assert runs.sync_user(ana.pk).status == SyncRun.Status.SUCCEEDED
    ana_row = CalendlyUser.objects.get(uri=ana.calendly_user_uri)
    assert ana_row.time_notation == "24h"
    assert (ana_row.daily_limit, ana_row.weekly_limit, ana_row.monthly_limit) == (None,) * 3


def test_an_organization_sync_leaves_the_limits_alone(calendly, connect):
    """Only the user may read their limits: an admin's sync of everyone does not ask."""
    dev = connect(DEV)
    runs.sync_user(dev.pk)
    owner = connect(DEMO_OWNER_EMAIL)
    runs.sync_user(owner.pk)  # how the dashboard learns the owner administers
    calendly.reset_stats()
    org = runs.sync_organization(owner.organization_uri, dispatch=_inline)
    assert org.status == SyncRun.Status.SUCCEEDED, org.summary
    assert "GET /user_meeting_limits" not in calendly.stats()["requests"]
    assert CalendlyUser.objects.get(uri=dev.calendly_user_uri).daily_limit == 2


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("override", {"daily_limit": 0}),  # 0 is not a limit: Calendly refuses to store it
        ("override", {"weekly_limit": "five"}),
        ("wrong_types", None),
        ("missing_fields", None),
    ],
)
def test_an_odd_meeting_limits_answer_is_a_named_problem(calendly, connect, kind, fields):
    dev = connect(DEV)
    runs.sync_user(dev.pk)
    calendly.fault("/user_meeting_limits", kind, fields=fields)
    result = runs.sync_user(dev.pk)
    assert result.status == SyncRun.Status.PARTIAL, result.summary
    run = SyncRun.objects.get(pk=result.run_id)
    named = f"{dev.calendly_user_uri} meeting limits"
    assert list(run.member_errors) == [named], run.member_errors
    me = CalendlyUser.objects.get(uri=dev.calendly_user_uri)
    # What was read before stays, and the person's availability is not marked unread.
    assert me.daily_limit == 2 and me.sync_problem == ""


def test_a_refused_meeting_limits_read_names_the_missing_scope(calendly, connect):
    """A token without availability:read gets 403 Insufficient scope on the limits too;
    the run names it and goes on with what it may read."""
    scopes = ["users:read", "organizations:read", "event_types:read", "scheduled_events:read"]
    dev = connect(DEV, scopes=scopes)
    result = runs.sync_user(dev.pk)
    assert result.status == SyncRun.Status.PARTIAL, result.summary
    run = SyncRun.objects.get(pk=result.run_id)
    named = f"{dev.calendly_user_uri} meeting limits"
    assert "Insufficient scope" in run.member_errors[named]
    assert ["availability:read"] in run.missing_scopes
    me = CalendlyUser.objects.get(uri=dev.calendly_user_uri)
    assert me.daily_limit is None and me.time_notation == "12h"


def _inline(run_id: int, credential_id: int, batches: list[list[str]]) -> None:
    for batch in batches:
        runs.sync_members(run_id, credential_id, batch)
