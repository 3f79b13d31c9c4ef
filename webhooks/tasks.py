"""Celery tasks of the webhooks: thin, they take ids and hand the work on."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from accounts.models import CalendlyCredential
from accounts.tokens import TokenUnavailable
from calendly import CalendlyError
from sync import one_booking, runs
from webhooks import coverage, event_types, live, payload, subscriptions
from webhooks.models import RetiredSubscription, WebhookDelivery, WebhookSubscription

log = logging.getLogger(__name__)
KEEP_DELIVERIES = timedelta(days=1)  # far past the 3 minutes a replay could be accepted in
SHORT = {"soft_time_limit": 120, "time_limit": 150}


@shared_task(name="webhooks.handle_delivery", bind=True, max_retries=3, **SHORT)
def handle_delivery(self, delivery_id: int) -> str:
    """Re-reads what the delivery's booking (or event type) changed, then tells open pages."""
    delivery = WebhookDelivery.objects.select_related("subscription").filter(pk=delivery_id).first()
    if delivery is None:
        return f"delivery {delivery_id} is gone"
    if delivery.event in payload.EVENT_TYPE_EVENTS:
        outcome = event_types.handle(delivery)
        live.note_changed(outcome.changed_users)
        if outcome.retry and self.request.retries < self.max_retries:
            raise self.retry(countdown=5 * 2**self.request.retries)
        return _finish(delivery, outcome.summary)
    booking = _booking(delivery)
    if booking is None:
        return _finish(delivery, "the scheduled event could not be read")
    covered = coverage.within(delivery.subscription, booking, delivery.pk)
    if covered is None:
        return _finish(delivery, "names no host its subscription covers: nothing done")
    outcome = one_booking.resync_booking(covered)
    live.note_changed(outcome.changed_users)
    if outcome.retry and self.request.retries < self.max_retries:
        raise self.retry(countdown=5 * 2**self.request.retries)
    WebhookDelivery.objects.filter(received_at__lt=timezone.now() - KEEP_DELIVERIES).delete()
    ignored = len(booking.hosts) - len(covered.hosts)
    suffix = f"; {ignored} host(s) outside its subscription ignored" if ignored else ""
    return _finish(delivery, outcome.summary + suffix)


def _finish(delivery: WebhookDelivery, summary: str) -> str:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        handled_at=timezone.now(), outcome=summary[:300]
    )
    log.info("Webhook delivery %s (%s): %s", delivery.pk, delivery.event, summary)
    return summary


def _booking(delivery: WebhookDelivery) -> one_booking.Booking | None:
    organization = delivery.subscription.organization_uri if delivery.subscription else ""
    if delivery.start_time and delivery.end_time and delivery.event_type_uri and delivery.hosts:
        return one_booking.Booking(
            delivery.event_type_uri,
            delivery.start_time,
            delivery.end_time,
            list(delivery.hosts),
            organization,
            uri=delivery.scheduled_event_uri,
            name=delivery.event_name,
        )
    event = _fetch_event(delivery, organization)  # an older payload without scheduled_event
    if event is None:
        return None
    return one_booking.Booking(
        event.event_type,
        event.start,
        event.end,
        event.hosts,
        organization,
        uri=event.uri or delivery.scheduled_event_uri,
        name=event.name,
    )


def _fetch_event(delivery: WebhookDelivery, organization: str) -> payload.ScheduledEvent | None:
    """Read with a credential of what the subscription covers: an admin's of its organization
    (or its own) for organization scope, its user's own for user scope."""
    sub = delivery.subscription
    if sub is None:
        return None
    credential = sub.credential
    if sub.scope == WebhookSubscription.Scope.ORGANIZATION:
        credential = runs.admin_credential(organization) or credential
    if credential is None or not delivery.scheduled_event_uri:
        return None
    try:
        client = subscriptions.client_for(credential)
        return payload.parse_scheduled_event(client.resource(delivery.scheduled_event_uri))
    except (CalendlyError, TokenUnavailable) as error:
        log.info("Scheduled event %s not read: %s", delivery.scheduled_event_uri, error)
        return None


@shared_task(name="webhooks.ensure_subscription", bind=True, max_retries=3, **SHORT)
def ensure_subscription(self, credential_id: int) -> str:
    try:
        summary = subscriptions.ensure(credential_id)
    except (CalendlyError, TokenUnavailable) as error:
        log.warning("Webhook subscription for credential %s: %s", credential_id, error)
        if self.request.retries < self.max_retries:
            raise self.retry(countdown=30 * 2**self.request.retries) from error
        return f"failed: {error}"
    log.info("Webhook subscription for credential %s: %s", credential_id, summary)
    return summary


@shared_task(name="webhooks.check_subscriptions", **SHORT)
def check_subscriptions() -> str:
    """Beat: each subscription is listed again, and recreated if Calendly disabled it or it
    lacks an event we want; retired keys are forgotten a day after they settled."""
    day_ago = timezone.now() - KEEP_DELIVERIES  # in-flight deliveries are long settled
    RetiredSubscription.objects.filter(
        Q(deleted_at_calendly=True, retired_at__lt=day_ago) | Q(answered_gone_at__lt=day_ago)
    ).delete()
    checked = 0
    for row in WebhookSubscription.objects.exclude(uri=""):
        credential = row.credential
        if row.scope == WebhookSubscription.Scope.ORGANIZATION:
            credential = runs.admin_credential(row.organization_uri) or credential
        if credential is not None and credential.state == CalendlyCredential.State.ACTIVE:
            ensure_subscription.delay(credential.pk)
            checked += 1
    return f"checking {checked} subscription(s)"
