"""Calendly resources as small typed records, parsed tolerantly but never trusted.

Real responses carry fields the spec does not list and nulls where it allows
them; both are fine here. A field we cannot do without (a ``uri``, a start time)
missing is a ``MalformedResource``. A time zone name that is not an IANA name
(the spec's own example says ``America/New York``) is kept as text and flagged
``timezone_known=False`` so the views show it as unknown instead of guessing.

What is read is held to what its column and the pages can hold, so no answer, however
odd, fails a write: counts and positions are clamped to a 32-bit column, a duration that
is not a whole, positive number of minutes rejects its event type, an enum value Calendly
has not documented takes its safest meaning (an unknown role is a plain "user", an
unknown busy type is busy), NUL characters are dropped from text, a reference is an
http(s) URI without spaces or control characters, and a link shown to a person is https
(plain http only on this machine, the sandbox's) or no link at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings

from calendly.errors import UnexpectedResponse


class MalformedResource(UnexpectedResponse):
    """A resource lacking a field we cannot do without."""


@dataclass(frozen=True, slots=True)
class User:
    uri: str
    name: str
    email: str
    slug: str
    scheduling_url: str
    timezone: str
    timezone_known: bool
    avatar_url: str | None
    current_organization: str | None


@dataclass(frozen=True, slots=True)
class Membership:
    uri: str
    role: str
    organization: str
    user: User


@dataclass(frozen=True, slots=True)
class EventType:
    uri: str
    name: str | None
    slug: str | None
    active: bool
    scheduling_url: str
    duration: int
    duration_options: list[int] | None
    kind: str
    pooling_type: str | None
    type: str
    color: str
    description_plain: str | None
    secret: bool
    booking_method: str
    admin_managed: bool
    position: int
    profile_type: str | None
    profile_name: str | None
    profile_owner: str | None
    deleted_at: datetime | None
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class AvailabilitySchedule:
    uri: str
    user: str
    name: str
    default: bool
    timezone: str
    timezone_known: bool
    rules: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class BusyTime:
    type: str
    start: datetime
    end: datetime
    buffered_start: datetime | None
    buffered_end: datetime | None
    event_uri: str | None


@dataclass(frozen=True, slots=True)
class ScheduledEvent:
    uri: str
    name: str
    start: datetime
    status: str


@dataclass(frozen=True, slots=True)
class AvailableTime:
    start: datetime
    status: str
    invitees_remaining: int
    scheduling_url: str


@dataclass(frozen=True, slots=True)
class WebhookSubscription:
    uri: str
    callback_url: str
    state: str
    events: list[str]
    scope: str
    organization: str
    user: str | None
    creator: str | None


# --- Field readers -----------------------------------------------------------


INT_MAX = 2**31 - 1  # the integer columns' range, on SQLite and PostgreSQL alike
MAX_DURATION_MINUTES = 7 * 24 * 60
ROLES = ("user", "admin", "owner")
BUSY_TYPES = ("calendly", "external")
_UNSAFE_IN_URI = re.compile(r"[\x00-\x20\x7f\\]")
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def _malformed(message: str) -> MalformedResource:
    return MalformedResource(message[:300], title="Malformed resource")


def _clean(value: str) -> str:
    """Text as a database can store it: PostgreSQL refuses NUL in text."""
    return value.replace("\x00", "")


def _required(data: dict[str, Any], key: str) -> Any:
    value = data.get(key)
    if value is None or value == "":
        raise MalformedResource(f"a Calendly resource lacks {key!r}", title="Malformed resource")
    return value


def _uri(data: dict[str, Any], key: str = "uri") -> str:
    """A reference: an http(s) URI, since it is what every later request is made with."""
    value = _required(data, key)
    if (
        not isinstance(value, str)
        or not value.startswith(("https://", "http://"))
        or len(value) > 500  # the URI columns' length: a cut reference names nothing
        or _UNSAFE_IN_URI.search(value)
    ):
        raise _malformed(f"{key!r} is not a URI: {value!r}")
    return value


def _optional_uri(data: dict[str, Any], key: str) -> str | None:
    try:
        return _uri(data, key) if data.get(key) not in (None, "") else None
    except MalformedResource:
        return None


def link(value: Any) -> str:
    """A URL to put in front of a person (a scheduling page, an avatar): https, or http on
    this machine (the sandbox); anything else (``javascript:``, ``data:``) is no link."""
    if not isinstance(value, str) or len(value) > 500 or _UNSAFE_IN_URI.search(value):
        return ""
    if value.startswith("https://"):
        return value
    if value.startswith("http://"):
        host = value[len("http://"):].split("/", 1)[0].rsplit(":", 1)[0].lower()
        if host in _LOOPBACK_HOSTS and "@" not in value.split("/", 3)[2]:
            return value
    return ""


def avatar(value: Any) -> str | None:
    """An avatar URL to load in pages: a link on one of ``CALENDLY_AVATAR_HOSTS`` (or on
    this machine, the sandbox's), else none: a page loading any host's image would tell
    that host who looks at whom."""
    url = link(value)
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    if host in ("127.0.0.1", "localhost", "::1"):
        return url
    allowed = getattr(settings, "CALENDLY_AVATAR_HOSTS", [])
    return url if any(_host_matches(host, pattern.lower()) for pattern in allowed) else None


def _host_matches(host: str, pattern: str) -> bool:
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and len(host) > len(pattern) - 1
    return host == pattern


def _text(data: dict[str, Any], key: str, default: str = "") -> str:
    value = data.get(key)
    return default if value is None else _clean(str(value))


def _optional_text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return None if value is None or value == "" else _clean(str(value))


def _choice(data: dict[str, Any], key: str, choices: tuple[str, ...], default: str) -> str:
    """A documented enum value; anything else is ``default``, the safest meaning."""
    value = data.get(key)
    return value if value in choices else default


def _number(data: dict[str, Any], key: str, default: int = 0) -> int:
    """A whole number within the integer columns' range (clamped); ``default`` when absent
    or not a number."""
    value = data.get(key)
    if isinstance(value, bool) or value is None:
        return default
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return default
    return max(-INT_MAX, min(INT_MAX, number))


def _duration(data: dict[str, Any]) -> int:
    """Minutes: a whole number from 1 to a week, else the event type cannot be shown."""
    value = data.get("duration")
    if value is None:
        return 0
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or value != int(value)
        or not 1 <= value <= MAX_DURATION_MINUTES
    ):
        raise _malformed(f"an event type's duration is not a whole number of minutes: {value!r}")
    return int(value)


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 instant as an aware datetime; None for null or unreadable text."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
        # In UTC, within years every later step can add a week to: 9999-12-31 with an
        # offset overflows the moment it is converted.
        moment = moment.astimezone(UTC) if moment.tzinfo else None
    except (ValueError, OverflowError):
        return None
    return moment if moment is not None and 1970 <= moment.year <= 2999 else None


def _required_time(data: dict[str, Any], key: str) -> datetime:
    moment = parse_time(data.get(key))
    if moment is None:
        raise MalformedResource(f"a Calendly resource lacks a valid {key!r}", title="Malformed")
    return moment


def timezone_known(name: str) -> bool:
    """True only for a name zoneinfo knows as written: unknown names are shown as such."""
    if not name or name != name.strip() or " " in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


# --- Resources ---------------------------------------------------------------


def parse_user(data: dict[str, Any]) -> User:
    zone = _text(data, "timezone")
    return User(
        uri=_uri(data),
        name=_text(data, "name"),
        email=_text(data, "email"),
        slug=_text(data, "slug"),
        scheduling_url=link(data.get("scheduling_url")),
        timezone=zone,
        timezone_known=timezone_known(zone),
        avatar_url=avatar(data.get("avatar_url")),
        current_organization=_optional_uri(data, "current_organization"),
    )


def parse_membership(data: dict[str, Any]) -> Membership:
    user = data.get("user")
    if not isinstance(user, dict):
        raise MalformedResource("a membership lacks its user", title="Malformed resource")
    return Membership(
        uri=_uri(data),
        role=_choice(data, "role", ROLES, "user"),  # never more power than documented
        organization=_uri(data, "organization"),
        user=parse_user(user),
    )


def _duration_options(value: Any) -> list[int] | None:
    if not isinstance(value, list):
        return None
    return [
        int(item)
        for item in value
        if isinstance(item, int | float)
        and not isinstance(item, bool)
        and item == int(item)
        and 1 <= item <= MAX_DURATION_MINUTES
    ]


def parse_event_type(data: dict[str, Any]) -> EventType:
    profile = data.get("profile") if isinstance(data.get("profile"), dict) else {}
    return EventType(
        uri=_uri(data),
        name=_optional_text(data, "name"),
        slug=_optional_text(data, "slug"),
        active=bool(data.get("active", False)),
        scheduling_url=link(data.get("scheduling_url")),
        duration=_duration(data),
        duration_options=_duration_options(data.get("duration_options")),
        kind=_text(data, "kind", "solo"),
        pooling_type=_optional_text(data, "pooling_type"),
        type=_text(data, "type", "StandardEventType"),
        color=_text(data, "color"),
        description_plain=_optional_text(data, "description_plain"),
        secret=bool(data.get("secret", False)),
        booking_method=_text(data, "booking_method", "instant"),
        admin_managed=bool(data.get("admin_managed", False)),
        position=_number(data, "position"),
        profile_type=_optional_text(profile, "type"),
        profile_name=_optional_text(profile, "name"),
        profile_owner=_optional_uri(profile, "owner"),
        deleted_at=parse_time(data.get("deleted_at")),
        updated_at=parse_time(data.get("updated_at")),
    )


def _rule(data: Any) -> dict[str, Any] | None:
    """A rule with only the fields the free/busy code reads; the rest is dropped."""
    if not isinstance(data, dict) or data.get("type") not in ("wday", "date"):
        return None
    intervals = [
        {"from": _clean(str(i.get("from", ""))), "to": _clean(str(i.get("to", "")))}
        for i in data.get("intervals") or []
        if isinstance(i, dict)
    ]
    rule: dict[str, Any] = {"type": data["type"], "intervals": intervals}
    key = "wday" if data["type"] == "wday" else "date"
    rule[key] = _text(data, key)
    return rule


def parse_schedule(data: dict[str, Any]) -> AvailabilitySchedule:
    zone = _text(data, "timezone")
    rules = [rule for rule in map(_rule, data.get("rules") or []) if rule is not None]
    return AvailabilitySchedule(
        uri=_uri(data),
        user=_uri(data, "user"),
        name=_text(data, "name"),
        default=bool(data.get("default", False)),
        timezone=zone,
        timezone_known=timezone_known(zone),
        rules=rules,
    )


def parse_busy_time(data: dict[str, Any]) -> BusyTime:
    event = data.get("event") if isinstance(data.get("event"), dict) else {}
    start, end = _required_time(data, "start_time"), _required_time(data, "end_time")
    if end < start:
        raise _malformed(f"a busy time ends before it starts: {start} to {end}")
    return BusyTime(
        # A type Calendly has not documented ("tentative") is still busy: shown as an
        # external block, never dropped, which would show the time as free.
        type=_choice(data, "type", BUSY_TYPES, "external"),
        start=start,
        end=end,
        buffered_start=parse_time(data.get("buffered_start_time")),
        buffered_end=parse_time(data.get("buffered_end_time")),
        event_uri=_optional_uri(event, "uri"),
    )


def parse_scheduled_event(data: dict[str, Any]) -> ScheduledEvent:
    """Only what names a busy block: the URI busy times give, and the name."""
    return ScheduledEvent(
        uri=_uri(data),
        name=_text(data, "name"),
        start=_required_time(data, "start_time"),
        status=_text(data, "status", "active"),
    )


def parse_available_time(data: dict[str, Any]) -> AvailableTime:
    return AvailableTime(
        start=_required_time(data, "start_time"),
        status=_text(data, "status", "available"),
        invitees_remaining=max(0, _number(data, "invitees_remaining", 1)),
        scheduling_url=link(data.get("scheduling_url")),
    )


def parse_webhook_subscription(data: dict[str, Any]) -> WebhookSubscription:
    events = data.get("events")
    return WebhookSubscription(
        uri=_uri(data),
        callback_url=_text(data, "callback_url"),
        state=_text(data, "state", "active"),
        events=[str(e) for e in events] if isinstance(events, list) else [],
        scope=_text(data, "scope"),
        organization=_text(data, "organization"),
        user=_optional_text(data, "user"),
        creator=_optional_text(data, "creator"),
    )
