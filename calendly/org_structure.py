"""How Calendly organises an organization's people, as records: groups, who belongs to them
(group relationships) and teams (api-2026.md §2). Parsed as ``calendly.resources`` parses
the rest: tolerantly, never trusted, a record without its reference is a
``MalformedResource`` that its listing skips and names.

A group or team without a name is kept, with ``name`` None: the pages label it, and the
sync names the problem. A relationship's ``role`` outside Calendly's two ("member",
"admin") is kept as given, so the sync can name it instead of guessing what it grants.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from calendly import fields as read
from calendly.resources import User, parse_user

GROUP_ROLES = ("member", "admin")


@dataclass(frozen=True, slots=True)
class Group:
    uri: str
    name: str | None
    organization: str | None


@dataclass(frozen=True, slots=True)
class GroupRelationship:
    """One person's place in a group. ``user`` is None when the owner is an invitation (not
    a member yet) or a membership Calendly sent without its user."""

    uri: str
    role: str
    group: str
    user: User | None
    owner_label: str  # who, in words, for a problem's text


@dataclass(frozen=True, slots=True)
class Team:
    uri: str
    name: str | None
    organization: str | None


def _name(data: dict[str, Any]) -> str | None:
    # A name of blanks is no name, as for an organization.
    return read.text(data, "name").strip()[:200] or None


def parse_group(data: dict[str, Any]) -> Group:
    return Group(uri=read.uri(data), name=_name(data),
                 organization=read.optional_uri(data, "organization"))


def parse_team(data: dict[str, Any]) -> Team:
    return Team(uri=read.uri(data), name=_name(data),
                organization=read.optional_uri(data, "organization"))


def parse_group_relationship(data: dict[str, Any]) -> GroupRelationship:
    owner = data.get("owner")
    user = None
    label = "someone"
    if isinstance(owner, dict):
        embedded = owner.get("user")
        if isinstance(embedded, dict):
            user = parse_user(embedded)
            label = user.name or user.email or user.uri[:200]
        else:
            label = read.text(owner, "email")[:200] or "an invitee"
    role = read.text(data, "role")[:50]
    return GroupRelationship(uri=read.uri(data), role=role, group=read.uri(data, "group"),
                             user=user, owner_label=label)
