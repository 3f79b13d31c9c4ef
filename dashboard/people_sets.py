"""The team pages' filter by group or team (``?among=group-7``, ``?among=team-3``): which
sets the organization has, which one a page asked for, and the members it holds.

A set of another organization, or one gone since the link was made, is no filter: the page
shows everyone and says why, rather than an empty team that looks like a sync problem.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from availability.models import CalendlyUser, Group, Organization, Team

KINDS = {"group": Group, "team": Team}
MEMBERS_OF = {"group": "calendly_groups", "team": "teams"}  # CalendlyUser's side of each


@dataclass(frozen=True, slots=True)
class PeopleSet:
    key: str  # the ``among`` value: "group-7"
    kind: str  # "group" or "team"
    name: str
    size: int
    problem: str = ""

    @property
    def users(self) -> QuerySet[CalendlyUser]:
        pk = int(self.key.partition("-")[2])
        return CalendlyUser.objects.filter(**{MEMBERS_OF[self.kind]: pk})


def choices(org: Organization) -> dict[str, list[PeopleSet]]:
    """The organization's groups and teams by name, each with its member count: two
    queries. Empty lists when Calendly gave none (or the app lacks ``groups:read``)."""
    found: dict[str, list[PeopleSet]] = {}
    for kind, model in KINDS.items():
        rows = (
            model.objects.filter(organization=org)
            .annotate(size=Count("members"))
            .order_by("name", "pk")
        )
        found[kind] = [
            PeopleSet(f"{kind}-{row.pk}", kind, str(row), row.size, row.problem)
            for row in rows
        ]
    return found


def chosen(org: Organization, value: str | None) -> tuple[PeopleSet | None, str]:
    """The set ``value`` names in the organization, or None and, when something was asked
    for, why it is no filter."""
    if not value:
        return None, ""
    kind, _, pk = value.partition("-")
    model = KINDS.get(kind)
    row = None
    if model is not None and pk.isascii() and pk.isdigit() and 0 < int(pk) < 2**63:
        row = model.objects.filter(organization=org, pk=int(pk)).annotate(
            size=Count("members")).first()
    if row is None:
        return None, (
            "That group or team is not in your organization (it may have been removed in "
            "Calendly since); showing everyone."
        )
    return PeopleSet(value, kind, str(row), row.size, row.problem), ""
