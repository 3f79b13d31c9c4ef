"""The poll an open week page makes: 204 while nothing changed, the new poller and a
``week-refresh`` trigger once a webhook (or a sync) changed the member's calendar."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from availability.models import Membership
from tests.views import factories as f
from webhooks import live

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    org = f.organization("Acme")
    admin = f.calendly_user(org, "Adam Admin", role=Membership.Role.ADMIN)
    member = f.calendly_user(org, "Nora York")
    outsider = f.calendly_user(f.organization("Globex"), "Gina Globex")
    return admin, member, outsider


def poll(client, member, version):
    return client.get(reverse("webhooks:changes", args=[member.pk]), {"v": version})


def test_unchanged_is_204_and_a_webhook_change_triggers_a_redraw(client, people):
    _, member, _ = people
    f.sign_in(client, member)
    version = live.version(member)
    assert poll(client, member, version).status_code == 204
    live.note_changed([member.uri])
    changed = poll(client, member, version)
    assert changed.status_code == 200
    assert json.loads(changed["HX-Trigger"]) == {"week-refresh": {}}
    new = live.version(member)
    assert new != version and f"?v={new}" in changed.content.decode()
    assert poll(client, member, new).status_code == 204


def test_a_full_sync_changes_the_version_too(client, people):
    _, member, _ = people
    before = live.version(member)
    member.synced_at = timezone.now() + timedelta(seconds=1)
    member.save()
    assert live.version(member) != before


def test_an_admin_may_follow_a_member_and_a_member_may_not_follow_others(client, people):
    admin, member, outsider = people
    f.sign_in(client, admin)
    assert poll(client, member, "x").status_code == 200
    client.logout()
    f.sign_in(client, member)
    assert poll(client, admin, "x").status_code == 404
    assert poll(client, outsider, "x").status_code == 404


def test_signed_out_is_sent_to_sign_in(client, people):
    assert poll(client, people[1], "x").status_code == 302


def test_the_template_tag_renders_a_poller_with_the_current_version(people, settings):
    member = people[1]
    html = Template("{% load live_updates %}{% live_updates member %}").render(
        Context({"member": member})
    )
    assert f'hx-get="/webhooks/changes/{member.pk}/?v={live.version(member)}"' in html
    assert f'hx-trigger="every {settings.WEBHOOK_LIVE_POLL_SECONDS}s"' in html
