"""What a delivery says, read from Calendly's webhook payload.

``invitee.created`` and ``invitee.canceled`` carry the invitee as ``payload``, with
``payload.event`` (the scheduled event's URI) and, in current payloads, the whole
``payload.scheduled_event`` (event type, start, end, hosts, name). Older payloads lack the
latter: the task then reads the scheduled event from Calendly.

``event_type.created|updated|deleted`` carry the EventType as ``payload`` (api-2026.md §5):
its ``uri`` and ``profile.owner`` are all the receiver keeps. The task reads the event type
from Calendly again rather than trusting the rest of the body; one without a URI is
recorded, and the task says it names none.

Nothing here trusts the body's shape: nesting is bounded before the JSON parser (which
recurses) sees it, a URI is printable ASCII of at most 500 characters or it is no URI, a
name with a control character or a lone surrogate is no name, and a time outside the years
2000-2199 is no time. So whatever is stored fits its column on SQLite and PostgreSQL alike
(PostgreSQL refuses NUL in text and ``\u0000`` in jsonb), and nothing is truncated into
another URI.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from itertools import accumulate
from typing import Any

from calendly.resources import parse_time

INVITEE_EVENTS = ("invitee.created", "invitee.canceled")
EVENT_TYPE_EVENTS = ("event_type.created", "event_type.updated", "event_type.deleted")
HANDLED_EVENTS = INVITEE_EVENTS + EVENT_TYPE_EVENTS
MAX_DEPTH = 32  # Calendly's invitee payloads nest 6 deep
MAX_URI_CHARS = 500  # the URI columns' size: a longer one would be cut into another URI
URI = re.compile(r"https?://[!-~]+")  # printable ASCII, no space: no control, no surrogate
EVENT_NAME = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)*")  # invitee.created, event_type.updated
YEARS = range(2000, 2200)  # a scheduled event outside them is not one we sync
# A string, escapes included, to its end or the text's; possessive, so matched in one pass.
_STRING = re.compile(r'"(?:[^"\\]++|\\.?)*+(?:"|\Z)', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]++")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


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
    event_type_uri: str = ""  # event_type.*: the event type the payload is
    event_type_owner: str = ""  # its profile's owner, a user URI

    @property
    def hosts(self) -> list[str]:
        """The users the delivery concerns: the booking's hosts, or the event type's owner."""
        if self.scheduled_event:
            return self.scheduled_event.hosts
        return [self.event_type_owner] if self.event_type_owner else []


def _uri(value: Any) -> str:
    if isinstance(value, str) and len(value) <= MAX_URI_CHARS and URI.fullmatch(value):
        return value
    return ""


def _name(value: Any) -> str:
    """A display name, unless it holds a character no column should: NUL, other controls,
    lone surrogates (``"\\ud800"`` is valid JSON but no UTF-8)."""
    if not isinstance(value, str):
        return ""
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in value):
        return ""
    return value[:255]


def _time(value: Any) -> datetime | None:
    moment = parse_time(value)
    return moment if moment is not None and moment.year in YEARS else None


def nesting_depth(text: str) -> int:
    """How deep ``[`` and ``{`` nest outside strings, without recursing: strings are cut
    out, then the brackets counted (both linear in the text). Unbalanced or broken text is
    the JSON parser's to refuse; this only bounds the parser's recursion."""
    brackets = _NOT_A_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def parse_scheduled_event(data: Any) -> ScheduledEvent | None:
    """The parts of a scheduled event a re-sync needs; None when they are not all there."""
    if not isinstance(data, dict):
        return None
    memberships = data.get("event_memberships")
    if not isinstance(memberships, list):
        memberships = []
    users = (_uri(m.get("user")) for m in memberships if isinstance(m, dict))
    hosts = list(dict.fromkeys(u for u in users if u))
    event = ScheduledEvent(
        uri=_uri(data.get("uri")),
        event_type=_uri(data.get("event_type")),
        start=_time(data.get("start_time")),
        end=_time(data.get("end_time")),
        hosts=hosts,
        name=_name(data.get("name")),
    )
    if not (event.start and event.end and event.start <= event.end):
        return None
    if not (event.event_type and hosts):
        return None
    return event


def parse(body: bytes) -> Delivery:
    try:
        text = body.decode("utf-8")  # RFC 8259: JSON between systems is UTF-8
    except UnicodeDecodeError:
        raise MalformedDelivery("the body is not JSON") from None
    if nesting_depth(text) > MAX_DEPTH:
        raise MalformedDelivery(f"the body is nested more than {MAX_DEPTH} deep")
    try:
        data = json.loads(text)
    except ValueError:
        raise MalformedDelivery("the body is not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("event"), str):
        raise MalformedDelivery("the body is not a webhook payload")
    if len(data["event"]) > 50 or not EVENT_NAME.fullmatch(data["event"]):
        raise MalformedDelivery("the body is not a webhook payload")
    inner = data.get("payload")
    if not isinstance(inner, dict):
        raise MalformedDelivery("the payload is missing")
    if data["event"] in EVENT_TYPE_EVENTS:
        profile = inner.get("profile")
        owner = _uri(profile.get("owner")) if isinstance(profile, dict) else ""
        creator = _uri(data.get("created_by"))
        return Delivery(data["event"], creator, "", None, _uri(inner.get("uri")), owner)
    scheduled = parse_scheduled_event(inner.get("scheduled_event"))
    event_uri = _uri(inner.get("event")) or (scheduled.uri if scheduled else "")
    if data["event"] in INVITEE_EVENTS and not event_uri:
        raise MalformedDelivery("the payload names no scheduled event")
    return Delivery(data["event"], _uri(data.get("created_by")), event_uri, scheduled)
