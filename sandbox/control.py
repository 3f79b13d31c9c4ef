"""Control endpoints under /_sandbox/ for tests, benchmarks and the management commands.

Loopback tooling, not part of Calendly's API: plain JSON, errors as {"error": "..."}.
"""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Response

from sandbox import render_groups
from sandbox.api.params import uuid_from_uri
from sandbox.core import Ctx
from sandbox.errors import json_response
from sandbox.oauth import token_body
from sandbox.scheduling import SlotUnavailable, book, cancel
from sandbox.timefmt import parse_iso
from sandbox.tokens import CONTROL_CLIENT_ID, Client
from sandbox.webhooks import disable


class ControlError(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status

    def response(self) -> Response:
        return json_response({"error": str(self)}, self.status)


def _body(ctx: Ctx) -> dict[str, Any]:
    try:
        body = json.loads(ctx.request.get_data() or b"{}")
    except ValueError:
        raise ControlError("the body must be JSON") from None
    if not isinstance(body, dict):
        raise ControlError("the body must be a JSON object")
    return body


def _field(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ControlError(f"{name} is required")
    return value.strip()


def _user(ctx: Ctx, email: str):
    user = ctx.state.user_by_email(email)
    if user is None:
        raise ControlError(f"no seeded user has the email {email!r}", 404)
    return user


def health(ctx: Ctx) -> Response:
    return json_response({"status": "ok", "base_url": ctx.sandbox.base_url, "seed":
                          ctx.sandbox.seed, **ctx.state.counts()})


def stats(ctx: Ctx) -> Response:
    return json_response(ctx.sandbox.stats.snapshot())


def stats_reset(ctx: Ctx) -> Response:
    ctx.sandbox.stats.reset()
    return json_response(ctx.sandbox.stats.snapshot())


def config(ctx: Ctx) -> Response:
    """GET shows the knobs; POST {knob: value, ...} changes them, {"reset": true} restores
    the values the process started with (and forgets rate-limit windows and faults)."""
    sandbox = ctx.sandbox
    if ctx.request.method == "POST":
        changes = _body(ctx)
        if changes.pop("reset", False):
            sandbox.knobs = sandbox.start_knobs
            sandbox.limiter.reset()
            sandbox.token_limiter.reset()
            sandbox.faults.clear()
        try:
            sandbox.knobs = sandbox.knobs.changed(changes)
        except (TypeError, ValueError) as error:
            raise ControlError(str(error)) from None
    return json_response(sandbox.knobs.as_dict())


def clients(ctx: Ctx) -> Response:
    body = _body(ctx)
    uris = body.get("redirect_uris") or []
    if not isinstance(uris, list) or not all(isinstance(u, str) and u for u in uris):
        raise ControlError("redirect_uris must be a list of URIs")
    client = Client(_field(body, "client_id"), body.get("client_secret") or None, uris,
                    body.get("name") or "")
    ctx.sandbox.tokens.register(client)
    return json_response({"client_id": client.client_id, "public": client.public,
                          "redirect_uris": client.redirect_uris}, 201)


def mint_token(ctx: Ctx) -> Response:
    """An access/refresh pair for a seeded user, as the token endpoint would give it."""
    user = _user(ctx, _field(_body(ctx), "email"))
    access, refresh = ctx.sandbox.tokens.issue_pair(
        user.uuid, CONTROL_CLIENT_ID, f"control-{user.uuid}-{ctx.now.timestamp()}",
        ctx.sandbox.knobs.token_ttl, ctx.now)
    return json_response(token_body(ctx, access, refresh), 201)


def revoke_user_tokens(ctx: Ctx) -> Response:
    user = _user(ctx, _field(_body(ctx), "email"))
    return json_response({"revoked": ctx.sandbox.tokens.revoke_user(user.uuid)})


def token_status(ctx: Ctx) -> Response:
    value = ctx.request.args.get("token", "")
    return json_response(ctx.sandbox.tokens.status(value, ctx.now))


def create_booking(ctx: Ctx) -> Response:
    body = _body(ctx)
    reference = _field(body, "event_type")
    uuid = uuid_from_uri(reference, "event_types", "event_type") if "/" in reference \
        else reference
    try:
        start = parse_iso(_field(body, "start_time"))
    except ValueError:
        raise ControlError("start_time must be an ISO 8601 date-time") from None
    email = body.get("invitee_email") or "guest@guests.example"
    name = body.get("invitee_name") or "Sandbox Guest"
    with ctx.state.lock:
        event_type = ctx.state.event_types.get(uuid)
        if event_type is None:
            raise ControlError("unknown event type", 404)
        try:
            event, invitee = book(ctx.state, event_type, start, email, name, ctx.now)
        except SlotUnavailable as error:
            raise ControlError(str(error), 409) from None
        render = ctx.render
        result = {"event": render.event(event), "invitee": render.invitee(event, invitee)}
        result["webhooks_queued"] = ctx.sandbox.webhooks.notify(
            render, "invitee.created", event, [invitee], ctx.now, ctx.sandbox.knobs.webhook_timeout)
    return json_response(result, 201)


def cancel_booking(ctx: Ctx, uuid: str) -> Response:
    body = _body(ctx)
    with ctx.state.lock:
        event = ctx.state.events.get(uuid)
        if event is None:
            raise ControlError("unknown scheduled event", 404)
        if event.status == "canceled":
            raise ControlError("the event is already canceled", 409)
        active = [i for i in event.invitees if i.status == "active"]
        host = ctx.state.users[event.hosts[0]].name
        cancel(ctx.state, event, body.get("reason"), body.get("canceled_by") or host, ctx.now)
        queued = ctx.sandbox.webhooks.notify(ctx.render, "invitee.canceled", event, active,
                                             ctx.now, ctx.sandbox.knobs.webhook_timeout)
        result = {"event": ctx.render.event(event), "webhooks_queued": queued}
    return json_response(result)


def disable_webhook(ctx: Ctx, uuid: str) -> Response:
    """Disable a subscription, as Calendly does once its deliveries keep failing; the
    answer is the subscription in the API's shape. Disabling a disabled one is a no-op."""
    with ctx.state.lock:
        sub = ctx.state.webhooks.get(uuid)
        if sub is None:
            raise ControlError("unknown webhook subscription", 404)
        disable(sub, ctx.now)
        return json_response(ctx.render.webhook(sub))


def dump(ctx: Ctx) -> Response:
    """Everything the sandbox holds, in the API's shapes, for object-by-object comparisons;
    event types also list their `hosts` and subscriptions their `signing_key`, which the
    API does not show."""
    state, render = ctx.state, ctx.render
    with state.lock:
        body = {
            "organizations": [render.organization(o) for o in state.organizations.values()],
            "users": [render.user(u) for u in state.users.values()],
            "memberships": [render.membership(m) for m in state.memberships.values()],
            "schedules": [render.schedule(s) for s in state.schedules.values()],
            "event_types": [{**render.event_type(e), "hosts": [render.uri("users", h) for h in
                                                               e.hosts]}
                            for e in state.event_types.values()],
            "scheduled_events": [render.event(e) for e in state.events.values()],
            "external_blocks": [render.external_block(b) for blocks in
                                state.blocks_by_user.values() for b in blocks],
            "webhook_subscriptions": [{**render.webhook(s), "signing_key": s.signing_key}
                                      for s in state.webhooks.values()],
            "groups": [render_groups.group(render, g) for g in state.groups.values()],
            "group_relationships": [render_groups.relationship(render, r)
                                    for r in state.relationships.values()],
            "teams": [{**render_groups.team(render, t),
                       "members": [render.uri("users", u) for u in t.members]}
                      for t in state.teams.values()],
            "meeting_limits": {render.uri("users", uuid): render_groups.meeting_limits(limits)
                               for uuid, limits in state.meeting_limits.items()},
        }
    return json_response(body)


def faults(ctx: Ctx) -> Response:
    if ctx.request.method == "DELETE":
        ctx.sandbox.faults.clear()
        return json_response({"cleared": True})
    body = _body(ctx)
    try:
        ctx.sandbox.faults.add(_field(body, "path"), _field(body, "kind"),
                               int(body.get("count", 1)), body.get("fields"))
    except ValueError as error:
        raise ControlError(str(error)) from None
    return json_response({"queued": True}, 201)


ROUTES = [
    ("/_sandbox/health", ["GET"], health),
    ("/_sandbox/stats", ["GET"], stats),
    ("/_sandbox/stats/reset", ["POST"], stats_reset),
    ("/_sandbox/config", ["GET", "POST"], config),
    ("/_sandbox/clients", ["POST"], clients),
    ("/_sandbox/tokens", ["POST"], mint_token),
    ("/_sandbox/tokens/status", ["GET"], token_status),
    ("/_sandbox/users/revoke-tokens", ["POST"], revoke_user_tokens),
    ("/_sandbox/bookings", ["POST"], create_booking),
    ("/_sandbox/bookings/<uuid>/cancel", ["POST"], cancel_booking),
    ("/_sandbox/webhook_subscriptions/<uuid>/disable", ["POST"], disable_webhook),
    ("/_sandbox/dump", ["GET"], dump),
    ("/_sandbox/faults", ["POST", "DELETE"], faults),
]
