"""Scheduled events."""

from __future__ import annotations

from werkzeug.wrappers import Response

from sandbox.api.access import is_admin_of, require_org_admin, require_same_org, same_org
from sandbox.api.params import org_param, time_param, user_param
from sandbox.core import Ctx
from sandbox.errors import NO_ACCESS, forbidden, invalid_argument, json_response, not_found
from sandbox.models import ScheduledEvent
from sandbox.pagination import paginate, parse_sort
from sandbox.timefmt import iso

OTHER_MEMBER = ("Please also specify organization when requesting events for a user within "
                "your organization.")
NOT_ALLOWED = "You are not allowed to view this event"


def events_list(ctx: Ctx) -> Response:
    user, org = user_param(ctx), org_param(ctx)
    if user is None and org is None:
        raise invalid_argument("user", "either user or organization is required")
    _check_list_access(ctx, user, org)
    sort = parse_sort(ctx.args.get("sort"), ("start_time",), "start_time:asc")
    with ctx.state.lock:
        rows = _filtered(ctx, user, org)
        page = paginate(rows, lambda e: [iso(e.start), e.uuid], sort, ctx.args,
                        f"{ctx.sandbox.base_url}/scheduled_events")
        body = {"collection": [ctx.render.event(e) for e in page.rows],
                "pagination": page.pagination}
    return json_response(body)


def _check_list_access(ctx: Ctx, user, org) -> None:
    """Own events by `user` (with the own `organization` or none); a colleague's need
    `organization` too and an admin role; a whole organization's need an admin role."""
    if user is not None and user.uuid == ctx.me.uuid:
        if org is not None and not same_org(ctx, org.uuid):
            raise forbidden(NO_ACCESS)
        return
    if org is None:
        require_same_org(ctx, user)
        raise forbidden(OTHER_MEMBER)
    require_org_admin(ctx, org.uuid, outsider=NO_ACCESS)
    if user is not None:
        require_same_org(ctx, user)


def _filtered(ctx: Ctx, user, org) -> list[ScheduledEvent]:
    status = ctx.args.get("status")
    if status not in (None, "active", "canceled"):
        raise invalid_argument("status", "must be active or canceled")
    earliest = time_param(ctx, "min_start_time", needed=False)
    latest = time_param(ctx, "max_start_time", needed=False)
    email = ctx.args.get("invitee_email", "").strip().lower()
    rows = ctx.state.events_by_user.get(user.uuid, []) if user else ctx.state.events.values()
    return [
        e for e in rows
        if (org is None or e.org_uuid == org.uuid)
        and (status is None or e.status == status)
        and (earliest is None or e.start >= earliest)
        and (latest is None or e.start < latest)
        and (not email or any(i.email == email for i in e.invitees))
    ]


def _visible_event(ctx: Ctx, uuid: str) -> ScheduledEvent:
    """A host sees the event; so do the owners and admins of its organization."""
    event = ctx.state.events.get(uuid)
    if event is None:
        raise not_found()
    host = ctx.me.uuid in event.hosts
    if not host and not (same_org(ctx, event.org_uuid) and is_admin_of(ctx, event.org_uuid)):
        raise forbidden(NOT_ALLOWED)
    return event


def event_get(ctx: Ctx, uuid: str) -> Response:
    return json_response({"resource": ctx.render.event(_visible_event(ctx, uuid))})


def invitees_list(ctx: Ctx, uuid: str) -> Response:
    status = ctx.args.get("status")
    if status not in (None, "active", "canceled"):
        raise invalid_argument("status", "must be active or canceled")
    email = ctx.args.get("email", "").strip().lower()
    sort = parse_sort(ctx.args.get("sort"), ("created_at",), "created_at:asc")
    with ctx.state.lock:
        event = _visible_event(ctx, uuid)
        rows = [i for i in event.invitees if (status is None or i.status == status)
                and (not email or i.email == email)]
        page = paginate(rows, lambda i: [iso(i.created_at), i.uuid], sort, ctx.args,
                        f"{ctx.sandbox.base_url}/scheduled_events/{uuid}/invitees")
        body = {"collection": [ctx.render.invitee(event, i) for i in page.rows],
                "pagination": page.pagination}
    return json_response(body)


def invitee_get(ctx: Ctx, event_uuid: str, invitee_uuid: str) -> Response:
    with ctx.state.lock:
        event = _visible_event(ctx, event_uuid)
        invitee = next((i for i in event.invitees if i.uuid == invitee_uuid), None)
        if invitee is None:
            raise not_found()
        return json_response({"resource": ctx.render.invitee(event, invitee)})


ROUTES = [
    ("/scheduled_events", ["GET"], events_list),
    ("/scheduled_events/<uuid>", ["GET"], event_get),
    ("/scheduled_events/<uuid>/invitees", ["GET"], invitees_list),
    ("/scheduled_events/<event_uuid>/invitees/<invitee_uuid>", ["GET"], invitee_get),
]
