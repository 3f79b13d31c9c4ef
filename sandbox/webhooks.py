"""Signed webhook deliveries on a background thread, as Calendly sends them.

A delivery never holds up the request that caused it (a booking answers at once), and
a slow or dead receiver only costs the delivery thread its short timeout.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import queue
import threading
import time
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import requests

from sandbox.models import Invitee, ScheduledEvent, WebhookSubscription
from sandbox.timefmt import iso

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
    """Active subscriptions of the event's organization for `name`; a user-scoped one only
    when its user hosts the event."""
    return [
        sub for sub in state.webhooks.values()
        if sub.state == "active" and name in sub.events and sub.org_uuid == event.org_uuid
        and (sub.scope == "organization" or sub.user_uuid in event.hosts)
    ]


def payload(render: Renderer, name: str, sub: WebhookSubscription, event: ScheduledEvent,
            invitee: Invitee, now: datetime) -> dict[str, Any]:
    return {
        "event": name,
        "created_at": iso(now),
        "created_by": render.uri("users", sub.creator_uuid),
        "payload": {**render.invitee(event, invitee), "scheduled_event": render.event(event)},
    }


class WebhookDispatcher:
    def __init__(self, stats: Stats) -> None:
        self.stats = stats
        self.queue: queue.Queue[tuple | None] = queue.Queue()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()

    def notify(self, render: Renderer, name: str, event: ScheduledEvent,
               invitees: Iterable[Invitee], now: datetime, timeout: float) -> int:
        """Queue one delivery per matching subscription and invitee; returns how many."""
        queued = 0
        for sub in matching(render.state, name, event):
            for invitee in invitees:
                body = json.dumps(payload(render, name, sub, event, invitee, now)).encode()
                self._put((sub.callback_url, sub.signing_key, body, name,
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

    def _deliver(self, url: str, key: str, body: bytes, name: str, sub_uri: str,
                 timeout: float) -> None:
        record: dict[str, Any] = {"url": url, "event": name, "subscription": sub_uri}
        headers = {"Content-Type": "application/json",
                   SIGNATURE_HEADER: signature(key, body, int(time.time()))}
        try:
            response = requests.post(url, data=body, headers=headers, timeout=timeout)
            record["status"] = response.status_code
        except requests.RequestException as error:
            log.info("webhook delivery to %s failed: %s", url, error)
            record["status"] = None
            record["error"] = type(error).__name__
        self.stats.delivered(record)

    def pending(self) -> int:
        return self.queue.qsize()
