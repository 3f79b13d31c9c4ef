"""The targeted re-sync in-process against a private sandbox: a payload without
``scheduled_event`` (older Calendly payloads) is completed from the API, and only the
windows the booking touches are read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from availability.models import AvailableSlot, BusyBlock, EventType
from sandbox.seed import DEMO_OWNER_EMAIL
from sync import one_booking, runs
from sync.windows import Window
from tests.availability.conftest import aim_at, store_credential
from tests.sandbox_process import running_sandbox
from webhooks import tasks
from webhooks.models import CalendarChange, WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db


def test_only_the_windows_a_span_overlaps_are_touched():
    now = timezone.now()
    windows = [
        Window(now + timedelta(days=7 * i), now + timedelta(days=7 * (i + 1))) for i in range(4)
    ]
    day = timedelta(days=1)
    assert one_booking.touched(windows, now + day, now + 2 * day) == windows[:1]
    assert one_booking.touched(windows, now + 6 * day, now + 8 * day) == windows[:2]
    assert one_booking.touched(windows, now - 2 * day, now - day) == []
    assert one_booking.touched(windows, now + 40 * day, now + 41 * day) == []


@pytest.fixture
def calendly(settings):
    with running_sandbox() as server:
        aim_at(settings, server)
        yield server


def test_a_delivery_without_the_scheduled_event_reads_it_and_resyncs(calendly):
    owner = store_credential(calendly, DEMO_OWNER_EMAIL)
    assert runs.sync_user(owner.pk).status == "succeeded"
    slot = (
        AvailableSlot.objects.filter(
            event_type__owner__uri=owner.calendly_user_uri,
            event_type__pooling_type="",
            invitees_remaining=1,
            start__gt=timezone.now() + timedelta(hours=2),
        )
        .select_related("event_type")
        .order_by("start")
        .first()
    )
    booked = calendly.book(slot.event_type.uri, slot.start.isoformat().replace("+00:00", "Z"))
    sub = WebhookSubscription.objects.create(
        uri=f"{calendly.url}/webhook_subscriptions/X",
        scope="organization",
        organization_uri=owner.organization_uri,
        callback_url="https://dash.example.test/webhooks/calendly/",
        signing_key="k",
        state="active",
        credential=owner,
    )
    delivery = WebhookDelivery.objects.create(
        key="k" * 64,
        subscription=sub,
        event="invitee.created",
        scheduled_event_uri=booked["event"]["uri"],
    )
    calendly.reset_stats()
    summary = tasks.handle_delivery.apply(args=[delivery.pk]).get()
    assert summary.startswith("re-read 1 busy and 1 slot window(s), 0 problem(s)"), summary
    assert not AvailableSlot.objects.filter(event_type=slot.event_type, start=slot.start).exists()
    block = BusyBlock.objects.get(user__uri=owner.calendly_user_uri, start=slot.start)
    assert block.event_name == booked["event"]["name"] != ""  # the event read names it
    requests = calendly.stats()["requests"]
    assert sum(requests.values()) == 3, requests  # the event, one busy and one slot window
    assert CalendarChange.objects.filter(user_uri=owner.calendly_user_uri).exists()
    delivery.refresh_from_db()
    assert delivery.handled_at and delivery.outcome == summary
    assert EventType.objects.filter(pk=slot.event_type.pk, active=True).exists()
