"""``event_type.*`` deliveries against a private sandbox, in-process: the event type named
is read again and stored with its slots (renamed, deactivated, deleted), only when the
signing subscription covers it; odd payloads end as a recorded outcome."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from availability.models import AvailableSlot, EventType
from sandbox.seed import DEMO_OWNER_EMAIL, OTHER_ORG_OWNER_EMAIL
from sync import runs
from tests.availability.conftest import aim_at, store_credential
from tests.sandbox_process import running_sandbox
from tests.webhooks.conftest import RECEIVER, signed
from webhooks import tasks
from webhooks.models import CalendarChange, WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def calendly(settings):
    with running_sandbox() as server:
        aim_at(settings, server)
        yield server


def synced(calendly, email: str):
    credential = store_credential(calendly, email)
    assert runs.sync_user(credential.pk).status == "succeeded"
    return credential


def subscription_of(credential, key: str = "k") -> WebhookSubscription:
    return WebhookSubscription.objects.create(
        uri=f"https://calendly.test/webhook_subscriptions/{credential.pk}",
        scope="organization",
        organization_uri=credential.organization_uri,
        creator_uri=credential.calendly_user_uri,
        callback_url="https://dash.example.test/webhooks/calendly/",
        signing_key=key,
        state="active",
        credential=credential,
    )


def solo_with_slots(owner_uri: str) -> EventType:
    soon = timezone.now() + timedelta(hours=2)
    slots = AvailableSlot.objects.filter(
        event_type__owner__uri=owner_uri, event_type__pooling_type="", start__gt=soon
    )
    return slots.select_related("event_type").first().event_type


def deliver(sub, event: str, uri: str, owner: str) -> str:
    delivery = WebhookDelivery.objects.create(
        key=f"{event}{uri}{timezone.now().timestamp()}"[-64:],
        subscription=sub,
        event=event,
        event_type_uri=uri,
        hosts=[owner] if owner else [],
    )
    summary = tasks.handle_delivery.apply(args=[delivery.pk]).get()
    delivery.refresh_from_db()
    assert delivery.handled_at and delivery.outcome == summary
    return summary


def uuid_of(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


def test_renamed_deactivated_and_deleted_event_types_are_stored_with_their_slots(calendly):
    owner = synced(calendly, DEMO_OWNER_EMAIL)
    sub = subscription_of(owner)
    me = owner.calendly_user_uri
    event_type = solo_with_slots(me)
    path = f"/event_types/{uuid_of(event_type.uri)}"

    calendly.control("PATCH", path, {"name": "Renamed by webhook"})
    calendly.reset_stats()
    summary = deliver(sub, "event_type.updated", event_type.uri, me)
    assert summary.startswith("stored, and its slots re-read in 1 window(s)"), summary
    event_type.refresh_from_db()
    assert event_type.name == "Renamed by webhook" and event_type.active
    assert AvailableSlot.objects.filter(event_type=event_type).exists()
    requests = calendly.stats()["requests"]
    assert requests == {"GET /event_types/{uuid}": 1, "GET /event_type_available_times": 1}
    assert CalendarChange.objects.filter(user_uri=me).exists()

    calendly.control("PATCH", path, {"active": False})
    summary = deliver(sub, "event_type.updated", event_type.uri, me)
    assert "not bookable" in summary
    event_type.refresh_from_db()
    assert not event_type.active and not AvailableSlot.objects.filter(event_type=event_type)

    calendly.control("PATCH", path, {"active": True})
    deliver(sub, "event_type.updated", event_type.uri, me)
    assert AvailableSlot.objects.filter(event_type=event_type).exists()
    calendly.control("DELETE", path)
    summary = deliver(sub, "event_type.deleted", event_type.uri, me)
    assert "deleted" in summary
    event_type.refresh_from_db()
    assert event_type.deleted_at and not AvailableSlot.objects.filter(event_type=event_type)


def test_a_created_event_type_is_stored_with_its_slots(calendly):
    owner = synced(calendly, DEMO_OWNER_EMAIL)
    sub = subscription_of(owner)
    made = calendly.control(
        "POST", "/event_types", {"owner": DEMO_OWNER_EMAIL, "name": "Brand new", "duration": 30}
    )["event_type"]
    summary = deliver(sub, "event_type.created", made["uri"], owner.calendly_user_uri)
    assert summary.startswith("stored"), summary
    row = EventType.objects.get(uri=made["uri"])
    assert row.name == "Brand new" and row.owner.uri == owner.calendly_user_uri


def test_a_delivery_naming_another_organizations_event_type_changes_nothing(calendly):
    acme = synced(calendly, DEMO_OWNER_EMAIL)
    globex = synced(calendly, OTHER_ORG_OWNER_EMAIL)
    theirs = solo_with_slots(globex.calendly_user_uri)
    slots = AvailableSlot.objects.filter(event_type=theirs).count()
    calendly.control("DELETE", f"/event_types/{uuid_of(theirs.uri)}")
    calendly.reset_stats()
    sub = subscription_of(acme)  # signed by Acme, naming Globex's event type
    for event, owner in [
        ("event_type.deleted", globex.calendly_user_uri),
        ("event_type.updated", acme.calendly_user_uri),  # a false owner changes nothing
    ]:
        summary = deliver(sub, event, theirs.uri, owner)
        assert summary == "names an event type its subscription does not cover: nothing done"
    theirs.refresh_from_db()
    assert theirs.active and theirs.deleted_at is None
    assert AvailableSlot.objects.filter(event_type=theirs).count() == slots > 0
    assert calendly.stats()["total"] == 0


def test_a_new_event_type_of_another_organization_is_not_stored(calendly):
    acme = synced(calendly, DEMO_OWNER_EMAIL)
    made = calendly.control(
        "POST", "/event_types", {"owner": OTHER_ORG_OWNER_EMAIL, "name": "Theirs", "duration": 30}
    )["event_type"]
    sub = subscription_of(acme)
    for owner in ("", made["profile"]["owner"]):
        summary = deliver(sub, "event_type.created", made["uri"], owner)
        assert summary.endswith("nothing done"), summary
    # A false owner of ours: Calendly will not show Acme's admin Globex's event type.
    summary = deliver(sub, "event_type.created", made["uri"], acme.calendly_user_uri)
    assert summary.startswith("failed: 403"), summary
    assert not EventType.objects.filter(uri=made["uri"]).exists()


def test_an_event_type_of_unknown_kind_is_recorded_not_stored(calendly):
    owner = synced(calendly, DEMO_OWNER_EMAIL)
    event_type = solo_with_slots(owner.calendly_user_uri)
    calendly.fault(
        f"/event_types/{uuid_of(event_type.uri)}", "override", fields={"kind": "hologram"}
    )
    summary = deliver(subscription_of(owner), "event_type.updated", event_type.uri, "")
    assert summary == "of unknown kind 'hologram': nothing stored"
    event_type.refresh_from_db()
    assert event_type.kind == "solo"


def test_a_signed_event_type_delivery_without_a_uri_is_recorded(
    client, django_capture_on_commit_callbacks, calendly, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    owner = store_credential(calendly, DEMO_OWNER_EMAIL)
    sub = subscription_of(owner, key="a-key-of-ours")
    body = (
        b'{"event": "event_type.updated", "created_at": "x", "created_by": "%s",'
        b' "payload": {"name": "no uri"}}' % owner.calendly_user_uri.encode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            RECEIVER, body, content_type="application/json", **signed(body, "a-key-of-ours")
        )
    assert response.status_code == 202, response.content
    delivery = WebhookDelivery.objects.get()
    assert delivery.subscription == sub
    assert delivery.outcome == "names no event type: nothing done"


def test_a_team_event_types_new_hosts_are_stored_and_both_sides_redrawn(calendly):
    owner = synced(calendly, DEMO_OWNER_EMAIL)
    sub = subscription_of(owner)
    me = owner.calendly_user_uri
    team = EventType.objects.filter(hosts__uri=me, active=True).exclude(pooling_type="").first()
    assert team is not None, "the owner hosts a team event type (docs/sandbox.md)"
    before = set(team.hosts.values_list("uri", flat=True))
    dump = calendly.dump()
    others = [u for u in dump["users"]
              if u["current_organization"] == owner.organization_uri and u["uri"] not in before]
    calendly.control("PATCH", f"/event_types/{uuid_of(team.uri)}",
                     {"hosts": [DEMO_OWNER_EMAIL, others[0]["email"]]})
    CalendarChange.objects.all().delete()
    summary = deliver(sub, "event_type.updated", team.uri, me)
    assert summary.startswith("stored, and its slots re-read"), summary
    assert set(team.hosts.values_list("uri", flat=True)) == {me, others[0]["uri"]}
    # Whoever left the hosts and whoever joined see their pages change.
    redrawn = set(CalendarChange.objects.values_list("user_uri", flat=True))
    assert redrawn >= (before - {me}) | {others[0]["uri"], me}
