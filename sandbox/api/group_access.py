"""The `group` parameter of scheduled events and webhook subscriptions (api-2026.md §3):
a group of the caller's organization, readable by its owners and admins and by an admin
of that group."""

from __future__ import annotations

from sandbox.api.access import is_admin_of, require_same_org
from sandbox.api.params import uuid_from_uri
from sandbox.core import Ctx
from sandbox.errors import NO_ACCESS, NO_PERMISSION, forbidden, not_found
from sandbox.records import Group, Organization, User


def group_param(ctx: Ctx, value: str | None = None) -> Group | None:
    value = value if value is not None else ctx.args.get("group")
    if not value:
        return None
    found = ctx.state.groups.get(uuid_from_uri(value, "groups", "group"))
    if found is None:
        raise not_found()
    return found


def is_group_admin(ctx: Ctx, group: Group) -> bool:
    return ctx.me.uuid in ctx.state.group_admins(group.uuid)


def check_group_access(ctx: Ctx, group: Group, user: User | None = None,
                       org: Organization | None = None) -> None:
    """The group alone: an owner or admin of its organization, or an admin of the group.
    With `organization` too: owners and admins only (the stricter reading of "work for
    admins", docs/sandbox.md). A `user` beside it must be of the same organization."""
    if group.org_uuid != ctx.me.org_uuid or (org is not None and org.uuid != group.org_uuid):
        raise forbidden(NO_ACCESS)
    org_admin = is_admin_of(ctx, group.org_uuid)
    if org is not None and not org_admin:
        raise forbidden(NO_PERMISSION)
    if not org_admin and not is_group_admin(ctx, group):
        raise forbidden(NO_PERMISSION)
    if user is not None:
        require_same_org(ctx, user)
