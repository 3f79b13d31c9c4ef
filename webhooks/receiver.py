"""The receiver's decisions, apart from HTTP: which of our subscriptions a delivery may come
from, whether it was signed with one of their keys, and whether it was seen before.

Statuses (docs/webhooks.md): 413 too large, 403 signature missing/malformed/stale/wrong,
400 not a webhook payload, 200 already seen, 202 accepted (the re-sync or the event type's
refresh is queued), 200 an event we do not act on.

A delivery naming no subscriber of ours gets exactly the answer of a badly signed one
(``NOT_OURS``: 403, same body), and costs an HMAC too: the answer must not tell anyone
which Calendly users or organizations have a subscription here. Which of the two it was
goes to the log only (``Verdict.reason``).

A delivery signed with the key of a subscription this dashboard deleted (its DELETE failed,
or it was in flight) is answered 410 Gone, and Calendly deletes the subscription. Only
Calendly and we hold that key, so the 410 tells nobody else anything.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts import crypto
from availability.models import CalendlyUser, EventType
from webhooks import payload, signature
from webhooks.models import RetiredSubscription, WebhookDelivery, WebhookSubscription

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 64 * 1024
LENGTH = re.compile(r"[0-9]{1,12}")  # a Content-Length we read at all
MAX_CANDIDATES = 20  # bounds the HMACs one request can make us compute


NOT_OURS = "the signature does not match"
GONE = "this subscription was deleted"


@dataclass(frozen=True)
class Verdict:
    status: int
    detail: str  # the answer's body: nothing in it the sender may not know
    delivery_id: int | None = None
    reason: str = ""  # for the log, when it says more than ``detail``

    @property
    def logged(self) -> str:
        return self.reason or self.detail


def candidates(delivery: payload.Delivery) -> list[WebhookSubscription | RetiredSubscription]:
    """Our subscriptions that could have sent this: made by its creator, or covering a host;
    live ones first, then those we deleted (whose deliveries are answered 410)."""
    hosts = delivery.hosts
    organizations = CalendlyUser.objects.filter(uri__in=hosts, organization__isnull=False).values(
        "organization__uri"
    )
    match = Q(user_uri__in=hosts) | Q(organization_uri__in=organizations)
    if delivery.event_type_uri:  # one we know: its organization's subscription may send it
        known = EventType.objects.filter(uri=delivery.event_type_uri, organization__isnull=False)
        match |= Q(organization_uri__in=known.values("organization__uri"))
    if delivery.created_by:
        match |= Q(creator_uri=delivery.created_by)
    # Keys are decrypted one by one as they are tried: one unreadable key fails alone.
    rows = WebhookSubscription.objects.filter(match).exclude(uri="").defer("signing_key")
    live = list(rows.order_by("-checked_at")[:MAX_CANDIDATES])
    retired = RetiredSubscription.objects.filter(match).defer("signing_key")
    return live + list(retired.order_by("-retired_at")[: MAX_CANDIDATES - len(live)])


def judge(header: str | None, body: bytes, now: Callable[[], float] = time.time) -> Verdict:
    if len(body) > MAX_BODY_BYTES:
        return Verdict(413, "body too large")
    try:
        signed = signature.parse(header)
        signature.check_fresh(signed, now)
    except signature.InvalidSignature as error:
        return Verdict(403, str(error))
    try:
        delivery = payload.parse(body)
    except payload.MalformedDelivery as error:
        return Verdict(400, str(error))
    subs = candidates(delivery)
    # No candidate: a key nobody holds, so the work (and the time) is that of a wrong key.
    keys = [_key(s) for s in subs] or [secrets.token_urlsafe(32)]
    index = signature.first_matching_key(keys, signed, body)
    if index is None or not subs:
        why = f"none of {len(subs)} candidate key(s) signed it" if subs else "no subscriber"
        return Verdict(403, NOT_OURS, reason=f"{NOT_OURS} ({why})")
    if isinstance(subs[index], RetiredSubscription):
        return _gone(subs[index])
    return _record(subs[index], delivery, signature.delivery_key(signed, body))


def _gone(retired: RetiredSubscription) -> Verdict:
    """Signed with the key of a subscription we deleted: 410 makes Calendly delete it."""
    RetiredSubscription.objects.filter(pk=retired.pk).update(answered_gone_at=timezone.now())
    return Verdict(410, GONE, reason=f"{GONE} ({retired.uri})")


def _key(sub: WebhookSubscription | RetiredSubscription) -> str:
    try:
        return sub.signing_key
    except crypto.UndecryptableSecret:  # a TOKEN_ENCRYPTION_KEYS key dropped too early
        log.error("The signing key of webhook subscription %s cannot be decrypted", sub.pk)
        return ""


def _record(sub: WebhookSubscription, delivery: payload.Delivery, key: str) -> Verdict:
    event = delivery.scheduled_event
    try:
        with transaction.atomic():
            row = WebhookDelivery.objects.create(
                key=key,
                subscription=sub,
                event=delivery.event[:50],
                scheduled_event_uri=delivery.scheduled_event_uri[:500],
                event_type_uri=(event.event_type if event else delivery.event_type_uri)[:500],
                start_time=event.start if event else None,
                end_time=event.end if event else None,
                hosts=delivery.hosts,
                event_name=event.name[:255] if event else "",
            )
    except IntegrityError:
        return Verdict(200, "already seen")
    if delivery.event not in payload.HANDLED_EVENTS:
        return Verdict(200, f"{delivery.event} is not acted on", None)
    return Verdict(202, "accepted", row.pk)
