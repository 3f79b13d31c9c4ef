"""A delivery touches only what the subscription that signed it covers (#17, finding 2).

Against a private sandbox with two organizations (Acme and Globex) synced here: a delivery
signed with Acme's key that names Globex's host, event type or event is received like any
signed delivery, and then the re-sync re-reads nothing of Globex's, with nobody's
credential, and renames nothing of Globex's. Hosts of the subscription's own are still
re-read; a user-scoped subscription covers its user only.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from availability.models import AvailableSlot, BusyBlock, ScheduledEvent
from sandbox.seed import DEMO_MEMBER_EMAIL, DEMO_OWNER_EMAIL, OTHER_ORG_OWNER_EMAIL
from sync import runs
from tests.availability.conftest import aim_at, store_credential
from tests.sandbox_process import running_sandbox
from tests.webhooks.conftest import RECEIVER
from webhooks import signature, tasks
from webhooks.models import CalendarChange, WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db
KEY_ACME, KEY_ANA = "acme-organization-signing-key-0123456789", "ana-user-signing-key-9876543210"


@pytest.fixture(scope="module")
def private_sandbox():
    with running_sandbox() as server:
        yield server


@pytest.fixture
def calendly(private_sandbox, settings):
    aim_at(settings, private_sandbox)
    settings.RATE_LIMIT_WEBHOOKS = "100000/m"
    return private_sandbox


@pytest.fixture
def world(calendly):
    """Acme's owner and member and Globex's owner connected and synced; Acme's organization
    subscription and Ana's user subscription, with keys of the test's own."""
    people = {
        email: store_credential(calendly, email)
        for email in (DEMO_OWNER_EMAIL, DEMO_MEMBER_EMAIL, OTHER_ORG_OWNER_EMAIL)
    }
    for credential in people.values():
        assert runs.sync_user(credential.pk).status == "succeeded"
    acme, ana, globex = (
        people[e] for e in (DEMO_OWNER_EMAIL, DEMO_MEMBER_EMAIL, OTHER_ORG_OWNER_EMAIL)
    )
    assert acme.organization_uri != globex.organization_uri
    for key, scope, credential in ((KEY_ACME, "organization", acme), (KEY_ANA, "user", ana)):
        WebhookSubscription.objects.create(
            uri=f"{calendly.url}/webhook_subscriptions/{scope}",
            scope=scope,
            organization_uri=credential.organization_uri,
            user_uri=credential.calendly_user_uri if scope == "user" else "",
            creator_uri=credential.calendly_user_uri,
            callback_url="https://dash.example.test/webhooks/calendly/",
            signing_key=key,
            state="active",
            credential=credential,
        )
    return {"acme": acme, "ana": ana, "globex": globex}


def book(calendly, credential) -> dict:
    """A booking of one of the person's own one-seat event types, synced here (its busy
    block and its name stored): the booked event as the sandbox answers."""
    slot = (
        AvailableSlot.objects.filter(
            event_type__owner__uri=credential.calendly_user_uri,
            event_type__pooling_type="",
            invitees_remaining=1,
            start__gt=timezone.now() + timedelta(hours=2),
        )
        .select_related("event_type")
        .order_by("start")
        .first()
    )
    booked = calendly.book(slot.event_type.uri, slot.start.isoformat().replace("+00:00", "Z"))
    assert runs.sync_user(credential.pk).status == "succeeded"
    event = booked["event"]
    assert ScheduledEvent.objects.get(uri=event["uri"]).name == event["name"] != ""
    return event


def delivery(event: dict, hosts: list[str], created_by: str, name: str | None = None) -> bytes:
    scheduled = {
        "uri": event["uri"],
        "event_type": event["event_type"],
        "start_time": event["start_time"],
        "end_time": event["end_time"],
        "name": event["name"] if name is None else name,
        "event_memberships": [{"user": h} for h in hosts],
    }
    body = {
        "event": "invitee.created",
        "created_at": event["start_time"],
        "created_by": created_by,
        "payload": {"event": event["uri"], "scheduled_event": scheduled},
    }
    return json.dumps(body).encode()


def deliver(client, calendly, body: bytes, key: str, monkeypatch) -> str:
    """Received (202), then handled by the task in-process: its summary."""
    queued: list[int] = []
    monkeypatch.setattr(tasks.handle_delivery, "delay", queued.append)
    header = signature.sign(key, body, int(timezone.now().timestamp()))
    with_signature = {"HTTP_CALENDLY_WEBHOOK_SIGNATURE": header}
    response = client.post(RECEIVER, body, content_type="application/json", **with_signature)
    assert response.status_code == 202, response.content
    [row] = WebhookDelivery.objects.values_list("pk", flat=True)
    calendly.reset_stats()
    return tasks.handle_delivery.apply(args=[row]).get()


def changed() -> set[str]:
    return set(CalendarChange.objects.values_list("user_uri", flat=True))


def test_acme_s_key_naming_globex_s_booking_touches_nothing_of_globex(
    client, calendly, world, monkeypatch, caplog
):
    globex = world["globex"]
    event = book(calendly, globex)
    blocks_before = list(
        BusyBlock.objects.filter(event_uri=event["uri"]).values_list("event_name", "start")
    )
    body = delivery(
        event, [globex.calendly_user_uri], world["acme"].calendly_user_uri, "Renamed by Acme"
    )
    with caplog.at_level(logging.WARNING, logger="webhooks.coverage"):
        summary = deliver(client, calendly, body, KEY_ACME, monkeypatch)
    assert calendly.stats()["total"] == 0  # nothing read, with Globex's credential or any
    assert ScheduledEvent.objects.get(uri=event["uri"]).name == event["name"]
    after = list(
        BusyBlock.objects.filter(event_uri=event["uri"]).values_list("event_name", "start")
    )
    assert after == blocks_before and blocks_before
    assert changed() == set()
    assert summary == "names no host its subscription covers: nothing done"
    assert "1 of 1 host(s) are outside subscription" in caplog.text


def test_globex_s_hosts_slipped_into_an_acme_booking_are_ignored(
    client, calendly, world, monkeypatch, caplog
):
    acme, globex = world["acme"], world["globex"]
    event = book(calendly, acme)
    hosts = [acme.calendly_user_uri, globex.calendly_user_uri]
    with caplog.at_level(logging.WARNING, logger="webhooks.coverage"):
        summary = deliver(client, calendly, delivery(event, hosts, ""), KEY_ACME, monkeypatch)
    assert changed() == {acme.calendly_user_uri}
    busy_windows = int(summary.split()[1])  # "re-read N busy and M slot window(s), ..."
    requests = calendly.stats()["requests"]
    assert busy_windows >= 1 and requests.get("GET /user_busy_times") == busy_windows, requests
    assert summary.startswith("re-read ") and summary.endswith(
        "0 problem(s); 1 host(s) outside its subscription ignored"
    ), summary
    assert "1 of 2 host(s) are outside subscription" in caplog.text


def test_acme_s_key_on_globex_s_event_type_re_reads_no_globex_slots(
    client, calendly, world, monkeypatch
):
    acme, globex = world["acme"], world["globex"]
    event = book(calendly, acme)
    theirs = book(calendly, globex)
    forged = dict(event, event_type=theirs["event_type"])
    body = delivery(forged, [acme.calendly_user_uri], "")
    summary = deliver(client, calendly, body, KEY_ACME, monkeypatch)
    assert summary.startswith("re-read ") and "0 problem(s)" in summary, summary
    requests = calendly.stats()["requests"]
    assert requests.get("GET /user_busy_times", 0) >= 1, requests  # Acme's host: re-read
    assert requests.get("GET /event_type_available_times", 0) == 0, requests
    assert changed() == {acme.calendly_user_uri}


def test_acme_s_own_host_cannot_rename_globex_s_event(client, calendly, world, monkeypatch):
    acme, globex = world["acme"], world["globex"]
    event = book(calendly, acme)
    theirs = book(calendly, globex)
    forged = dict(event, uri=theirs["uri"])
    body = delivery(forged, [acme.calendly_user_uri], "", "Renamed by Acme")
    deliver(client, calendly, body, KEY_ACME, monkeypatch)
    assert ScheduledEvent.objects.get(uri=theirs["uri"]).name == theirs["name"]
    names = set(
        BusyBlock.objects.filter(event_uri=theirs["uri"]).values_list("event_name", flat=True)
    )
    assert names == {theirs["name"]}


def test_a_user_subscription_covers_its_user_only(client, calendly, world, monkeypatch):
    acme, ana = world["acme"], world["ana"]
    event = book(calendly, acme)  # Acme's owner's booking: same organization, not Ana's
    body = delivery(event, [acme.calendly_user_uri], ana.calendly_user_uri, "Renamed by Ana")
    summary = deliver(client, calendly, body, KEY_ANA, monkeypatch)
    assert calendly.stats()["total"] == 0 and changed() == set()
    assert ScheduledEvent.objects.get(uri=event["uri"]).name == event["name"]
    assert summary == "names no host its subscription covers: nothing done"


def test_a_user_subscription_still_re_reads_its_own_user(client, calendly, world, monkeypatch):
    ana = world["ana"]
    event = book(calendly, ana)
    body = delivery(event, [ana.calendly_user_uri], ana.calendly_user_uri)
    summary = deliver(client, calendly, body, KEY_ANA, monkeypatch)
    assert summary.startswith("re-read ") and summary.endswith("0 problem(s)"), summary
    assert changed() == {ana.calendly_user_uri}
