"""Fixtures of the webhook tests: a subscription of ours with a known key, deliveries
signed as Calendly signs them, and the re-sync task's queue seen from the test."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from webhooks import signature, tasks
from webhooks.models import WebhookSubscription

KEY = "test-signing-key-0123456789abcdefghijklmnopqrstuv"
ORG = "https://api.calendly.test/organizations/ORG1"
HOST = "https://api.calendly.test/users/HOST1"
CREATOR = "https://api.calendly.test/users/ADMIN1"
EVENT_TYPE = "https://api.calendly.test/event_types/ET1"
RECEIVER = "/webhooks/calendly/"


def delivery_body(event: str = "invitee.created", created_by: str = CREATOR, **changes) -> bytes:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    scheduled = {
        "uri": "https://api.calendly.test/scheduled_events/EV1",
        "event_type": EVENT_TYPE,
        "start_time": start.isoformat().replace("+00:00", "Z"),
        "end_time": (start + timedelta(minutes=30)).isoformat().replace("+00:00", "Z"),
        "event_memberships": [{"user": HOST}],
    }
    body = {
        "event": event,
        "created_at": start.isoformat(),
        "created_by": created_by,
        "payload": {
            "uri": "https://api.calendly.test/scheduled_events/EV1/invitees/INV1",
            "event": scheduled["uri"],
            "scheduled_event": scheduled,
        },
    }
    body.update(changes)
    return json.dumps(body).encode()


def signed(body: bytes, key: str = KEY, at: float | None = None) -> dict[str, str]:
    stamp = int(time.time() if at is None else at)
    return {"HTTP_CALENDLY_WEBHOOK_SIGNATURE": signature.sign(key, body, stamp)}


@pytest.fixture
def subscription(db) -> WebhookSubscription:
    return organization_subscription()


def organization_subscription() -> WebhookSubscription:
    """ORG's active subscription, made by CREATOR, signing with KEY."""
    return WebhookSubscription.objects.create(
        uri="https://api.calendly.test/webhook_subscriptions/SUB1",
        scope=WebhookSubscription.Scope.ORGANIZATION,
        organization_uri=ORG,
        creator_uri=CREATOR,
        callback_url="https://dashboard.example.test/webhooks/calendly/",
        signing_key=KEY,
        state=WebhookSubscription.State.ACTIVE,
    )


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    """Delivery ids the receiver hands to Celery (the broker itself is tested end to end)."""
    sent: list[int] = []
    monkeypatch.setattr(tasks.handle_delivery, "delay", sent.append)
    return sent


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    def send(body: bytes, headers: dict[str, str] | None = None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(RECEIVER, body, content_type="application/json", **(headers or {}))

    return send
