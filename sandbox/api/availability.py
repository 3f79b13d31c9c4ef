"""Availability schedules and busy times of a user."""

from __future__ import annotations

from werkzeug.wrappers import Response

from sandbox.api.access import require_self_or_admin
from sandbox.api.params import future_window, user_param
from sandbox.core import Ctx
from sandbox.errors import invalid_argument, json_response, not_found
from sandbox.scheduling import user_busy


def schedules_list(ctx: Ctx) -> Response:
    user = user_param(ctx)
    if user is None:
        raise invalid_argument("user", "is required")
    require_self_or_admin(ctx, user)
    schedules = sorted(ctx.state.schedules_by_user.get(user.uuid, []),
                       key=lambda s: (not s.default, s.name))
    return json_response({"collection": [ctx.render.schedule(s) for s in schedules]})


def schedule_get(ctx: Ctx, uuid: str) -> Response:
    schedule = ctx.state.schedules.get(uuid)
    if schedule is None:
        raise not_found()
    require_self_or_admin(ctx, ctx.state.users[schedule.user_uuid])
    return json_response({"resource": ctx.render.schedule(schedule)})


def busy_times(ctx: Ctx) -> Response:
    user = user_param(ctx)
    if user is None:
        raise invalid_argument("user", "is required")
    window = future_window(ctx, ctx.sandbox.knobs.busy_max_window_days)
    require_self_or_admin(ctx, user)
    with ctx.state.lock:
        blocks = user_busy(ctx.state, user.uuid, window)
        body = {"collection": [ctx.render.busy(b) for b in blocks]}
    return json_response(body)


ROUTES = [
    ("/user_availability_schedules", ["GET"], schedules_list),
    ("/user_availability_schedules/<uuid>", ["GET"], schedule_get),
    ("/user_busy_times", ["GET"], busy_times),
]
