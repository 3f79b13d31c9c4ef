"""An ``event_type.*`` delivery: the event type it names is refreshed only when the
subscription that signed it covers it (``webhooks.coverage``). One stored here is covered
when it is the subscription's organization's (or, user scope, its user's); one not stored
yet when its owner, as the payload says and then as Calendly says, is a covered member.
So a delivery signed by organization A that names B's event type touches nothing of B."""

from __future__ import annotations

import logging

from availability.models import EventType
from sync import one_event_type, runs
from sync.one_booking import Outcome
from webhooks import coverage
from webhooks.models import WebhookDelivery
from webhooks.models import WebhookSubscription as Sub

log = logging.getLogger(__name__)


def covered(sub: Sub, uri: str, owner: str | None) -> bool:
    if EventType.objects.filter(uri=uri).exists():
        return coverage.covers_event_type(sub, uri)
    return bool(owner) and bool(coverage.covered_hosts(sub, [owner]))


def reader(sub: Sub):
    """A credential of what the subscription covers: an admin's of its organization (or its
    own) for organization scope, its user's own for user scope."""
    if sub.scope == Sub.Scope.ORGANIZATION:
        return runs.admin_credential(sub.organization_uri) or sub.credential
    return sub.credential


def handle(delivery: WebhookDelivery) -> Outcome:
    sub, uri = delivery.subscription, delivery.event_type_uri
    if sub is None:
        return Outcome("its subscription is gone: nothing done")
    if not uri:
        return Outcome("names no event type: nothing done")
    owner = delivery.hosts[0] if delivery.hosts else None
    if not covered(sub, uri, owner):
        log.warning(
            "Webhook delivery %s: event type %s is outside subscription %s, nothing done",
            delivery.pk,
            uri,
            sub.pk,
        )
        return Outcome("names an event type its subscription does not cover: nothing done")
    if delivery.event == "event_type.deleted":
        if not EventType.objects.filter(uri=uri).exists():
            return Outcome("a deleted event type never stored here: nothing to do")
        return one_event_type.retire(uri)
    return one_event_type.refresh(
        uri, sub.organization_uri, reader(sub), lambda found: covered(sub, uri, found)
    )
