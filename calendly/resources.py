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

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from calendly import fields as read
from calendly.fields import (  # noqa: F401 - the parsers' names, as callers know them
    INT_MAX,
    MalformedResource,
    avatar,
    link,
    parse_time,
    timezone_known,
)


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
    time_notation: str = ""  # "12h" or "24h"; "" when the answer did not say (a membership's user)


@dataclass(frozen=True, slots=True)
class Organization:
    """GET /organizations/{uuid} (Calendly since 2025-03-08): ``name`` is optional there."""

    uri: str
    name: str | None


@dataclass(frozen=True, slots=True)
class EventTypeMembership:
    """One host of an event type (GET /event_type_memberships); ``event_type`` is the URI of
    the embedded event type, when it has one."""

    uri: str
    event_type: str | None
    member: User


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
class MeetingLimits:
    """A user's caps on the meetings they host (None: no cap), api-2026.md §2."""

    daily: int | None
    weekly: int | None
    monthly: int | None


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


# --- Resources ---------------------------------------------------------------


def parse_user(data: dict[str, Any]) -> User:
    zone = read.text(data, "timezone")
    return User(
        uri=read.uri(data),
        name=read.text(data, "name"),
        email=read.text(data, "email"),
        slug=read.text(data, "slug"),
        scheduling_url=read.link(data.get("scheduling_url")),
        timezone=zone,
        timezone_known=read.timezone_known(zone),
        avatar_url=read.avatar(data.get("avatar_url")),
        current_organization=read.optional_uri(data, "current_organization"),
        # Calendly's default when a user resource leaves it out is 12h (api-2026.md §3).
        time_notation=read.choice(data, "time_notation", read.TIME_NOTATIONS, "12h"),
    )


def parse_organization(data: dict[str, Any]) -> Organization:
    # A name of blanks is no name: the pages fall back as for a missing one.
    name = read.text(data, "name").strip() or None
    return Organization(uri=read.uri(data), name=name)


def parse_event_type_membership(data: dict[str, Any]) -> EventTypeMembership:
    event_type = data.get("event_type")
    if isinstance(event_type, dict):
        event_type_uri = read.optional_uri(event_type, "uri")
    else:
        event_type_uri = read.optional_uri(data, "event_type")
    member = data.get("member")
    if not isinstance(member, dict):
        of = f" of {event_type_uri}" if event_type_uri else ""
        raise read.malformed(f"a host record{of} lacks its member")
    return EventTypeMembership(
        uri=read.uri(data), event_type=event_type_uri, member=parse_user(member)
    )


def parse_membership(data: dict[str, Any]) -> Membership:
    user = data.get("user")
    if not isinstance(user, dict):
        raise MalformedResource("a membership lacks its user", title="Malformed resource")
    return Membership(
        uri=read.uri(data),
        role=read.choice(data, "role", read.ROLES, "user"),  # never more power than documented
        organization=read.uri(data, "organization"),
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
        and 1 <= item <= read.MAX_DURATION_MINUTES
    ]


def parse_event_type(data: dict[str, Any]) -> EventType:
    profile = data.get("profile") if isinstance(data.get("profile"), dict) else {}
    return EventType(
        uri=read.uri(data),
        name=read.optional_text(data, "name"),
        slug=read.optional_text(data, "slug"),
        active=bool(data.get("active", False)),
        scheduling_url=read.link(data.get("scheduling_url")),
        duration=read.duration(data),
        duration_options=_duration_options(data.get("duration_options")),
        kind=read.text(data, "kind", "solo"),
        pooling_type=read.optional_text(data, "pooling_type"),
        type=read.text(data, "type", "StandardEventType"),
        color=read.text(data, "color"),
        description_plain=read.optional_text(data, "description_plain"),
        secret=bool(data.get("secret", False)),
        booking_method=read.text(data, "booking_method", "instant"),
        admin_managed=bool(data.get("admin_managed", False)),
        position=read.number(data, "position"),
        profile_type=read.optional_text(profile, "type"),
        profile_name=read.optional_text(profile, "name"),
        profile_owner=read.optional_uri(profile, "owner"),
        deleted_at=read.parse_time(data.get("deleted_at")),
        updated_at=read.parse_time(data.get("updated_at")),
    )


def _rule(data: Any) -> dict[str, Any] | None:
    """A rule with only the fields the free/busy code reads; the rest is dropped."""
    if not isinstance(data, dict) or data.get("type") not in ("wday", "date"):
        return None
    intervals = [
        {"from": read.clean(str(i.get("from", ""))), "to": read.clean(str(i.get("to", "")))}
        for i in data.get("intervals") or []
        if isinstance(i, dict)
    ]
    rule: dict[str, Any] = {"type": data["type"], "intervals": intervals}
    key = "wday" if data["type"] == "wday" else "date"
    rule[key] = read.text(data, key)
    return rule


def parse_schedule(data: dict[str, Any]) -> AvailabilitySchedule:
    zone = read.text(data, "timezone")
    rules = [rule for rule in map(_rule, data.get("rules") or []) if rule is not None]
    return AvailabilitySchedule(
        uri=read.uri(data),
        user=read.uri(data, "user"),
        name=read.text(data, "name"),
        default=bool(data.get("default", False)),
        timezone=zone,
        timezone_known=read.timezone_known(zone),
        rules=rules,
    )


def parse_busy_time(data: dict[str, Any]) -> BusyTime:
    event = data.get("event") if isinstance(data.get("event"), dict) else {}
    start, end = read.required_time(data, "start_time"), read.required_time(data, "end_time")
    if end < start:
        raise read.malformed(f"a busy time ends before it starts: {start} to {end}")
    return BusyTime(
        # A type Calendly has not documented ("tentative") is still busy: shown as an
        # external block, never dropped, which would show the time as free.
        type=read.choice(data, "type", read.BUSY_TYPES, "external"),
        start=start,
        end=end,
        buffered_start=read.parse_time(data.get("buffered_start_time")),
        buffered_end=read.parse_time(data.get("buffered_end_time")),
        event_uri=read.optional_uri(event, "uri"),
    )


def parse_scheduled_event(data: dict[str, Any]) -> ScheduledEvent:
    """Only what names a busy block: the URI busy times give, and the name."""
    return ScheduledEvent(
        uri=read.uri(data),
        name=read.text(data, "name"),
        start=read.required_time(data, "start_time"),
        status=read.text(data, "status", "active"),
    )


def parse_available_time(data: dict[str, Any]) -> AvailableTime:
    return AvailableTime(
        start=read.required_time(data, "start_time"),
        status=read.text(data, "status", "available"),
        invitees_remaining=max(0, read.number(data, "invitees_remaining", 1)),
        scheduling_url=read.link(data.get("scheduling_url")),
    )


def parse_meeting_limits(body: dict[str, Any]) -> MeetingLimits:
    """GET /user_meeting_limits: a collection of exactly one item. A cap that is neither
    null nor a whole number 1-9999 is malformed, not "no cap": the page would otherwise
    explain a day's missing slots wrongly."""
    items = body.get("collection")
    if not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], dict):
        raise read.malformed("Calendly's meeting limits are not a collection of one item")
    item = items[0]
    return MeetingLimits(
        daily=read.meeting_limit(item, "daily_limit"),
        weekly=read.meeting_limit(item, "weekly_limit"),
        monthly=read.meeting_limit(item, "monthly_limit"),
    )


def parse_webhook_subscription(data: dict[str, Any]) -> WebhookSubscription:
    events = data.get("events")
    return WebhookSubscription(
        uri=read.uri(data),
        callback_url=read.text(data, "callback_url"),
        state=read.text(data, "state", "active"),
        events=[str(e) for e in events] if isinstance(events, list) else [],
        scope=read.text(data, "scope"),
        organization=read.text(data, "organization"),
        user=read.optional_text(data, "user"),
        creator=read.optional_text(data, "creator"),
    )
