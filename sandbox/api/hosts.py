"""Who hosts an event type (GET /event_type_memberships, api-2026.md §2) and a user's
meeting limits (GET /user_meeting_limits)."""

from __future__ import annotations

from werkzeug.wrappers import Response

from sandbox.api.params import required, user_param, uuid_from_uri
from sandbox.core import Ctx
from sandbox.errors import (
    NO_PERMISSION,
    NOT_IN_ORGANIZATION,
    forbidden,
    invalid_argument,
    json_response,
    not_found,
)
from sandbox.pagination import SortSpec, paginate
from sandbox.render_groups import event_type_membership, event_type_membership_uuid, meeting_limits
from sandbox.scheduling import hosts_for

BY_UUID = SortSpec(())


def event_type_memberships(ctx: Ctx) -> Response:
    """Any member of the event type's organization may list its hosts, as they may read
    the event type itself."""
    uuid = uuid_from_uri(required(ctx, "event_type"), "event_types", "event_type")
    with ctx.state.lock:
        event_type = ctx.state.event_types.get(uuid)
        if event_type is None:
            raise not_found()
        if event_type.org_uuid != ctx.me.org_uuid:
            raise forbidden(NOT_IN_ORGANIZATION)
        page = paginate(hosts_for(event_type),
                        lambda host: [event_type_membership_uuid(event_type, host)], BY_UUID,
                        ctx.args, f"{ctx.sandbox.base_url}/event_type_memberships")
        body = {"collection": [event_type_membership(ctx.render, event_type, h)
                               for h in page.rows], "pagination": page.pagination}
    return json_response(body)


def user_meeting_limits(ctx: Ctx) -> Response:
    """Only the authenticated user's own: anyone else's is 403, an admin's request too.
    One item, never paginated; a user who set no limits gets three nulls."""
    if not ctx.args.get("user"):
        raise invalid_argument("user", "is required")
    user = user_param(ctx)
    assert user is not None
    if user.uuid != ctx.me.uuid:
        raise forbidden(NOT_IN_ORGANIZATION if user.org_uuid != ctx.me.org_uuid
                        else NO_PERMISSION)
    limits = ctx.state.meeting_limits.get(user.uuid)
    return json_response({"collection": [meeting_limits(limits)]})


ROUTES = [
    ("/event_type_memberships", ["GET"], event_type_memberships),
    ("/user_meeting_limits", ["GET"], user_meeting_limits),
]
