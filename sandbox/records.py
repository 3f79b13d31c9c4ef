"""The objects the sandbox holds, as plain dataclasses; URIs are built only when rendering."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

ROLE_OWNER = "owner"
ROLE_ADMIN = "admin"
ROLE_USER = "user"
ADMIN_ROLES = frozenset({ROLE_OWNER, ROLE_ADMIN})

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# An event type's before_buffer / after_buffer and start_time_increment (api-2026.md §3).
BUFFER_MINUTES = (0, 5, 10, 15, 30, 45, 60, 90, 120, 150, 180)
INCREMENT_RANGE = (5, 720)


@dataclass
class Organization:
    uuid: str
    name: str
    created_at: datetime
    plan: str = "teams"
    stage: str = "paid"
    kind: str = "multiple"  # "single": a one-person organization


@dataclass
class User:
    uuid: str
    name: str
    slug: str
    email: str
    timezone: str
    org_uuid: str
    created_at: datetime
    locale: str = "en"
    time_notation: str = "12h"


@dataclass
class Membership:
    uuid: str
    user_uuid: str
    org_uuid: str
    role: str
    created_at: datetime


@dataclass
class Rule:
    """A weekly rule (`wday` set) or a date override (`date` set); intervals are local "HH:MM"."""

    intervals: list[tuple[str, str]]
    wday: str | None = None
    date: date | None = None


@dataclass
class Schedule:
    uuid: str
    user_uuid: str
    name: str
    default: bool
    timezone: str
    rules: list[Rule]


@dataclass
class EventType:
    uuid: str
    org_uuid: str
    owner_uuid: str
    hosts: list[str]
    name: str
    slug: str
    duration: int
    created_at: datetime
    kind: str = "solo"
    pooling_type: str | None = None
    kind_description: str | None = "One-on-One"  # None: not sent (multi-pool)
    profile_type: str = "User"
    profile_name: str = ""
    color: str = "#0069ff"
    active: bool = True
    secret: bool = False
    admin_managed: bool = False
    position: int = 0
    buffer_before: int = 0  # rendered as before_buffer
    buffer_after: int = 0  # rendered as after_buffer
    start_time_increment: int = 30  # minutes between slot starts, Calendly's default
    invitees_limit: int = 1
    # Which of each host's schedules this event type books against.
    schedule_by_host: dict[str, str] = field(default_factory=dict)
    description: str | None = None
    location: dict | None = None
    updated_at: datetime | None = None  # None: never changed since created_at
    deleted_at: datetime | None = None


@dataclass
class Invitee:
    uuid: str
    email: str
    name: str
    created_at: datetime
    updated_at: datetime
    timezone: str | None = None
    status: str = "active"
    cancellation: dict | None = None


@dataclass
class ScheduledEvent:
    uuid: str
    event_type_uuid: str
    org_uuid: str
    name: str
    start: datetime
    end: datetime
    hosts: list[str]
    created_at: datetime
    updated_at: datetime
    invitees: list[Invitee]
    invitees_limit: int = 1
    buffer_before: int = 0
    buffer_after: int = 0
    status: str = "active"
    location: dict | None = None
    cancellation: dict | None = None

    def active_invitees(self) -> int:
        return sum(1 for invitee in self.invitees if invitee.status == "active")


@dataclass
class ExternalBlock:
    uuid: str
    user_uuid: str
    start: datetime
    end: datetime


@dataclass
class WebhookSubscription:
    uuid: str
    callback_url: str
    events: list[str]
    scope: str
    org_uuid: str
    user_uuid: str | None
    creator_uuid: str
    signing_key: str
    created_at: datetime
    updated_at: datetime
    state: str = "active"  # or "disabled": no more deliveries
    group_uuid: str | None = None  # scope "group"
    failures: int = 0  # consecutive failed deliveries
    retry_started_at: datetime | None = None  # first failure of the current run of failures
    # The creating token's grant (None: a legacy app): receiving an event also takes that
    # event family's read scope (api-2026.md §1.1), checked at each delivery.
    scopes: frozenset[str] | None = None


@dataclass
class Group:
    uuid: str
    org_uuid: str
    name: str
    created_at: datetime


@dataclass
class Invitation:
    """A pending organization invitation: a group relationship may name one (api-2026.md §2)."""

    uuid: str
    org_uuid: str
    email: str
    created_at: datetime
    status: str = "pending"


@dataclass
class GroupRelationship:
    """A person's place in a group: `member` (at most one group each) or `admin` (any).
    Exactly one of `membership_uuid` and `invitation_uuid` names its owner."""

    uuid: str
    org_uuid: str
    group_uuid: str
    role: str
    created_at: datetime
    membership_uuid: str | None = None
    invitation_uuid: str | None = None


@dataclass
class Team:
    uuid: str
    org_uuid: str
    name: str
    slug: str
    members: list[str]  # user uuids
    created_at: datetime


@dataclass
class MeetingLimits:
    """A user's caps on non-canceled hosted meetings; None: no cap (api-2026.md §2)."""

    daily: int | None = None
    weekly: int | None = None
    monthly: int | None = None
