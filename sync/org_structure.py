"""The organization's groups and teams (api-2026.md §2), which the team pages filter by:
read by an organization sync, after its memberships (which say who is a member).

Groups cost little: one listing of the groups and one of who is in them
(``/group_relationships?organization=``), a page per 100 people, so every organization
sync reads them. They need ``groups:read``; a connection without it reads none, and the
pages offer no group filter (docs/calendly-app.md), rather than failing the run.

Teams cost more: Calendly lists an organization's teams but not a team's members, only a
person's teams (``/teams?user=``), so membership is one request per person. A team
changes about as often as an organization's name, so each person's teams are read at most
once a ``TEAMS_MAX_AGE`` (their ``teams_read_at``), and not at all while the organization
has no team: a 2,000-member organization spends 2,000 requests a day on it, not on every
sync (its 10,000 requests of schedules and busy times dwarf that).

Odd answers are named, never a failed run: a group or team without a name, a group
without a member here, a relationship naming someone who left or a role Calendly does not
document is the set's ``problem``, said beside it on the pages; a relationship of a group
not listed, a team named for a person but not in the organization's list, are the run's
named records.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.db.models import Q
from django.utils import timezone

from accounts.models import CalendlyCredential
from accounts.scopes import has_scope
from availability.models import CalendlyUser, Group, Organization, Team
from calendly import CalendlyClient
from calendly import org_structure as structure
from sync.parallel import Job

TEAMS_MAX_AGE = timedelta(days=1)


@dataclass(frozen=True)
class GroupsRead:
    groups: list[structure.Group]
    relationships: list[structure.GroupRelationship]
    complete: bool  # both listings read whole: what they leave out is gone


def jobs(client: CalendlyClient, credential: CalendlyCredential, organization: str) -> list[Job]:
    found = []
    if has_scope(credential, "groups:read"):
        found.append(Job(f"{organization}#groups", partial(_read_groups, client, organization),
                         partial(_write_groups, organization)))
    found.append(Job(f"{organization}#teams", partial(_read_teams, client),
                     partial(_write_teams, organization),
                     then=partial(_member_team_jobs, client, organization)))
    return found


# --- Groups ---------------------------------------------------------------------------


def _read_groups(client: CalendlyClient, organization: str) -> GroupsRead:
    groups_listing = client.groups(organization)
    groups = list(groups_listing)
    relationships_listing = client.group_relationships(organization)
    listed = {group.uri for group in groups}
    relationships, left_out = [], False
    for relationship in relationships_listing:
        if relationship.group in listed:
            relationships.append(relationship)
        else:
            left_out = True  # the group may be listed next time: its people stay meanwhile
            client.stats.reject(
                f"Group relationship {relationship.uri[:200]}: its group "
                f"({relationship.group[:200]}) is not among the organization's groups"
            )
    complete = not (groups_listing.rejected or relationships_listing.rejected or left_out)
    return GroupsRead(groups, relationships, complete)


def _write_groups(organization: str, found: GroupsRead) -> int:
    org = Organization.objects.filter(uri=organization).first()
    if org is None:
        return 0
    now = timezone.now()
    members = _member_ids(org)
    in_group: dict[str, set[int]] = defaultdict(set)
    odd: dict[str, list[str]] = defaultdict(list)
    for relationship in found.relationships:
        user = relationship.user
        if relationship.role not in structure.GROUP_ROLES:
            odd[relationship.group].append(
                f"{relationship.owner_label} has a role Calendly does not document "
                f"({relationship.role!r}), so is not counted in it")
        elif relationship.role != "member":
            continue  # a group's admin manages it, and may not belong to it
        elif user is None:
            continue  # an invitation: not a member until it is accepted
        elif user.uri in members:
            in_group[relationship.group].add(members[user.uri])
        else:
            odd[relationship.group].append(
                f"{relationship.owner_label} is listed but no longer in the organization")
    for record in found.groups:
        problems = ([] if record.name else ["Calendly gives no name"]) + odd[record.uri]
        if not in_group[record.uri]:
            problems.append("no member of it is in the organization here")
        group, _ = Group.objects.update_or_create(
            uri=record.uri,
            defaults={"organization": org, "name": record.name or "", "synced_at": now,
                      "problem": "; ".join(problems)[:500]},
        )
        _set_members(Group.members.through, "group_id", group.pk, in_group[record.uri],
                     exact=found.complete)
    if found.complete:
        Group.objects.filter(organization=org).exclude(
            uri__in=[g.uri for g in found.groups]).delete()
    return len(found.groups) + len(found.relationships)


def _member_ids(org: Organization) -> dict[str, int]:
    users = CalendlyUser.objects.filter(memberships__organization=org)
    return dict(users.values_list("uri", "pk"))


def _set_members(through, column: str, owner_id: int, user_ids: set[int], exact: bool) -> None:
    """The set's members become ``user_ids`` (only added to, when a record could not be
    read: the unread one may be a member)."""
    if exact:
        through.objects.filter(**{column: owner_id}).exclude(
            calendlyuser_id__in=user_ids).delete()
    through.objects.bulk_create(
        [through(**{column: owner_id}, calendlyuser_id=pk) for pk in user_ids],
        ignore_conflicts=True,
    )


# --- Teams ----------------------------------------------------------------------------


def _read_teams(client: CalendlyClient):
    listing = client.teams()
    teams = list(listing)
    return teams, not listing.rejected


def _write_teams(organization: str, found) -> int:
    teams, complete = found
    org = Organization.objects.filter(uri=organization).first()
    if org is None:
        return 0
    now = timezone.now()
    ours = [t for t in teams if t.organization in (None, organization)]
    created = False
    for record in ours:
        _, new = Team.objects.update_or_create(
            uri=record.uri, defaults={"organization": org, "name": record.name or "",
                                      "synced_at": now,
                                      "problem": "" if record.name else "Calendly gives no name"})
        created |= new
    if created:  # a new team's members are everyone's to read again, not in a day
        CalendlyUser.objects.filter(memberships__organization=org).update(teams_read_at=None)
    if complete:
        Team.objects.filter(organization=org).exclude(uri__in=[t.uri for t in ours]).delete()
    return len(ours)


def _member_team_jobs(client: CalendlyClient, organization: str, found) -> list[Job]:
    """Each member's teams, for the members not read within ``TEAMS_MAX_AGE``; none while
    the organization has no team (then nobody is in one)."""
    org = Organization.objects.filter(uri=organization).first()
    if org is None:
        return []
    members = CalendlyUser.objects.filter(memberships__organization=org)
    if not Team.objects.filter(organization=org).exists():
        Team.members.through.objects.filter(team__organization=org).delete()
        return []
    known = set(Team.objects.filter(organization=org).values_list("uri", flat=True))
    due = members.filter(Q(teams_read_at__isnull=True)
                         | Q(teams_read_at__lt=timezone.now() - TEAMS_MAX_AGE))
    return [
        Job(f"{uri}#teams", partial(_read_member_teams, client, uri, known),
            partial(_write_member_teams, org.pk, pk))
        for uri, pk in due.order_by("pk").values_list("uri", "pk")
    ]


def _read_member_teams(client: CalendlyClient, user: str, known: set[str]):
    listing = client.teams(user=user)
    teams = []
    for team in listing:
        if team.uri in known:
            teams.append(team)
        else:
            client.stats.reject(f"Teams of {user[:200]}: {team.uri[:200]} is not among the "
                                "organization's teams, so left out")
    return teams, not listing.rejected


def _write_member_teams(org_id: int, user_id: int, found) -> int:
    teams, complete = found
    known = dict(Team.objects.filter(organization_id=org_id).values_list("uri", "pk"))
    ids = {known[t.uri] for t in teams if t.uri in known}  # one deleted meanwhile is gone
    through = Team.members.through
    if complete:
        through.objects.filter(calendlyuser_id=user_id, team__organization_id=org_id).exclude(
            team_id__in=ids).delete()
    through.objects.bulk_create([through(team_id=pk, calendlyuser_id=user_id) for pk in ids],
                                ignore_conflicts=True)
    CalendlyUser.objects.filter(pk=user_id).update(teams_read_at=timezone.now())
    return len(ids)
