"""The order an organization run reads its members in (issue #18, sync/priority.py): who is
on a team page someone has open first, then the stalest (never read first)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from availability.models import CalendlyUser, Membership, SyncRun
from sandbox.seed import DEMO_ADMIN_EMAIL
from sync import priority, runs
from tests.availability.test_sync_live import inline
from tests.views import factories as f


def forget_shown(organization_uri: str) -> None:
    cache.delete(priority._key(organization_uri))


@pytest.mark.django_db
def test_shown_members_first_then_never_read_then_oldest_read():
    org = f.organization("Order")
    forget_shown(org.uri)
    now = timezone.now()
    people = {}
    for name, synced in [("fresh", now), ("old", now - timedelta(hours=3)), ("never", None),
                         ("shown-fresh", now), ("older", now - timedelta(days=2))]:
        person = f.calendly_user(org, name)
        CalendlyUser.objects.filter(pk=person.pk).update(synced_at=synced)
        people[name] = person
    priority.note_shown(org.uri, [people["shown-fresh"].pk])
    given = [people[n].uri for n in ("fresh", "old", "never", "shown-fresh", "older")]

    order = priority.reading_order(org.uri, given)

    names = {p.uri: n for n, p in people.items()}
    assert [names[uri] for uri in order] == ["shown-fresh", "never", "older", "old", "fresh"]
    assert sorted(order) == sorted(given)  # nobody lost, nobody twice


@pytest.mark.django_db
def test_a_page_shown_long_ago_gives_no_place_at_the_front(monkeypatch):
    org = f.organization("Stale view")
    forget_shown(org.uri)
    a, b = f.calendly_user(org, "A"), f.calendly_user(org, "B")
    priority.note_shown(org.uri, [b.pk])
    later = priority.time.time() + priority.SHOWN_SECONDS + 1
    monkeypatch.setattr(priority.time, "time", lambda: later)
    assert priority.shown_recently(org.uri) == set()
    assert priority.reading_order(org.uri, [a.uri, b.uri]) == [a.uri, b.uri]


@pytest.mark.django_db
def test_the_team_page_notes_the_members_it_shows(client):
    org = f.organization("Shown")
    forget_shown(org.uri)
    admin = f.calendly_user(org, "Adam Admin", role=Membership.Role.ADMIN)
    others = [f.calendly_user(org, f"Member {i:02}") for i in range(30)]  # two pages of 25
    f.sign_in(client, admin)
    assert client.get(reverse("dashboard:team")).status_code == 200
    first_page = priority.shown_recently(org.uri)
    assert len(first_page) == 25 and first_page <= {p.pk for p in [admin, *others]}
    assert client.get(reverse("dashboard:team"), {"page": 2}).status_code == 200
    assert priority.shown_recently(org.uri) == {p.pk for p in [admin, *others]}


@pytest.mark.django_db(transaction=True)
def test_an_organization_run_reads_the_members_on_an_open_page_in_its_first_batch(
    calendly, connect, settings
):
    settings.SYNC_MEMBERS_PER_TASK = 2
    admin = connect(DEMO_ADMIN_EMAIL)
    org = admin.organization_uri
    assert runs.sync_user(admin.pk).status == SyncRun.Status.SUCCEEDED
    assert runs.sync_organization(org, inline, "manual").status == SyncRun.Status.SUCCEEDED
    forget_shown(org)
    members = list(  # the admin is read by their own syncs (sync/own_budget.py)
        Membership.objects.filter(organization__uri=org)
        .exclude(user__uri=admin.calendly_user_uri)
        .order_by("-pk")
        .values_list("user_id", "user__uri")
    )
    assert len(members) > 4
    shown = members[:2]  # the last two listed, read last without the page
    priority.note_shown(org, [user_id for user_id, _ in shown])
    handed_on: list[str] = []

    def recording(run_id, credential_id, batches):
        handed_on.extend(uri for batch in batches for uri in batch)
        inline(run_id, credential_id, batches)

    assert runs.sync_organization(org, recording).status == SyncRun.Status.SUCCEEDED
    # The run's own first batch (read beside the listings, before any handed on) is theirs.
    assert len(handed_on) == len(members) - 2
    assert not {uri for _, uri in shown} & set(handed_on)
