"""What a delivery says, read from Calendly's webhook payload.

``invitee.created`` and ``invitee.canceled`` carry the invitee as ``payload``, with
``payload.event`` (the scheduled event's URI) and, in current payloads, the whole
``payload.scheduled_event`` (event type, start, end, hosts, name). Older payloads lack the
latter: the task then reads the scheduled event from Calendly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from calendly.resources import parse_time

HANDLED_EVENTS = ("invitee.created", "invitee.canceled")


class MalformedDelivery(ValueError):
    pass


@dataclass(frozen=True)
class ScheduledEvent:
    uri: str
    event_type: str
    start: datetime | None
    end: datetime | None
    hosts: list[str] = field(default_factory=list)
    name: str = ""


@dataclass(frozen=True)
class Delivery:
    event: str
    created_by: str
    scheduled_event_uri: str
    scheduled_event: ScheduledEvent | None


def _uri(value: Any) -> str:
    return value if isinstance(value, str) and value.startswith(("https://", "http://")) else ""


def parse_scheduled_event(data: Any) -> ScheduledEvent | None:
    """The parts of a scheduled event a re-sync needs; None when they are not all there."""
    if not isinstance(data, dict):
        return None
    memberships = data.get("event_memberships")
    hosts = [
        _uri(m.get("user"))
        for m in memberships or []
        if isinstance(m, dict) and _uri(m.get("user"))
    ]
    event = ScheduledEvent(
        uri=_uri(data.get("uri")),
        event_type=_uri(data.get("event_type")),
        start=parse_time(data.get("start_time")),
        end=parse_time(data.get("end_time")),
        hosts=hosts,
        name=data["name"] if isinstance(data.get("name"), str) else "",
    )
    if not (event.start and event.end and event.event_type and hosts):
        return None
    return event


def parse(body: bytes) -> Delivery:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise MalformedDelivery("the body is not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("event"), str):
        raise MalformedDelivery("the body is not a webhook payload")
    inner = data.get("payload")
    if not isinstance(inner, dict):
        raise MalformedDelivery("the payload is missing")
    scheduled = parse_scheduled_event(inner.get("scheduled_event"))
    event_uri = _uri(inner.get("event")) or (scheduled.uri if scheduled else "")
    if data["event"] in HANDLED_EVENTS and not event_uri:
        raise MalformedDelivery("the payload names no scheduled event")
    return Delivery(data["event"], _uri(data.get("created_by")), event_uri, scheduled)
