"""Scheduled events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from werkzeug.wrappers import Response

from sandbox.api.access import is_admin_of, require_org_admin, require_same_org, same_org
from sandbox.api.group_access import check_group_access, group_param
from sandbox.api.params import org_param, time_param, user_param
from sandbox.core import Ctx
from sandbox.errors import NO_ACCESS, forbidden, invalid_argument, json_response, not_found
from sandbox.pagination import SortSpec, first_where, paginate, paginate_ordered, parse_sort
from sandbox.records import ScheduledEvent
from sandbox.store import State
from sandbox.timefmt import iso

OTHER_MEMBER = ("Please also specify organization when requesting events for a user within "
                "your organization.")
NOT_ALLOWED = "You are not allowed to view this event"


def events_list(ctx: Ctx) -> Response:
    user, org, group = user_param(ctx), org_param(ctx), group_param(ctx)
    if user is None and org is None and group is None:
        raise invalid_argument("user", "either user, organization or group is required")
    if group is not None:
        check_group_access(ctx, group, user, org)
        org = ctx.state.organizations[group.org_uuid]
    else:
        _check_list_access(ctx, user, org)
    sort = parse_sort(ctx.args.get("sort"), ("start_time",), "start_time:asc")
    keep = _filter(ctx, org if user is not None else None,
                   ctx.state.group_members(group.uuid) if group is not None else None)
    earliest = time_param(ctx, "min_start_time", needed=False)
    latest = time_param(ctx, "max_start_time", needed=False)
    with ctx.state.lock:
        rows = _in_order(ctx.state, user, org, sort)
        page = paginate_ordered(rows, _key, sort, ctx.args,
                                f"{ctx.sandbox.base_url}/scheduled_events", keep,
                                _span(rows, earliest, latest, sort.fields[0][1]))
        body = {"collection": [ctx.render.event(e) for e in page.rows],
                "pagination": page.pagination}
    return json_response(body)


def _key(event: ScheduledEvent) -> list:
    return [iso(event.start), event.uuid]


def _in_order(state: State, user, org, sort: SortSpec) -> list[ScheduledEvent]:
    """The user's events (all organizations), else the organization's, in `sort`'s order:
    cached until one of them gains an event."""
    if user is not None:
        return state.in_order(("events_of_host", user.uuid), sort,
                              lambda: sort.ordered(state.events_by_user.get(user.uuid, []), _key))
    return state.in_order(("events", org.uuid), sort,
                          lambda: sort.ordered(state.events_by_org.get(org.uuid, []), _key))


def _span(rows: list[ScheduledEvent], earliest: datetime | None, latest: datetime | None,
          descending: bool) -> tuple[int, int]:
    """The slice of `rows` (by start time, either way) that starts in [earliest, latest)."""
    if descending:  # later first: the slice begins at the first before `latest`
        begins = 0 if latest is None else first_where(rows, lambda e: e.start < latest)
        ends = len(rows) if earliest is None else first_where(rows, lambda e: e.start < earliest)
    else:
        begins = 0 if earliest is None else first_where(rows, lambda e: e.start >= earliest)
        ends = len(rows) if latest is None else first_where(rows, lambda e: e.start >= latest)
    return begins, max(begins, ends)


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


def _filter(ctx: Ctx, org, members: set[str] | None) -> Callable[[ScheduledEvent], bool]:
    """The request's filters besides the start times: the organization (when a user's
    events are asked for), a group's `members`, the status and an invitee's email."""
    status = ctx.args.get("status")
    if status not in (None, "active", "canceled"):
        raise invalid_argument("status", "must be active or canceled")
    email = ctx.args.get("invitee_email", "").strip().lower()

    def keep(e: ScheduledEvent) -> bool:
        return ((org is None or e.org_uuid == org.uuid)
                and (members is None or not members.isdisjoint(e.hosts))
                and (status is None or e.status == status)
                and (not email or any(i.email == email for i in e.invitees)))

    return keep


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
