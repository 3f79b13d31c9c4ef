"""Who may read what. The response never depends on the caller; these checks only decide
whether the caller may have it (Calendly's "deterministic irrespective of requester")."""

from __future__ import annotations

from sandbox.core import Ctx
from sandbox.errors import NO_PERMISSION, NOT_IN_ORGANIZATION, forbidden
from sandbox.records import ADMIN_ROLES, User


def same_org(ctx: Ctx, org_uuid: str) -> bool:
    return ctx.me.org_uuid == org_uuid


def is_admin_of(ctx: Ctx, org_uuid: str) -> bool:
    return ctx.state.role_of(ctx.me.uuid, org_uuid) in ADMIN_ROLES


def require_same_org(ctx: Ctx, user: User) -> None:
    if not same_org(ctx, user.org_uuid):
        raise forbidden(NOT_IN_ORGANIZATION)


def require_self_or_admin(ctx: Ctx, user: User, message: str = NOT_IN_ORGANIZATION) -> None:
    """Own data, or an owner/admin reading a member's. Outsiders always get the
    not-in-organization message; `message` is what a plain member reading another gets."""
    require_same_org(ctx, user)
    if user.uuid != ctx.me.uuid and not is_admin_of(ctx, user.org_uuid):
        raise forbidden(message)


def require_org_admin(ctx: Ctx, org_uuid: str, outsider: str = NOT_IN_ORGANIZATION,
                      member: str = NO_PERMISSION) -> None:
    if not same_org(ctx, org_uuid):
        raise forbidden(outsider)
    if not is_admin_of(ctx, org_uuid):
        raise forbidden(member)
