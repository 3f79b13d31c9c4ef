"""All the sandbox's data in memory, with the indexes the endpoints need, behind one lock.

Handlers take `state.lock` around any read that must be consistent with a write from
another thread (the server is threaded); the lock is re-entrant so helpers may nest.

Lists are paged from cached orderings (`in_order`): a collection sorted once, then each
page found by bisection, so that a page of a large organization's 30,000 scheduled events
costs about its own rows. A write forgets the orderings of the collections it adds to;
a cancellation changes no order, and the status is read live when a page is cut.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Hashable

from sandbox.records import (
    EventType,
    ExternalBlock,
    Group,
    GroupRelationship,
    Invitation,
    MeetingLimits,
    Membership,
    Organization,
    Schedule,
    ScheduledEvent,
    Team,
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
        self.default_schedule_by_user: dict[str, Schedule] = {}  # the first default one
        self.event_types: dict[str, EventType] = {}
        self.event_types_by_org: dict[str, list[EventType]] = defaultdict(list)
        self.event_types_by_host: dict[str, list[EventType]] = defaultdict(list)
        self.events: dict[str, ScheduledEvent] = {}
        self.events_by_org: dict[str, list[ScheduledEvent]] = defaultdict(list)
        self.events_by_user: dict[str, list[ScheduledEvent]] = defaultdict(list)
        self.blocks_by_user: dict[str, list[ExternalBlock]] = defaultdict(list)
        self.webhooks: dict[str, WebhookSubscription] = {}
        self.groups: dict[str, Group] = {}
        self.groups_by_org: dict[str, list[Group]] = defaultdict(list)
        self.relationships: dict[str, GroupRelationship] = {}
        self.relationships_by_org: dict[str, list[GroupRelationship]] = defaultdict(list)
        self.invitations: dict[str, Invitation] = {}
        # People who left: a group relationship may still name them (api-2026.md "Bad input").
        self.former_users: dict[str, User] = {}
        self.former_memberships: dict[str, Membership] = {}
        self.teams: dict[str, Team] = {}
        self.teams_by_org: dict[str, list[Team]] = defaultdict(list)
        self.meeting_limits: dict[str, MeetingLimits] = {}  # by user uuid; absent: none set
        # (collection, owner uuid) -> {variant, e.g. a sort: the collection in that order}
        self._orders: dict[tuple[str, str], dict[Hashable, list]] = {}

    # --- writes ---------------------------------------------------------------
    def add_organization(self, org: Organization) -> None:
        self.organizations[org.uuid] = org

    def add_user(self, user: User, membership: Membership) -> None:
        self.users[user.uuid] = user
        self.users_by_email[user.email.lower()] = user
        self.memberships[membership.uuid] = membership
        self.members_by_org[membership.org_uuid].append(membership)
        self.membership_by_user[user.uuid] = membership
        self._forget(("memberships", membership.org_uuid))

    def add_schedule(self, schedule: Schedule) -> None:
        self.schedules[schedule.uuid] = schedule
        self.schedules_by_user[schedule.user_uuid].append(schedule)
        if schedule.default:
            self.default_schedule_by_user.setdefault(schedule.user_uuid, schedule)

    def add_event_type(self, event_type: EventType) -> None:
        self.event_types[event_type.uuid] = event_type
        self.event_types_by_org[event_type.org_uuid].append(event_type)
        self._forget(("event_types", event_type.org_uuid))
        for host in event_type.hosts:
            self.event_types_by_host[host].append(event_type)
            self._forget(("event_types_of_host", host))

    def rehost_event_type(self, event_type: EventType, old_hosts: list[str]) -> None:
        """After `event_type.hosts` changed from `old_hosts` (or the type changed at all:
        its orderings are forgotten either way)."""
        self._forget(("event_types", event_type.org_uuid))
        for host in set(old_hosts) | set(event_type.hosts):
            kept = [e for e in self.event_types_by_host[host] if e.uuid != event_type.uuid]
            self.event_types_by_host[host] = kept + (
                [event_type] if host in event_type.hosts else [])
            self._forget(("event_types_of_host", host))

    def remove_event_type(self, event_type: EventType) -> None:
        """Deleted: gone from every list; its scheduled events keep naming it."""
        del self.event_types[event_type.uuid]
        self.event_types_by_org[event_type.org_uuid].remove(event_type)
        old, event_type.hosts = event_type.hosts, []
        self.rehost_event_type(event_type, old)
        event_type.hosts = old

    def add_event(self, event: ScheduledEvent) -> None:
        self.events[event.uuid] = event
        self.events_by_org[event.org_uuid].append(event)
        self._forget(("events", event.org_uuid))
        for host in event.hosts:
            self.events_by_user[host].append(event)
            self._forget(("events_of_host", host))

    def add_block(self, block: ExternalBlock) -> None:
        self.blocks_by_user[block.user_uuid].append(block)

    def add_group(self, group: Group) -> None:
        self.groups[group.uuid] = group
        self.groups_by_org[group.org_uuid].append(group)

    def add_relationship(self, relationship: GroupRelationship) -> None:
        self.relationships[relationship.uuid] = relationship
        self.relationships_by_org[relationship.org_uuid].append(relationship)

    def add_team(self, team: Team) -> None:
        self.teams[team.uuid] = team
        self.teams_by_org[team.org_uuid].append(team)

    def remove_member(self, user_uuid: str) -> None:
        """The user leaves their organization: gone from users and memberships, kept as a
        former member so that what still names them (group relationships) can be shown."""
        user = self.users.pop(user_uuid)
        self.users_by_email.pop(user.email.lower(), None)
        membership = self.membership_by_user.pop(user_uuid)
        del self.memberships[membership.uuid]
        self.members_by_org[membership.org_uuid].remove(membership)
        self._forget(("memberships", membership.org_uuid))
        self.former_users[user_uuid] = user
        self.former_memberships[membership.uuid] = membership

    # --- reads ----------------------------------------------------------------
    def user_by_email(self, email: str) -> User | None:
        return self.users_by_email.get(email.strip().lower())

    def role_of(self, user_uuid: str, org_uuid: str) -> str | None:
        membership = self.membership_by_user.get(user_uuid)
        if membership is None or membership.org_uuid != org_uuid:
            return None
        return membership.role

    def group_members(self, group_uuid: str, role: str = "member") -> set[str]:
        """Users (current members only) holding a `role` relationship to the group."""
        found = set()
        for rel in self.relationships.values():
            if rel.group_uuid == group_uuid and rel.role == role and rel.membership_uuid:
                membership = self.memberships.get(rel.membership_uuid)
                if membership is not None:
                    found.add(membership.user_uuid)
        return found

    def group_admins(self, group_uuid: str) -> set[str]:
        return self.group_members(group_uuid, role="admin")

    def default_schedule(self, user_uuid: str) -> Schedule | None:
        """The user's default schedule, else their first (a user always has a default)."""
        found = self.default_schedule_by_user.get(user_uuid)
        if found is None:
            schedules = self.schedules_by_user.get(user_uuid, [])
            found = schedules[0] if schedules else None
        return found

    def schedule_for(self, event_type: EventType, host_uuid: str) -> Schedule | None:
        chosen = event_type.schedule_by_host.get(host_uuid)
        return self.schedules.get(chosen) if chosen else self.default_schedule(host_uuid)

    def in_order(self, collection: tuple[str, str], variant: Hashable,
                 build: Callable[[], list]) -> list:
        """`collection` (its name and owner, e.g. ("events", org uuid)) in the order
        `variant` names, from `build` on first use; kept until the collection gains a row.
        The list is shared: callers must not change it."""
        with self.lock:
            orders = self._orders.setdefault(collection, {})
            found = orders.get(variant)
            if found is None:
                found = orders[variant] = build()
            return found

    def _forget(self, collection: tuple[str, str]) -> None:
        self._orders.pop(collection, None)

    def counts(self) -> dict[str, int]:
        return {"users": len(self.users), "organizations": len(self.organizations)}
