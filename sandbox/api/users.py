"""Users and organization memberships."""

from __future__ import annotations

from werkzeug.wrappers import Response

from sandbox.api.access import require_org_admin, require_same_org
from sandbox.api.params import org_param, user_param
from sandbox.core import Ctx
from sandbox.errors import (
    NOT_IN_ORGANIZATION,
    forbidden,
    invalid_argument,
    json_response,
    not_found,
)
from sandbox.pagination import SortSpec, paginate_ordered
from sandbox.records import ROLE_ADMIN, ROLE_OWNER, ROLE_USER, Membership
from sandbox.store import State
from sandbox.timefmt import iso

MEMBERSHIP_ORDER = SortSpec((("created_at", False),))
ROLES = (ROLE_OWNER, ROLE_ADMIN, ROLE_USER)


def users_me(ctx: Ctx) -> Response:
    return json_response({"resource": ctx.render.user(ctx.me)})


def user_get(ctx: Ctx, uuid: str) -> Response:
    user = ctx.state.users.get(uuid)
    if user is None:
        raise not_found()
    require_same_org(ctx, user)
    return json_response({"resource": ctx.render.user(user)})


def memberships_list(ctx: Ctx) -> Response:
    """By `user` (any member may look up a colleague's membership) or by `organization`
    (the organization's whole list: owners and admins only)."""
    user, org = user_param(ctx), org_param(ctx)
    if user is None and org is None:
        raise invalid_argument("organization", "either user or organization is required")
    if user is not None:
        require_same_org(ctx, user)
    if org is not None and (user is None or user.uuid != ctx.me.uuid):
        require_org_admin(ctx, org.uuid)
    email = ctx.args.get("email", "").strip().lower()
    role = ctx.args.get("role")
    if role is not None and role not in ROLES:
        raise invalid_argument("role", f"must be one of {', '.join(ROLES)}")

    def keep(m: Membership) -> bool:
        return ((user is None or m.user_uuid == user.uuid)
                and (role is None or m.role == role)
                and (not email or ctx.state.users[m.user_uuid].email == email))

    with ctx.state.lock:
        if org is not None:
            rows = _org_memberships(ctx.state, org.uuid)
        else:
            rows = [ctx.state.membership_by_user[user.uuid]]
        page = paginate_ordered(rows, _membership_key, MEMBERSHIP_ORDER, ctx.args,
                                f"{ctx.sandbox.base_url}/organization_memberships", keep)
        body = {"collection": [ctx.render.membership(m) for m in page.rows],
                "pagination": page.pagination}
    return json_response(body)


def _org_memberships(state: State, org_uuid: str) -> list[Membership]:
    """The organization's memberships in order, cached until it gains a member."""
    return state.in_order(("memberships", org_uuid), MEMBERSHIP_ORDER, lambda: (
        MEMBERSHIP_ORDER.ordered(state.members_by_org.get(org_uuid, []), _membership_key)))


def _membership_key(membership: Membership) -> list:
    return [iso(membership.created_at), membership.uuid]


def membership_get(ctx: Ctx, uuid: str) -> Response:
    membership = ctx.state.memberships.get(uuid)
    if membership is None:
        raise not_found()
    if membership.org_uuid != ctx.me.org_uuid:
        raise forbidden(NOT_IN_ORGANIZATION)
    return json_response({"resource": ctx.render.membership(membership)})


ROUTES = [
    ("/users/me", ["GET"], users_me),
    ("/users/<uuid>", ["GET"], user_get),
    ("/organization_memberships", ["GET"], memberships_list),
    ("/organization_memberships/<uuid>", ["GET"], membership_get),
]
