"""Signed webhook deliveries on a background thread, as Calendly sends them.

A delivery never holds up the request that caused it (a booking answers at once), and
a slow or dead receiver only costs the delivery thread its short timeout. A subscription
whose deliveries keep failing is disabled, as Calendly disables one after its retries
give out; a disabled or deleted subscription gets nothing more, queued deliveries included.
A receiver answering 410 Gone has its subscription deleted at once (api-2026.md §5).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import queue
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sandbox.records import EventType, Invitee, ScheduledEvent, WebhookSubscription
from sandbox.scopes import granted_by
from sandbox.timefmt import iso, utcnow

if TYPE_CHECKING:
    from sandbox.render import Renderer
    from sandbox.stats import Stats
    from sandbox.store import State

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "Calendly-Webhook-Signature"


def signature(signing_key: str, body: bytes, timestamp: int) -> str:
    """`t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`, Calendly's webhook signature format."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(signing_key.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def matching(state: State, name: str, event: ScheduledEvent) -> list[WebhookSubscription]:
    return subscribers(state, name, event.org_uuid, event.hosts)


# The read scope an app needs to receive each event family (api-2026.md §1.1).
FAMILY_SCOPES = {"invitee": "scheduled_events:read", "invitee_no_show": "scheduled_events:read",
                 "event_type": "event_types:read", "routing_form_submission": "routing_forms:read"}


def may_receive(sub: WebhookSubscription, name: str) -> bool:
    """Whether the subscription's app holds the read scope of `name`'s family."""
    needed = FAMILY_SCOPES.get(name.split(".", 1)[0])
    return sub.scopes is None or needed is None or needed in granted_by(sub.scopes)


def subscribers(state: State, name: str, org_uuid: str,
                hosts: list[str]) -> list[WebhookSubscription]:
    """Active subscriptions of the organization for `name`; a user-scoped one only when
    its user is one of `hosts`, a group-scoped one when a member of its group is. Those
    whose app lacks the event family's read scope are left out (``may_receive``)."""
    return [
        sub for sub in state.webhooks.values()
        if sub.state == "active" and name in sub.events and sub.org_uuid == org_uuid
        and (sub.scope == "organization" or sub.user_uuid in hosts
             or (sub.scope == "group" and sub.group_uuid is not None
                 and not state.group_members(sub.group_uuid).isdisjoint(hosts)))
        and may_receive(sub, name)
    ]


def payload(render: Renderer, name: str, sub: WebhookSubscription, event: ScheduledEvent,
            invitee: Invitee, now: datetime) -> dict[str, Any]:
    return {
        "event": name,
        "created_at": iso(now),
        "created_by": render.uri("users", sub.creator_uuid),
        "payload": {**render.invitee(event, invitee), "scheduled_event": render.event(event)},
    }


def event_type_payload(render: Renderer, name: str, sub: WebhookSubscription,
                       event_type: EventType, now: datetime) -> dict[str, Any]:
    """`event_type.*`: the EventType as GET /event_types/{uuid} gives it, without
    `description_html` ([OAS] EventTypePayload)."""
    body = render.event_type(event_type)
    body.pop("description_html", None)
    return {"event": name, "created_at": iso(now),
            "created_by": render.uri("users", sub.creator_uuid), "payload": body}


def disable(sub: WebhookSubscription, now: datetime) -> bool:
    """Stop deliveries to `sub`; False if it was disabled already. Hold `state.lock`."""
    if sub.state == "disabled":
        return False
    sub.state, sub.updated_at = "disabled", now
    return True


class WebhookDispatcher:
    def __init__(self, stats: Stats, state: State | None = None,
                 disable_after: Callable[[], int] = lambda: 0) -> None:
        """`disable_after()`: consecutive failed deliveries that disable a subscription of
        `state` (read at each failure, so the knob may change at run time; 0: never)."""
        self.stats = stats
        self.state = state
        self.disable_after = disable_after
        self.queue: queue.Queue[tuple | None] = queue.Queue()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()
        # An origin ("http://web:8000") every delivery is sent to instead of its callback
        # URL's, which keeps its Host header: in the compose demo the callback URL names the
        # browser's 127.0.0.1, which inside the sandbox's container is the sandbox itself.
        self.connect_to: str | None = None

    def notify(self, render: Renderer, name: str, event: ScheduledEvent,
               invitees: Iterable[Invitee], now: datetime, timeout: float) -> int:
        """Queue one delivery per matching subscription and invitee; returns how many."""
        queued = 0
        for sub in matching(render.state, name, event):
            for invitee in invitees:
                body = json.dumps(payload(render, name, sub, event, invitee, now)).encode()
                self._put((sub.uuid, sub.callback_url, sub.signing_key, body, name,
                           render.uri("webhook_subscriptions", sub.uuid), timeout))
                queued += 1
        return queued

    def notify_event_type(self, render: Renderer, name: str, event_type: EventType,
                          now: datetime, timeout: float) -> int:
        """Queue an `event_type.*` delivery to each matching subscription; returns how many."""
        queued = 0
        for sub in subscribers(render.state, name, event_type.org_uuid, event_type.hosts):
            body = json.dumps(event_type_payload(render, name, sub, event_type, now)).encode()
            self._put((sub.uuid, sub.callback_url, sub.signing_key, body, name,
                       render.uri("webhook_subscriptions", sub.uuid), timeout))
            queued += 1
        return queued

    def _put(self, item: tuple) -> None:
        with self.lock:
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="webhooks", daemon=True)
                self.thread.start()
        self.queue.put(item)

    def _run(self) -> None:
        while (item := self.queue.get()) is not None:
            self._deliver(*item)

    def _deliver(self, sub_uuid: str, url: str, key: str, body: bytes, name: str, sub_uri: str,
                 timeout: float) -> None:
        if not self._active(sub_uuid):
            self.stats.bump("webhooks_dropped")
            return
        record: dict[str, Any] = {"url": url, "event": name, "subscription": sub_uri}
        headers = {"Content-Type": "application/json",
                   SIGNATURE_HEADER: signature(key, body, int(time.time()))}
        target = url
        if self.connect_to:
            parts = urllib.parse.urlsplit(url)
            headers["Host"] = parts.netloc
            target = self.connect_to.rstrip("/") + urllib.parse.urlunsplit(
                ("", "", parts.path, parts.query, ""))
        request = urllib.request.Request(target, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                record["status"] = response.status
        except urllib.error.HTTPError as refused:  # an answer all the same: 4xx or 5xx
            record["status"] = refused.code
        except OSError as error:  # refused, unreachable, timed out
            log.info("webhook delivery to %s failed: %s", url, error)
            record["status"] = None
            record["error"] = type(error).__name__
        # Settled before it is recorded: whoever sees the record sees the subscription's
        # state after it.
        if record["status"] == 410:
            self._gone(sub_uuid)
        else:
            self._settle(sub_uuid, record["status"] is not None and 200 <= record["status"] < 300)
        self.stats.delivered(record)

    def _active(self, sub_uuid: str) -> bool:
        if self.state is None:
            return True
        with self.state.lock:
            sub = self.state.webhooks.get(sub_uuid)
            return sub is not None and sub.state == "active"

    def _gone(self, sub_uuid: str) -> None:
        """410 Gone: the receiver wants no more; the subscription is deleted, not retried."""
        if self.state is None:
            return
        with self.state.lock:
            if self.state.webhooks.pop(sub_uuid, None) is not None:
                self.stats.bump("webhooks_gone")

    def _settle(self, sub_uuid: str, ok: bool) -> None:
        """A 2xx ends a run of failures; a failure extends it and, at the limit, disables
        the subscription."""
        if self.state is None:
            return
        with self.state.lock:
            sub = self.state.webhooks.get(sub_uuid)
            if sub is None:
                return
            if ok:
                sub.failures, sub.retry_started_at = 0, None
                return
            now = utcnow()
            sub.failures += 1
            sub.retry_started_at = sub.retry_started_at or now
            limit = self.disable_after()
            if limit and sub.failures >= limit and disable(sub, now):
                self.stats.bump("webhooks_disabled")

    def pending(self) -> int:
        return self.queue.qsize()
