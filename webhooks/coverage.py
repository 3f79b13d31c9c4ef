"""What a delivery may touch: only what the subscription that signed it covers.

A signature proves which of our subscriptions a delivery came from, not that what it names
is that subscription's. Calendly sends an organization-scoped subscription the bookings of
its organization, a user-scoped one its user's; so a delivery signed with organization A's
key that names organization B's hosts, event type or event is not Calendly's, and must
neither re-read B (with B's credentials) nor rename B's event. Here a booking is cut down to
what its subscription covers before the re-sync sees it:

- **hosts**: members of the subscription's organization (its synced users and memberships);
  for a user-scoped subscription, its user only;
- **the event type** whose slots are re-read: one of the organization's; for a user-scoped
  subscription, one its user owns (or hosts, when it has no owner we know);
- **the event's name**, written by URI over every busy block naming it: only when every
  stored block of that event is a covered host's, and some is, or when the event is not
  stored at all (a new booking).

Whatever is left out is logged; when no host is left, nothing at all is done.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from django.db.models import Q

from availability.models import BusyBlock, CalendlyUser, EventType, ScheduledEvent
from sync.one_booking import Booking
from webhooks.models import WebhookSubscription as Sub

log = logging.getLogger(__name__)


def covered_hosts(sub: Sub, hosts: list[str]) -> list[str]:
    if sub.scope == Sub.Scope.USER:
        return [h for h in hosts if sub.user_uri and h == sub.user_uri]
    members = set(
        CalendlyUser.objects.filter(uri__in=hosts)
        .filter(
            Q(organization__uri=sub.organization_uri)
            | Q(memberships__organization__uri=sub.organization_uri)
        )
        .values_list("uri", flat=True)
    )
    return [h for h in hosts if h in members]


def covers_event_type(sub: Sub, uri: str) -> bool:
    if not uri:
        return False
    types = EventType.objects.filter(uri=uri)
    if sub.scope == Sub.Scope.USER:
        mine = Q(owner__uri=sub.user_uri) | Q(owner__isnull=True, hosts__uri=sub.user_uri)
        return bool(sub.user_uri) and types.filter(mine).exists()
    org = sub.organization_uri
    return types.filter(
        Q(organization__uri=org)
        | Q(owner__organization__uri=org)
        | Q(owner__memberships__organization__uri=org)
    ).exists()


def may_name(event_uri: str, hosts: list[str]) -> bool:
    """The event's name may be written when the event is the covered hosts' own: each of
    its stored busy blocks is theirs, or it is not stored yet."""
    if not event_uri or not hosts:
        return False
    blocks = BusyBlock.objects.filter(event_uri=event_uri)
    if blocks.exclude(user__uri__in=hosts).exists():
        return False
    return blocks.exists() or not ScheduledEvent.objects.filter(uri=event_uri).exists()


def within(sub: Sub | None, booking: Booking, delivery_id: int) -> Booking | None:
    """``booking`` cut down to what ``sub`` covers; None when it covers none of its hosts."""
    if sub is None:
        log.warning("Webhook delivery %s: its subscription is gone, nothing done", delivery_id)
        return None
    hosts = covered_hosts(sub, booking.hosts)
    ignored = len(booking.hosts) - len(hosts)
    if ignored:
        log.warning(
            "Webhook delivery %s: %s of %s host(s) are outside subscription %s, ignored",
            delivery_id,
            ignored,
            len(booking.hosts),
            sub.pk,
        )
    if not hosts:
        return None
    event_type = booking.event_type if covers_event_type(sub, booking.event_type) else ""
    if booking.event_type and not event_type:
        log.warning(
            "Webhook delivery %s: its event type is outside subscription %s, its slots are "
            "not re-read",
            delivery_id,
            sub.pk,
        )
    name = booking.name if booking.name and may_name(booking.uri, hosts) else ""
    if booking.name and not name:
        log.warning(
            "Webhook delivery %s: its event is not only subscription %s's hosts', not renamed",
            delivery_id,
            sub.pk,
        )
    return replace(
        booking,
        hosts=hosts,
        event_type=event_type,
        name=name,
        organization=sub.organization_uri,
    )
