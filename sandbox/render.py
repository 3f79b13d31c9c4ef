"""Objects to the API's JSON, every URI built on the sandbox's public base URL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox.availability import BusyBlock, Slot
from sandbox.records import (
    EventType,
    ExternalBlock,
    Invitee,
    Membership,
    Organization,
    Rule,
    Schedule,
    ScheduledEvent,
    User,
    WebhookSubscription,
)
from sandbox.store import State
from sandbox.timefmt import iso

NULL_TRACKING = dict.fromkeys(
    ("utm_campaign", "utm_source", "utm_medium", "utm_content", "utm_term", "salesforce_uuid")
)


@dataclass(frozen=True)
class Renderer:
    base: str
    state: State

    def uri(self, collection: str, uuid: str) -> str:
        return f"{self.base}/{collection}/{uuid}"

    def scheduling_url(self, user: User, event_type: EventType | None = None,
                       start: datetime | None = None) -> str:
        url = f"{self.base}/scheduling/{user.slug}"
        if event_type is not None:
            url += f"/{event_type.slug}"
        if start is not None:
            day = iso(start)[:10]
            url += f"/{iso(start)}?month={day[:7]}&date={day}"
        return url

    def user_brief(self, user: User) -> dict[str, Any]:
        return {
            "uri": self.uri("users", user.uuid),
            "name": user.name,
            "slug": user.slug,
            "email": user.email,
            "scheduling_url": self.scheduling_url(user),
            "timezone": user.timezone,
            "avatar_url": None,
            "created_at": iso(user.created_at),
            "updated_at": iso(user.created_at),
        }

    def user(self, user: User) -> dict[str, Any]:
        return {
            **self.user_brief(user),
            "current_organization": self.uri("organizations", user.org_uuid),
            "resource_type": "User",
            "locale": user.locale,
            "time_notation": user.time_notation,
        }

    def organization(self, org: Organization) -> dict[str, Any]:
        return {"uri": self.uri("organizations", org.uuid), "kind": org.kind, "name": org.name,
                "plan": org.plan, "stage": org.stage, "created_at": iso(org.created_at),
                "updated_at": iso(org.created_at)}

    def membership(self, membership: Membership, user: User | None = None) -> dict[str, Any]:
        """`user`: the member, when they are no longer among the state's users (left)."""
        user = user or self.state.users[membership.user_uuid]
        return {
            "uri": self.uri("organization_memberships", membership.uuid),
            "role": membership.role,
            "user": {**self.user_brief(user), "locale": user.locale},
            "organization": self.uri("organizations", membership.org_uuid),
            "updated_at": iso(membership.created_at),
            "created_at": iso(membership.created_at),
        }

    def schedule(self, schedule: Schedule) -> dict[str, Any]:
        return {
            "uri": self.uri("user_availability_schedules", schedule.uuid),
            "default": schedule.default,
            "name": schedule.name,
            "user": self.uri("users", schedule.user_uuid),
            "timezone": schedule.timezone,
            "rules": [_rule(rule) for rule in schedule.rules],
        }

    def event_type_schedule(self, event_type: EventType, schedule: Schedule) -> dict[str, Any]:
        """One host's schedule of an event type, as /event_type_availability_schedules
        lists it."""
        return {
            "event_type": self.uri("event_types", event_type.uuid),
            "availability_setting": "host",
            "availability_rule": {
                "timezone": schedule.timezone,
                "uri": self.uri("user_availability_schedules", schedule.uuid),
                "name": schedule.name,
                "user": self.uri("users", schedule.user_uuid),
                "rules": [_rule(rule) for rule in schedule.rules],
            },
        }

    def event_type(self, event_type: EventType) -> dict[str, Any]:
        body = self._event_type(event_type)
        if event_type.kind_description is None:  # gone from Calendly's schema (api-2026.md §3)
            del body["kind_description"]
        return body

    def _event_type(self, event_type: EventType) -> dict[str, Any]:
        owner = self.state.users[event_type.owner_uuid]
        return {
            "uri": self.uri("event_types", event_type.uuid),
            "name": event_type.name,
            "active": event_type.active,
            "slug": event_type.slug,
            "scheduling_url": self.scheduling_url(owner, event_type),
            "duration": event_type.duration,
            "duration_options": None,
            "kind": event_type.kind,
            "pooling_type": event_type.pooling_type,
            "type": "StandardEventType",
            "color": event_type.color,
            "created_at": iso(event_type.created_at),
            "updated_at": iso(event_type.updated_at or event_type.created_at),
            "internal_note": None,
            "description_plain": event_type.description,
            "description_html": f"<p>{event_type.description}</p>" if event_type.description
            else None,
            "profile": {"type": event_type.profile_type, "name": event_type.profile_name,
                        "owner": self.uri("users", owner.uuid)},
            "secret": event_type.secret,
            "booking_method": "instant",
            "custom_questions": [],
            "deleted_at": iso(event_type.deleted_at) if event_type.deleted_at else None,
            "kind_description": event_type.kind_description,
            "admin_managed": event_type.admin_managed,
            "locations": [{"kind": event_type.location["type"],
                           "location": event_type.location["location"]}]
            if event_type.location else None,
            "position": event_type.position,
            "start_time_increment": event_type.start_time_increment,
            "before_buffer": event_type.buffer_before,
            "after_buffer": event_type.buffer_after,
        }

    def event(self, event: ScheduledEvent) -> dict[str, Any]:
        body = {
            "uri": self.uri("scheduled_events", event.uuid),
            "name": event.name,
            "status": event.status,
            "booking_method": "instant",
            "start_time": iso(event.start),
            "end_time": iso(event.end),
            "event_type": self.uri("event_types", event.event_type_uuid),
            "location": event.location,
            "invitees_counter": {"total": len(event.invitees), "active": event.active_invitees(),
                                 "limit": event.invitees_limit},
            "created_at": iso(event.created_at),
            "updated_at": iso(event.updated_at),
            "event_memberships": [self._event_membership(host) for host in event.hosts],
            "event_guests": [],
            "calendar_event": None,
        }
        if event.cancellation:
            body["cancellation"] = event.cancellation
        return body

    def _event_membership(self, host: str) -> dict[str, Any]:
        user = self.state.users[host]
        return {"user": self.uri("users", host), "user_email": user.email,
                "user_name": user.name}

    def invitee(self, event: ScheduledEvent, invitee: Invitee) -> dict[str, Any]:
        first, _, last = invitee.name.partition(" ")
        body = {
            "uri": f"{self.uri('scheduled_events', event.uuid)}/invitees/{invitee.uuid}",
            "email": invitee.email,
            "first_name": first,
            "last_name": last or None,
            "name": invitee.name,
            "status": invitee.status,
            "questions_and_answers": [],
            "timezone": invitee.timezone,
            "event": self.uri("scheduled_events", event.uuid),
            "created_at": iso(invitee.created_at),
            "updated_at": iso(invitee.updated_at),
            "tracking": dict(NULL_TRACKING),
            "text_reminder_number": None,
            "rescheduled": False,
            "old_invitee": None,
            "new_invitee": None,
            "cancel_url": f"{self.base}/cancellations/{invitee.uuid}",
            "reschedule_url": f"{self.base}/reschedulings/{invitee.uuid}",
            "routing_form_submission": None,
            "payment": None,
            "no_show": None,
            "reconfirmation": None,
        }
        if invitee.cancellation:
            body["cancellation"] = invitee.cancellation
        return body

    def busy(self, block: BusyBlock) -> dict[str, Any]:
        body: dict[str, Any] = {"type": block.kind, "start_time": iso(block.start),
                                "end_time": iso(block.end)}
        if block.kind == "calendly":
            body["buffered_start_time"] = iso(block.buffered_start)
            body["buffered_end_time"] = iso(block.buffered_end)
            body["event"] = {"uri": self.uri("scheduled_events", block.event_uuid or "")}
        return body

    def slot(self, event_type: EventType, slot: Slot) -> dict[str, Any]:
        owner = self.state.users[event_type.owner_uuid]
        return {"status": "available", "invitees_remaining": slot.invitees_remaining,
                "start_time": iso(slot.start),
                "scheduling_url": self.scheduling_url(owner, event_type, slot.start)}

    def external_block(self, block: ExternalBlock) -> dict[str, Any]:
        return {"user": self.uri("users", block.user_uuid), "start_time": iso(block.start),
                "end_time": iso(block.end)}

    def webhook(self, sub: WebhookSubscription) -> dict[str, Any]:
        return {
            "uri": self.uri("webhook_subscriptions", sub.uuid),
            "callback_url": sub.callback_url,
            "created_at": iso(sub.created_at),
            "updated_at": iso(sub.updated_at),
            "retry_started_at": iso(sub.retry_started_at) if sub.retry_started_at else None,
            "state": sub.state,
            "events": list(sub.events),
            "scope": sub.scope,
            "organization": self.uri("organizations", sub.org_uuid),
            "user": self.uri("users", sub.user_uuid) if sub.user_uuid else None,
            "group": self.uri("groups", sub.group_uuid) if sub.group_uuid else None,
            "creator": self.uri("users", sub.creator_uuid),
        }


def _rule(rule: Rule) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "date" if rule.date else "wday",
                            "intervals": [{"from": a, "to": b} for a, b in rule.intervals]}
    if rule.date:
        body["date"] = rule.date.isoformat()
    else:
        body["wday"] = rule.wday
    return body
