"""A sync whose Calendly app lacks a scope: the run records which scope, the people it
concerns show it, and the words say what to enable and that a reconnect follows."""

from __future__ import annotations

import pytest

from availability.models import AvailableSlot, CalendlyUser, SyncRun
from sandbox.scopes import ALL_SCOPES
from sandbox.seed import DEMO_ADMIN_EMAIL, DEMO_MEMBER_EMAIL
from sync import panel, runs
from tests.availability.test_sync_live import inline

pytestmark = pytest.mark.django_db(transaction=True)


def all_but(*left_out: str) -> list[str]:
    return [scope for scope in ALL_SCOPES if scope not in left_out]


def test_without_availability_read_the_run_names_the_scope(connect):
    credential = connect(DEMO_MEMBER_EMAIL, scopes=all_but("availability:read"))
    run = SyncRun.objects.get(pk=runs.sync_user(credential.pk).run_id)
    assert run.status == SyncRun.Status.PARTIAL, run.error
    assert run.missing_scopes == [["availability:read"]]
    me = CalendlyUser.objects.get(uri=credential.calendly_user_uri)
    assert me.sync_problem == CalendlyUser.Problem.INSUFFICIENT_SCOPE
    assert me.sync_problem_detail == (
        "enable availability:read in the Calendly app's settings, then reconnect"
    )
    # Available times take event_types:read as well (api-2026.md §1.3): slots still come.
    assert AvailableSlot.objects.filter(event_type__hosts__uri=me.uri).exists()
    words = panel.error_words(run)
    assert "missing the scope availability:read" in words
    assert "Enable it in the app's settings" in words and "reconnect" in words


def test_without_event_types_read_the_run_fails_with_its_own_kind(connect):
    credential = connect(DEMO_MEMBER_EMAIL, scopes=all_but("event_types:read"))
    result = runs.sync_user(credential.pk)
    run = SyncRun.objects.get(pk=result.run_id)
    assert run.status == SyncRun.Status.FAILED and result.retry_in is None
    assert run.error_kind == SyncRun.ErrorKind.INSUFFICIENT_SCOPE
    assert run.missing_scopes == [["event_types:read"]]
    assert panel.error_words(run).startswith("The last sync failed. The Calendly app")


def test_a_good_run_after_reconnecting_records_no_missing_scope(connect):
    connect(DEMO_MEMBER_EMAIL, scopes=all_but("availability:read"))
    credential = connect(DEMO_MEMBER_EMAIL)  # signed in again with a full grant
    run = SyncRun.objects.get(pk=runs.sync_user(credential.pk).run_id)
    assert run.status == SyncRun.Status.SUCCEEDED and run.missing_scopes == []
    assert panel.error_words(run) == ""
    me = CalendlyUser.objects.get(uri=credential.calendly_user_uri)
    assert me.sync_problem == ""


def test_an_organization_run_collects_the_missing_scope_from_its_members(connect):
    admin = connect(DEMO_ADMIN_EMAIL, scopes=all_but("availability:read"))
    runs.sync_user(admin.pk)  # learns the admin's membership
    run = SyncRun.objects.get(pk=runs.sync_organization(admin.organization_uri, inline).run_id)
    assert run.status == SyncRun.Status.PARTIAL, run.error
    assert run.missing_scopes == [["availability:read"]]
    refused = CalendlyUser.objects.filter(sync_problem=CalendlyUser.Problem.INSUFFICIENT_SCOPE)
    assert refused.count() == len(run.member_errors) > 1
