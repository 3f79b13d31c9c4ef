"""All the sandbox's data in memory, with the indexes the endpoints need, behind one lock.

Handlers take `state.lock` around any read that must be consistent with a write from
another thread (the server is threaded); the lock is re-entrant so helpers may nest.
"""

from __future__ import annotations

import threading
from collections import defaultdict

from sandbox.models import (
    EventType,
    ExternalBlock,
    Membership,
    Organization,
    Schedule,
    ScheduledEvent,
    User,
    WebhookSubscription,
)


class State:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.organizations: dict[str, Organization] = {}
        self.users: dict[str, User] = {}
        self.users_by_email: dict[str, User] = {}
        self.memberships: dict[str, Membership] = {}
        self.members_by_org: dict[str, list[Membership]] = defaultdict(list)
        self.membership_by_user: dict[str, Membership] = {}
        self.schedules: dict[str, Schedule] = {}
        self.schedules_by_user: dict[str, list[Schedule]] = defaultdict(list)
        self.event_types: dict[str, EventType] = {}
        self.event_types_by_org: dict[str, list[EventType]] = defaultdict(list)
        self.events: dict[str, ScheduledEvent] = {}
        self.events_by_user: dict[str, list[ScheduledEvent]] = defaultdict(list)
        self.blocks_by_user: dict[str, list[ExternalBlock]] = defaultdict(list)
        self.webhooks: dict[str, WebhookSubscription] = {}

    # --- writes ---------------------------------------------------------------
    def add_organization(self, org: Organization) -> None:
        self.organizations[org.uuid] = org

    def add_user(self, user: User, membership: Membership) -> None:
        self.users[user.uuid] = user
        self.users_by_email[user.email.lower()] = user
        self.memberships[membership.uuid] = membership
        self.members_by_org[membership.org_uuid].append(membership)
        self.membership_by_user[user.uuid] = membership

    def add_schedule(self, schedule: Schedule) -> None:
        self.schedules[schedule.uuid] = schedule
        self.schedules_by_user[schedule.user_uuid].append(schedule)

    def add_event_type(self, event_type: EventType) -> None:
        self.event_types[event_type.uuid] = event_type
        self.event_types_by_org[event_type.org_uuid].append(event_type)

    def add_event(self, event: ScheduledEvent) -> None:
        self.events[event.uuid] = event
        for host in event.hosts:
            self.events_by_user[host].append(event)

    def add_block(self, block: ExternalBlock) -> None:
        self.blocks_by_user[block.user_uuid].append(block)

    # --- reads ----------------------------------------------------------------
    def user_by_email(self, email: str) -> User | None:
        return self.users_by_email.get(email.strip().lower())

    def role_of(self, user_uuid: str, org_uuid: str) -> str | None:
        membership = self.membership_by_user.get(user_uuid)
        if membership is None or membership.org_uuid != org_uuid:
            return None
        return membership.role

    def default_schedule(self, user_uuid: str) -> Schedule | None:
        schedules = self.schedules_by_user.get(user_uuid, [])
        return next((s for s in schedules if s.default), schedules[0] if schedules else None)

    def schedule_for(self, event_type: EventType, host_uuid: str) -> Schedule | None:
        chosen = event_type.schedule_by_host.get(host_uuid)
        return self.schedules.get(chosen) if chosen else self.default_schedule(host_uuid)

    def counts(self) -> dict[str, int]:
        return {"users": len(self.users), "organizations": len(self.organizations)}
