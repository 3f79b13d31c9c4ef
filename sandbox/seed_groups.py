"""How the seeded organizations are organised (api-2026.md §2): groups with their member
and admin relationships, teams, and meeting limits.

The demo's groups hold the odd cases a client must survive: an empty group, a member who
has left the organization but is still named by a group, and a pending invitation.
Ids derive from the seed and names only, as everything lasting in the seed does.
"""

from __future__ import annotations

from typing import Protocol

from sandbox.records import (
    ROLE_USER,
    Group,
    GroupRelationship,
    Invitation,
    MeetingLimits,
    Membership,
    Organization,
    Team,
    User,
)
from sandbox.store import State

# Group name: (member emails, admin emails). One member relationship per person at most.
DEMO_GROUPS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Sales": (("ana@acme.example", "ben@acme.example", "finn@acme.example"),
              ("emma@acme.example",)),
    "Support": (("chloe@acme.example", "dev@acme.example"), ()),
    "Engineering": (("emma@acme.example", "admin@acme.example"), ("owner@acme.example",)),
    "Marketing": ((), ()),
}
DEMO_GROUP_ADMIN_EMAIL = "emma@acme.example"  # a plain member who is Sales' group admin
EMPTY_GROUP = "Marketing"
FORMER_MEMBER = ("gale@acme.example", "Gary Gale", "Support")  # left; Support still names him
INVITED = ("new.hire@acme.example", "Support")  # a pending invitation, member of Support
DEMO_TEAMS = {
    "Acme Sales": ("owner@acme.example", "ana@acme.example", "ben@acme.example",
                   "finn@acme.example"),
    "Acme Recruiting": ("owner@acme.example", "admin@acme.example", "emma@acme.example"),
    "Acme Support": ("chloe@acme.example", "dev@acme.example", "emma@acme.example",
                     "admin@acme.example"),
}
OTHER_GROUPS = {"Operations": (("member@globex.example",), ("owner@globex.example",))}
OTHER_TEAMS = {"Globex Ops": ("owner@globex.example", "member@globex.example")}
LARGE_GROUPS = ("Sales", "Support", "Engineering", "Marketing", "Finance", "Operations",
                "Research", "Legal")
# Whose meeting limits are set: Dev's daily cap is reached on a seeded day (seed_bookings).
LIMITED_EMAIL = "dev@acme.example"
LIMITED = MeetingLimits(daily=2, weekly=None, monthly=None)


class Seeder(Protocol):
    state: State

    def uid(self, kind: str, *parts: object) -> str: ...

    def next_created_at(self): ...


def organise(seeder: Seeder, org: Organization, groups: dict, teams: dict) -> None:
    """Groups (member and admin relationships by email) and teams of `org`."""
    state = seeder.state
    for name, (members, admins) in groups.items():
        group = Group(seeder.uid("group", org.uuid, name), org.uuid, name,
                      seeder.next_created_at())
        state.add_group(group)
        for role, emails in (("member", members), ("admin", admins)):
            for email in emails:
                user = state.user_by_email(email)
                assert user is not None, email
                relate(seeder, group, role, membership_uuid=state.membership_by_user[
                    user.uuid].uuid, key=email)
    for name, emails in teams.items():
        members = [state.user_by_email(email).uuid for email in emails]  # type: ignore[union-attr]
        state.add_team(Team(seeder.uid("team", org.uuid, name), org.uuid, name,
                            name.lower().replace(" ", "-"), members, seeder.next_created_at()))


def relate(seeder: Seeder, group: Group, role: str, key: str, membership_uuid: str | None = None,
           invitation_uuid: str | None = None) -> None:
    seeder.state.add_relationship(GroupRelationship(
        seeder.uid("group_relationship", group.uuid, role, key), group.org_uuid, group.uuid,
        role, seeder.next_created_at(), membership_uuid, invitation_uuid))


def demo_structure(seeder: Seeder, org: Organization) -> None:
    """The demo's groups and teams, its departed member and pending invitee, and the
    meeting limits."""
    state = seeder.state
    organise(seeder, org, DEMO_GROUPS, DEMO_TEAMS)
    support = next(g for g in state.groups_by_org[org.uuid] if g.name == FORMER_MEMBER[2])
    email, name, _ = FORMER_MEMBER
    created = seeder.next_created_at()
    user = User(seeder.uid("user", email), name, name.lower().replace(" ", "-"), email,
                "Europe/Dublin", org.uuid, created)
    membership = Membership(seeder.uid("membership", email), user.uuid, org.uuid, ROLE_USER,
                            created)
    state.add_user(user, membership)
    relate(seeder, support, "member", key=email, membership_uuid=membership.uuid)
    state.remove_member(user.uuid)
    invitation = Invitation(seeder.uid("invitation", INVITED[0]), org.uuid, INVITED[0],
                            seeder.next_created_at())
    state.invitations[invitation.uuid] = invitation
    relate(seeder, support, "member", key=INVITED[0], invitation_uuid=invitation.uuid)
    limited = state.user_by_email(LIMITED_EMAIL)
    assert limited is not None
    state.meeting_limits[limited.uuid] = LIMITED


def large_groups(seeder: Seeder, org: Organization, members: list[User]) -> None:
    """The large organization's members (all but its owner and admin) in LARGE_GROUPS by
    turn; each group's first member is also its admin."""
    state = seeder.state
    groups = []
    for name in LARGE_GROUPS:
        group = Group(seeder.uid("group", org.uuid, name), org.uuid, name,
                      seeder.next_created_at())
        state.add_group(group)
        groups.append(group)
    for index, user in enumerate(members[2:]):
        group = groups[index % len(groups)]
        membership = state.membership_by_user[user.uuid].uuid
        relate(seeder, group, "member", key=user.email, membership_uuid=membership)
        if index < len(groups):
            relate(seeder, group, "admin", key=user.email, membership_uuid=membership)
