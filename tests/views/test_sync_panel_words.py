"""The sync panel and the first-sync empty state say only what is true at the moment
(issue #20, point 5): no "Press Sync now" without the button, no "Syncing… 100%" nor
"not yet" above a week an organization sync filled."""

from datetime import timedelta

from django.urls import reverse

from availability.models import SyncRun
from tests.views import factories as f
from tests.views.conftest import NOW


def _first_timer(client, org):
    nobody = f.calendly_user(org, "First Timer")
    credential = f.sign_in(client, nobody)
    nobody.delete()  # Nothing of theirs synced yet.
    return credential


def _run(credential, status, kind=SyncRun.Kind.USER, subject="", **fields):
    return SyncRun.objects.create(
        kind=kind,
        subject_uri=subject or credential.calendly_user_uri,
        credential=credential,
        status=status,
        **fields,
    )


def test_the_empty_state_during_the_first_sync_says_it_is_under_way_not_press(client, clock, org):
    credential = _first_timer(client, org)
    _run(credential, SyncRun.Status.RUNNING, progress_done=1, progress_total=4)
    html = client.get(reverse("dashboard:week")).content.decode()
    assert 'data-testid="sync-now"' not in html
    assert "Press" not in html
    assert "first sync with Calendly is under way" in html
    assert 'data-testid="last-synced">First sync<' in html


def test_the_empty_state_with_the_button_shown_asks_to_press_it(client, clock, org):
    credential = _first_timer(client, org)
    _run(credential, SyncRun.Status.FAILED, finished_at=NOW, error="Internal error")
    html = client.get(reverse("dashboard:week")).content.decode()
    assert 'data-testid="sync-now"' in html
    assert "Press “Sync now” above" in html
    assert 'data-testid="last-synced">Not synced yet<' in html


def test_a_run_past_its_listed_work_is_finishing_not_syncing_100(client, clock, member):
    f.schedule(member)
    credential = f.sign_in(client, member)
    _run(credential, SyncRun.Status.RUNNING, progress_done=4, progress_total=4)
    html = client.get(reverse("dashboard:week")).content.decode()
    assert "Finishing…" in html
    assert "Syncing… 100%" not in html


def test_a_member_synced_by_their_organization_sees_when_not_not_yet(client, clock, member):
    f.schedule(member)
    credential = f.sign_in(client, member)
    _run(
        credential,
        SyncRun.Status.SUCCEEDED,
        kind=SyncRun.Kind.ORGANIZATION,
        subject=member.organization.uri,
        finished_at=NOW - timedelta(minutes=4),
    )
    html = client.get(reverse("dashboard:week")).content.decode()
    assert "not yet" not in html.lower()
    assert "4\xa0minutes ago" in html
    assert "by your organization’s sync" in html
