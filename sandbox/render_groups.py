"""The organization-structure objects to the API's JSON (api-2026.md §2): groups, group
relationships, teams, event type memberships and meeting limits. Kept beside `render.py`
rather than in it: its `Renderer` builds the URIs and the shared pieces."""

from __future__ import annotations

from typing import Any

from sandbox.ids import derived_uuid
from sandbox.records import EventType, Group, GroupRelationship, Invitation, MeetingLimits, Team
from sandbox.render import Renderer
from sandbox.timefmt import iso


def group(render: Renderer, found: Group) -> dict[str, Any]:
    members = render.state.group_members(found.uuid)
    return {"uri": render.uri("groups", found.uuid), "name": found.name,
            "organization": render.uri("organizations", found.org_uuid),
            "member_count": len(members), "created_at": iso(found.created_at),
            "updated_at": iso(found.created_at)}


def invitation(render: Renderer, found: Invitation) -> dict[str, Any]:
    org_uri = render.uri("organizations", found.org_uuid)
    return {"uri": f"{org_uri}/invitations/{found.uuid}", "organization": org_uri,
            "email": found.email, "status": found.status, "created_at": iso(found.created_at),
            "updated_at": iso(found.created_at), "last_sent_at": iso(found.created_at),
            "type": "OrganizationInvitation"}


def relationship(render: Renderer, found: GroupRelationship) -> dict[str, Any]:
    state = render.state
    if found.invitation_uuid:
        owner = invitation(render, state.invitations[found.invitation_uuid])
    else:
        assert found.membership_uuid is not None
        membership = (state.memberships.get(found.membership_uuid)
                      or state.former_memberships[found.membership_uuid])
        user = state.users.get(membership.user_uuid) or state.former_users[membership.user_uuid]
        owner = {**render.membership(membership, user), "type": "OrganizationMembership"}
    return {"uri": render.uri("group_relationships", found.uuid), "role": found.role,
            "owner": owner, "organization": render.uri("organizations", found.org_uuid),
            "group": render.uri("groups", found.group_uuid),
            "created_at": iso(found.created_at), "updated_at": iso(found.created_at)}


def team(render: Renderer, found: Team) -> dict[str, Any]:
    return {"uri": render.uri("teams", found.uuid), "name": found.name,
            "organization": render.uri("organizations", found.org_uuid),
            "scheduling_url": f"{render.base}/team/{found.slug}"}


def event_type_membership_uuid(event_type: EventType, host_uuid: str) -> str:
    # Derived from what it joins, so a host's membership keeps its URI across restarts.
    return derived_uuid(event_type.uuid, "event_type_membership", host_uuid)


def event_type_membership(render: Renderer, event_type: EventType, host_uuid: str
                          ) -> dict[str, Any]:
    return {"uri": render.uri("event_type_memberships",
                              event_type_membership_uuid(event_type, host_uuid)),
            "event_type": render.event_type(event_type),
            "member": render.user(render.state.users[host_uuid]),
            "created_at": iso(event_type.created_at), "updated_at": iso(event_type.created_at)}


def meeting_limits(limits: MeetingLimits | None) -> dict[str, Any]:
    limits = limits or MeetingLimits()
    return {"daily_limit": limits.daily, "weekly_limit": limits.weekly,
            "monthly_limit": limits.monthly}
