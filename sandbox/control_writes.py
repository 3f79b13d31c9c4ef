"""Control endpoints that change what the API serves beyond bookings: event types made,
changed and deleted (each sends its `event_type.*` webhook, api-2026.md §5) and a user's
meeting limits. Loopback tooling, as control.py: plain JSON, errors as {"error": "..."}."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from werkzeug.wrappers import Response

from sandbox.control import ControlError, _body, _field, _user
from sandbox.core import Ctx
from sandbox.errors import json_response
from sandbox.ids import random_uuid
from sandbox.records import EventType, MeetingLimits
from sandbox.render_groups import meeting_limits

POOLING_TYPES = (None, "round_robin", "collective", "multi_pool")
LIMIT_FIELDS = {"daily_limit": "daily", "weekly_limit": "weekly", "monthly_limit": "monthly"}
MAX_LIMIT = 9999


def _event_type(ctx: Ctx, uuid: str) -> EventType:
    found = ctx.state.event_types.get(uuid)
    if found is None:
        raise ControlError("unknown event type", 404)
    return found


def _changes(ctx: Ctx, body: dict[str, Any], owner_org: str) -> dict[str, Any]:
    """The fields `body` sets, checked: name, duration, active, secret, pooling_type and
    hosts (emails of the owner's organization)."""
    changes: dict[str, Any] = {}
    if "name" in body:
        changes["name"] = _field(body, "name")
        changes["slug"] = changes["name"].lower().replace(" ", "-")
    if "duration" in body:
        duration = body["duration"]
        if not isinstance(duration, int) or isinstance(duration, bool) or not 1 <= duration <= 720:
            raise ControlError("duration must be minutes, 1 to 720")
        changes["duration"] = duration
    for flag in ("active", "secret"):
        if flag in body:
            if not isinstance(body[flag], bool):
                raise ControlError(f"{flag} must be true or false")
            changes[flag] = body[flag]
    if "pooling_type" in body:
        if body["pooling_type"] not in POOLING_TYPES:
            raise ControlError("pooling_type must be null, round_robin, collective or multi_pool")
        changes["pooling_type"] = body["pooling_type"]
        changes["kind"] = "group" if body["pooling_type"] else "solo"
        changes["profile_type"] = "Team" if body["pooling_type"] else "User"
    if "hosts" in body:
        emails = body["hosts"]
        if not isinstance(emails, list) or not emails:
            raise ControlError("hosts must be a non-empty list of emails")
        hosts = [_user(ctx, email) for email in emails]
        if any(host.org_uuid != owner_org for host in hosts):
            raise ControlError("every host must be of the owner's organization")
        changes["hosts"] = list(dict.fromkeys(host.uuid for host in hosts))
    return changes


def _announce(ctx: Ctx, name: str, event_type: EventType, status: int) -> Response:
    render = ctx.render
    queued = ctx.sandbox.webhooks.notify_event_type(render, name, event_type, ctx.now,
                                                    ctx.sandbox.knobs.webhook_timeout)
    return json_response({"event_type": {**render.event_type(event_type),
                                         "hosts": [render.uri("users", h)
                                                   for h in event_type.hosts]},
                          "webhooks_queued": queued}, status)


def create_event_type(ctx: Ctx) -> Response:
    """{owner (email), name, duration, and optionally active, secret, pooling_type, hosts}"""
    body = _body(ctx)
    owner = _user(ctx, _field(body, "owner"))
    for needed in ("name", "duration"):
        if needed not in body:
            raise ControlError(f"{needed} is required")
    with ctx.state.lock:
        changes = _changes(ctx, body, owner.org_uuid)
        event_type = EventType(uuid=random_uuid(), org_uuid=owner.org_uuid,
                               owner_uuid=owner.uuid, hosts=[owner.uuid], name="", slug="",
                               duration=30, created_at=ctx.now, profile_name=owner.name)
        event_type = replace(event_type, **changes)
        if event_type.pooling_type:
            event_type.kind_description = None
        ctx.state.add_event_type(event_type)
        return _announce(ctx, "event_type.created", event_type, 201)


def update_event_type(ctx: Ctx, uuid: str) -> Response:
    body = _body(ctx)
    with ctx.state.lock:
        event_type = _event_type(ctx, uuid)
        changes = _changes(ctx, body, event_type.org_uuid)
        old_hosts = list(event_type.hosts)
        for key, value in changes.items():
            setattr(event_type, key, value)
        event_type.updated_at = ctx.now
        ctx.state.rehost_event_type(event_type, old_hosts)
        return _announce(ctx, "event_type.updated", event_type, 200)


def delete_event_type(ctx: Ctx, uuid: str) -> Response:
    with ctx.state.lock:
        event_type = _event_type(ctx, uuid)
        ctx.state.remove_event_type(event_type)
        event_type.deleted_at = event_type.updated_at = ctx.now
        return _announce(ctx, "event_type.deleted", event_type, 200)


def set_meeting_limits(ctx: Ctx) -> Response:
    """{email, daily_limit?, weekly_limit?, monthly_limit?}: each 1..9999, or null to lift
    it; a field left out keeps its value (as Calendly's PATCH does)."""
    body = _body(ctx)
    user = _user(ctx, _field(body, "email"))
    given = {key: body[key] for key in LIMIT_FIELDS if key in body}
    if not given:
        raise ControlError("give at least one of daily_limit, weekly_limit, monthly_limit")
    for key, value in given.items():
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                  or not 1 <= value <= MAX_LIMIT):
            raise ControlError(f"{key} must be an integer from 1 to {MAX_LIMIT}, or null")
    with ctx.state.lock:
        limits = ctx.state.meeting_limits.get(user.uuid) or MeetingLimits()
        limits = replace(limits, **{LIMIT_FIELDS[key]: value for key, value in given.items()})
        ctx.state.meeting_limits[user.uuid] = limits
    return json_response(meeting_limits(limits))


ROUTES = [
    ("/_sandbox/event_types", ["POST"], create_event_type),
    ("/_sandbox/event_types/<uuid>", ["PATCH"], update_event_type),
    ("/_sandbox/event_types/<uuid>", ["DELETE"], delete_event_type),
    ("/_sandbox/meeting_limits", ["POST"], set_meeting_limits),
]
