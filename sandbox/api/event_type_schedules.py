"""The schedules an event type books against, one per host (GET
/event_type_availability_schedules, api-2026.md §2): its own where it has one, else the
host's default."""

from __future__ import annotations

from werkzeug.wrappers import Response

from sandbox.api.access import is_admin_of, same_org
from sandbox.api.params import required, uuid_from_uri
from sandbox.core import Ctx
from sandbox.errors import NO_PERMISSION, NOT_IN_ORGANIZATION, forbidden, json_response, not_found
from sandbox.pagination import SortSpec, paginate_ordered

IN_HOST_ORDER = SortSpec((("position", False),))


def event_type_schedules(ctx: Ctx) -> Response:
    uuid = uuid_from_uri(required(ctx, "event_type"), "event_types", "event_type")
    with ctx.state.lock:
        event_type = ctx.state.event_types.get(uuid)
        if event_type is None:
            raise not_found()
        if not same_org(ctx, event_type.org_uuid):
            raise forbidden(NOT_IN_ORGANIZATION)
        hosts = event_type.hosts if event_type.pooling_type else [event_type.owner_uuid]
        # A host's schedule is theirs to read, or an owner's or admin's, as with
        # /user_availability_schedules (Calendly does not say; the stricter reading).
        if ctx.me.uuid not in hosts and not is_admin_of(ctx, event_type.org_uuid):
            raise forbidden(NO_PERMISSION)
        rows = [
            (position, host, ctx.state.schedule_for(event_type, host))
            for position, host in enumerate(hosts)
        ]
        rows = [row for row in rows if row[2] is not None]
        page = paginate_ordered(
            rows,
            lambda row: [row[0], row[1]],
            IN_HOST_ORDER,
            ctx.args,
            f"{ctx.sandbox.base_url}/event_type_availability_schedules",
        )
        body = {
            "collection": [
                ctx.render.event_type_schedule(event_type, schedule) for _, _, schedule in page.rows
            ],
            "pagination": page.pagination,
        }
    return json_response(body)


ROUTES = [
    ("/event_type_availability_schedules", ["GET"], event_type_schedules),
]
