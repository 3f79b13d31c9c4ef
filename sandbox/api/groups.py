"""Groups and group relationships (api-2026.md §2, scope `groups:read`).

Calendly's docs do not say who may read them; a third party says owners and admins only,
which the sandbox follows (the stricter reading, docs/sandbox.md), for all four routes.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from werkzeug.wrappers import Response

from sandbox.api.access import require_org_admin
from sandbox.api.params import org_param, uuid_from_uri
from sandbox.core import Ctx
from sandbox.errors import invalid_argument, json_response, not_found
from sandbox.pagination import SortSpec, paginate
from sandbox.records import Group, GroupRelationship
from sandbox.render_groups import group, relationship
from sandbox.timefmt import iso

BY_CREATION = SortSpec((("created_at", False),))


def _created_key(row: Group | GroupRelationship) -> list:
    return [iso(row.created_at), row.uuid]


def groups_list(ctx: Ctx) -> Response:
    org = org_param(ctx)
    if org is None:
        raise invalid_argument("organization", "is required")
    require_org_admin(ctx, org.uuid)
    with ctx.state.lock:
        page = paginate(ctx.state.groups_by_org.get(org.uuid, []), _created_key, BY_CREATION,
                        ctx.args, f"{ctx.sandbox.base_url}/groups")
        body = {"collection": [group(ctx.render, g) for g in page.rows],
                "pagination": page.pagination}
    return json_response(body)


def group_get(ctx: Ctx, uuid: str) -> Response:
    found = ctx.state.groups.get(uuid)
    if found is None:
        raise not_found()
    require_org_admin(ctx, found.org_uuid)
    with ctx.state.lock:
        return json_response({"resource": group(ctx.render, found)})


def relationships_list(ctx: Ctx) -> Response:
    """Filtered by `organization`, `group` and `owner` (a membership or invitation URI),
    each optional; without `organization` or `group`, the caller's organization. An
    unknown group or owner matches nothing: the list documents no 404."""
    org = org_param(ctx)
    group_uuid = _optional_uuid(ctx, "group", "groups")
    owner = _owner(ctx)
    found_group = ctx.state.groups.get(group_uuid) if group_uuid else None
    org_uuid = org.uuid if org else found_group.org_uuid if found_group else ctx.me.org_uuid
    require_org_admin(ctx, org_uuid)

    def keep(rel: GroupRelationship) -> bool:
        return ((group_uuid is None or rel.group_uuid == group_uuid)
                and (owner is None or owner in (("membership", rel.membership_uuid),
                                                ("invitation", rel.invitation_uuid))))

    with ctx.state.lock:
        rows = [r for r in ctx.state.relationships_by_org.get(org_uuid, []) if keep(r)]
        page = paginate(rows, _created_key, BY_CREATION, ctx.args,
                        f"{ctx.sandbox.base_url}/group_relationships")
        body = {"collection": [relationship(ctx.render, r) for r in page.rows],
                "pagination": page.pagination}
    return json_response(body)


def _optional_uuid(ctx: Ctx, name: str, collection: str) -> str | None:
    value = ctx.args.get(name)
    return uuid_from_uri(value, collection, name) if value else None


def _owner(ctx: Ctx) -> tuple[str, str] | None:
    value = ctx.args.get("owner")
    if not value:
        return None
    segments = [s for s in urlsplit(value).path.split("/") if s]
    if len(segments) >= 2 and segments[-2] == "organization_memberships":
        return ("membership", segments[-1])
    if len(segments) >= 4 and segments[-2] == "invitations" and segments[-4] == "organizations":
        return ("invitation", segments[-1])
    raise invalid_argument("owner", "must be an organization membership or invitation URI")


def relationship_get(ctx: Ctx, uuid: str) -> Response:
    found = ctx.state.relationships.get(uuid)
    if found is None:
        raise not_found()
    require_org_admin(ctx, found.org_uuid)
    with ctx.state.lock:
        return json_response({"resource": relationship(ctx.render, found)})


ROUTES = [
    ("/groups", ["GET"], groups_list),
    ("/groups/<uuid>", ["GET"], group_get),
    ("/group_relationships", ["GET"], relationships_list),
    ("/group_relationships/<uuid>", ["GET"], relationship_get),
]
