"""The organization itself and its teams (api-2026.md §2, scope `organizations:read`).

Whether a plain member may read the organization is unconfirmed; the sandbox takes the
stricter reading (owners and admins only, docs/sandbox.md). Teams: an owner or admin
lists the organization's, a plain member only their own (`user` = themselves).
"""

from __future__ import annotations

from werkzeug.wrappers import Response

from sandbox.api.access import is_admin_of, require_org_admin, require_same_org
from sandbox.api.params import user_param
from sandbox.core import Ctx
from sandbox.errors import NO_PERMISSION, NOT_IN_ORGANIZATION, forbidden, json_response, not_found
from sandbox.pagination import SortSpec, paginate
from sandbox.records import Team
from sandbox.render_groups import team

TEAM_ORDER = SortSpec((("name", False),))


def organization_get(ctx: Ctx, uuid: str) -> Response:
    org = ctx.state.organizations.get(uuid)
    if org is None:
        raise not_found()
    require_org_admin(ctx, org.uuid)
    return json_response({"resource": ctx.render.organization(org)})


def teams_list(ctx: Ctx) -> Response:
    user = user_param(ctx)
    org_uuid = ctx.me.org_uuid
    if user is not None:
        require_same_org(ctx, user)
    if (user is None or user.uuid != ctx.me.uuid) and not is_admin_of(ctx, org_uuid):
        raise forbidden(NO_PERMISSION)
    with ctx.state.lock:
        rows = [t for t in ctx.state.teams_by_org.get(org_uuid, [])
                if user is None or user.uuid in t.members]
        page = paginate(rows, _team_key, TEAM_ORDER, ctx.args, f"{ctx.sandbox.base_url}/teams")
        body = {"collection": [team(ctx.render, t) for t in page.rows],
                "pagination": page.pagination}
    return json_response(body)


def _team_key(found: Team) -> list:
    return [found.name, found.uuid]


def team_get(ctx: Ctx, uuid: str) -> Response:
    found = ctx.state.teams.get(uuid)
    if found is None:
        raise not_found()
    if found.org_uuid != ctx.me.org_uuid:
        raise forbidden(NOT_IN_ORGANIZATION)
    if ctx.me.uuid not in found.members and not is_admin_of(ctx, found.org_uuid):
        raise forbidden(NO_PERMISSION)
    return json_response({"resource": team(ctx.render, found)})


ROUTES = [
    ("/organizations/<uuid>", ["GET"], organization_get),
    ("/teams", ["GET"], teams_list),
    ("/teams/<uuid>", ["GET"], team_get),
]
