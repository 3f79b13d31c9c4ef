"""The sync panel: Sync now queues a run, the panel polls until it ends, errors in words."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import CalendlyCredential
from availability.models import SyncRun
from tests.views import factories as f
from tests.views.conftest import NOW

HTMX = {"HX-Request": "true"}


@pytest.fixture
def signed_in(client, clock, member):
    f.schedule(member)
    return f.sign_in(client, member)


def _finish(run: SyncRun, status: str, error: str = "", **fields) -> None:
    SyncRun.objects.filter(pk=run.pk).update(
        status=status, error=error, finished_at=NOW, progress_done=5, progress_total=5, **fields
    )


def test_sync_now_queues_a_run_and_the_panel_polls_until_it_is_done(client, signed_in):
    response = client.post(reverse("dashboard:sync_now"), headers=HTMX)
    html = response.content.decode()
    run = SyncRun.objects.get(subject_uri=signed_in.calendly_user_uri)
    assert run.status == SyncRun.Status.QUEUED and run.trigger == "manual"
    assert 'hx-trigger="every 1s"' in html and "Waiting for a worker" in html
    assert "<html" not in html

    SyncRun.objects.filter(pk=run.pk).update(
        status=SyncRun.Status.RUNNING, progress_done=3, progress_total=4
    )
    html = client.get(reverse("dashboard:sync_progress"), headers=HTMX).content.decode()
    assert "Syncing… 75%" in html and 'value="75"' in html
    assert 'hx-trigger="every 1s"' in html

    _finish(run, SyncRun.Status.SUCCEEDED)
    response = client.get(reverse("dashboard:sync_progress"), headers=HTMX)
    html = response.content.decode()
    assert 'hx-trigger="every 1s"' not in html
    assert "Up to date" in html and 'data-testid="sync-now"' in html
    assert json.loads(response["HX-Trigger"]) == {"week-refresh": {}}


def test_a_page_with_nothing_to_show_reloads_once_the_first_sync_is_done(client, clock, org):
    nobody = f.calendly_user(org, "First Timer")
    credential = f.sign_in(client, nobody)
    nobody.delete()  # Not synced yet: the sign-in sync is still queued.
    run = SyncRun.objects.create(
        kind=SyncRun.Kind.USER, subject_uri=credential.calendly_user_uri, credential=credential
    )
    html = client.get(reverse("dashboard:week")).content.decode()
    assert "Nothing synced yet" in html
    assert 'hx-get="/sync/progress/?then=reload" hx-trigger="every 1s"' in html
    _finish(run, SyncRun.Status.SUCCEEDED)
    response = client.get(reverse("dashboard:sync_progress"), {"then": "reload"}, headers=HTMX)
    assert response["HX-Refresh"] == "true"


def test_sync_now_without_htmx_returns_to_the_week(client, signed_in):
    response = client.post(reverse("dashboard:sync_now"))
    assert response.status_code == 302 and response["Location"] == reverse("dashboard:week")


def test_last_synced_says_how_long_ago(client, signed_in):
    CalendlyCredential.objects.filter(pk=signed_in.pk).update(
        last_synced_at=NOW - timedelta(minutes=7)
    )
    html = client.get(reverse("dashboard:week")).content.decode()
    assert "7\xa0minutes ago" in html


Kind = SyncRun.ErrorKind


@pytest.mark.parametrize(
    ("error", "kind", "retry_in", "words"),
    [
        ("429 Too Many Requests: slow down", Kind.RATE_LIMITED, timedelta(seconds=47),
         "Calendly rate limited this dashboard — retrying at 12:00."),
        ("429 Too Many Requests: slow down", Kind.RATE_LIMITED, timedelta(minutes=14, seconds=5),
         "Calendly rate limited this dashboard — retrying at 12:14."),
        ("429 Too Many Requests: slow down", Kind.RATE_LIMITED, None,
         "Calendly rate limited this dashboard — the next scheduled sync will try again."),
        ("503 Service Unavailable: try later", Kind.CALENDLY_UNAVAILABLE, timedelta(minutes=2),
         "Calendly is unavailable — retrying at 12:02."),
        ("Calendly did not answer after 8 attempts (ReadTimeout)", Kind.CALENDLY_UNAVAILABLE, None,
         "Calendly is unavailable — the next scheduled sync will try again."),
        ("Calendly needs reconnecting: invalid_grant", Kind.NEEDS_RECONNECT, None,
         "Calendly needs reconnecting: sign in"),
        ("403 Permission Denied: no", Kind.PERMISSION, None,
         "Calendly refused access: 403 Permission Denied: no"),
        ("Internal error: KeyError", Kind.FAILED, None, "The last sync failed: Internal error"),
    ],
)
def test_sync_errors_in_words_with_the_retry_the_task_scheduled(
    client, signed_in, error, kind, retry_in, words
):
    run = SyncRun.objects.create(
        kind=SyncRun.Kind.USER, subject_uri=signed_in.calendly_user_uri, credential=signed_in
    )
    retry_at = NOW + retry_in if retry_in else None
    _finish(run, SyncRun.Status.FAILED, error, error_kind=kind, retry_at=retry_at)
    html = client.get(reverse("dashboard:week"), {"tz": "UTC"}).content.decode()
    assert words in html


def test_the_retry_time_is_shown_in_the_display_zone(client, signed_in):
    run = SyncRun.objects.create(
        kind=SyncRun.Kind.USER, subject_uri=signed_in.calendly_user_uri, credential=signed_in
    )
    _finish(run, SyncRun.Status.FAILED, "429 Too Many Requests", error_kind=Kind.RATE_LIMITED,
            retry_at=NOW + timedelta(minutes=3))
    html = client.get(reverse("dashboard:week"), {"tz": "Asia/Kolkata"}).content.decode()
    assert "retrying at 17:33." in html  # 12:03 UTC


def test_an_old_run_without_a_kind_is_not_guessed_from_its_text(client, signed_in):
    run = SyncRun.objects.create(
        kind=SyncRun.Kind.USER, subject_uri=signed_in.calendly_user_uri, credential=signed_in
    )
    _finish(run, SyncRun.Status.FAILED, "429 Too Many Requests: slow down")
    html = client.get(reverse("dashboard:week"), {"tz": "UTC"}).content.decode()
    assert "The last sync failed: 429 Too Many Requests: slow down" in html
    assert "retrying at" not in html


def test_a_credential_that_needs_reconnecting_says_so_and_starts_nothing(client, clock, member):
    f.schedule(member)
    credential = f.sign_in(client, member, CalendlyCredential.State.NEEDS_RECONNECT)
    html = client.post(reverse("dashboard:sync_now"), headers=HTMX).content.decode()
    assert "Calendly needs reconnecting" in html
    assert not SyncRun.objects.filter(subject_uri=credential.calendly_user_uri).exists()
