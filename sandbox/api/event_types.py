"""Event types and their available times."""

from __future__ import annotations

from collections.abc import Callable

from werkzeug.wrappers import Response

from sandbox.api.access import require_org_admin, require_same_org
from sandbox.api.params import (
    bool_param,
    future_window,
    org_param,
    required,
    user_param,
    uuid_from_uri,
)
from sandbox.core import Ctx
from sandbox.errors import (
    NOT_IN_ORGANIZATION,
    forbidden,
    invalid_argument,
    json_response,
    not_found,
)
from sandbox.pagination import SortSpec, paginate_ordered, parse_sort
from sandbox.records import EventType, User
from sandbox.scheduling import available_slots
from sandbox.store import State
from sandbox.timefmt import iso

SORT_FIELDS = ("name", "position", "created_at", "updated_at")


def event_types_list(ctx: Ctx) -> Response:
    user, org = user_param(ctx), org_param(ctx)
    if user is None and org is None:
        raise invalid_argument("user", "either user or organization is required")
    if org is not None:
        require_org_admin(ctx, org.uuid)
    if user is not None:
        require_same_org(ctx, user)
    org_uuid = org.uuid if org is not None else user.org_uuid
    keep = _filter(ctx, user, org_uuid)
    sort = parse_sort(ctx.args.get("sort"), SORT_FIELDS, "name:asc")
    with ctx.state.lock:
        rows = _in_order(ctx.state, user, org_uuid, sort)
        page = paginate_ordered(rows, lambda e: _key(e, sort.fields), sort, ctx.args,
                                f"{ctx.sandbox.base_url}/event_types", keep)
        body = {"collection": [ctx.render.event_type(e) for e in page.rows],
                "pagination": page.pagination}
    return json_response(body)


def _in_order(state: State, user: User | None, org_uuid: str, sort: SortSpec) -> list[EventType]:
    """The event types the user hosts, else the organization's, in `sort`'s order: cached
    until one of them gains an event type."""
    def key(event_type: EventType) -> list:
        return _key(event_type, sort.fields)

    if user is not None:
        return state.in_order(("event_types_of_host", user.uuid), sort,
                              lambda: sort.ordered(state.event_types_by_host.get(user.uuid, []),
                                                   key))
    return state.in_order(("event_types", org_uuid), sort,
                          lambda: sort.ordered(state.event_types_by_org.get(org_uuid, []), key))


def _filter(ctx: Ctx, user: User | None, org_uuid: str) -> Callable[[EventType], bool]:
    active, managed = bool_param(ctx, "active"), bool_param(ctx, "admin_managed")
    schedule_uuid = None
    if ctx.args.get("user_availability_schedule"):
        if user is None:
            raise invalid_argument("user_availability_schedule", "needs the user parameter")
        schedule_uuid = uuid_from_uri(ctx.args["user_availability_schedule"],
                                      "user_availability_schedules", "user_availability_schedule")

    def keep(e: EventType) -> bool:
        return (e.org_uuid == org_uuid
                and (active is None or e.active == active)
                and (managed is None or e.admin_managed == managed)
                and (schedule_uuid is None or _uses_schedule(ctx, e, user.uuid, schedule_uuid)))

    return keep


def _uses_schedule(ctx: Ctx, event_type: EventType, user_uuid: str, schedule_uuid: str) -> bool:
    schedule = ctx.state.schedule_for(event_type, user_uuid)
    return schedule is not None and schedule.uuid == schedule_uuid


def _key(event_type: EventType, fields: tuple[tuple[str, bool], ...]) -> list:
    values = {"name": event_type.name, "position": event_type.position,
              "created_at": iso(event_type.created_at),
              "updated_at": iso(event_type.updated_at or event_type.created_at)}
    return [values[name] for name, _ in fields] + [event_type.uuid]


def event_type_get(ctx: Ctx, uuid: str) -> Response:
    return json_response({"resource": ctx.render.event_type(_visible_event_type(ctx, uuid))})


def _visible_event_type(ctx: Ctx, uuid: str) -> EventType:
    event_type = ctx.state.event_types.get(uuid)
    if event_type is None:
        raise not_found()
    if event_type.org_uuid != ctx.me.org_uuid:
        raise forbidden(NOT_IN_ORGANIZATION)
    return event_type


def available_times(ctx: Ctx) -> Response:
    uuid = uuid_from_uri(required(ctx, "event_type"), "event_types", "event_type")
    window = future_window(ctx, ctx.sandbox.knobs.max_window_days)
    with ctx.state.lock:
        event_type = _visible_event_type(ctx, uuid)
        slots = available_slots(ctx.state, event_type, window, ctx.now)
    return json_response({"collection": [ctx.render.slot(event_type, s) for s in slots]})


ROUTES = [
    ("/event_types", ["GET"], event_types_list),
    ("/event_types/<uuid>", ["GET"], event_type_get),
    ("/event_type_available_times", ["GET"], available_times),
]
