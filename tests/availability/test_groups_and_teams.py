"""An organization sync stores its groups and teams (sync/org_structure.py): who is in each,
what was odd about each, and at what cost in requests; odd answers never fail the run."""

from __future__ import annotations

import pytest
from django.utils import timezone

from availability.models import CalendlyUser, Group, SyncRun, Team
from sandbox.seed import DEMO_ADMIN_EMAIL
from sandbox.seed_groups import EMPTY_GROUP, FORMER_MEMBER, INVITED
from sync import org_structure
from tests.availability import expected as x
from tests.availability.test_hosts_and_names import org_run, problems_of
from tests.availability.test_sync_scopes import all_but

pytestmark = pytest.mark.django_db(transaction=True)
SUCCEEDED, PARTIAL = SyncRun.Status.SUCCEEDED, SyncRun.Status.PARTIAL


def test_who_left_an_empty_group_and_invitees_are_the_groups_named_problems(calendly, connect):
    admin = connect(DEMO_ADMIN_EMAIL)
    run = org_run(admin)
    assert run.status == SUCCEEDED and run.member_errors == {}
    support = Group.objects.get(name=FORMER_MEMBER[2])
    assert support.problem == f"{FORMER_MEMBER[1]} is listed but no longer in the organization"
    emails = set(support.members.values_list("email", flat=True))
    assert FORMER_MEMBER[0] not in emails and INVITED[0] not in emails and emails
    assert Group.objects.get(name=EMPTY_GROUP).problem == (
        "no member of it is in the organization here"
    )
    assert not Group.objects.get(name=EMPTY_GROUP).members.exists()
    # A group's admin manages it, and belongs only where a "member" relationship says so.
    dump = calendly.dump()
    assert x.group_rows(admin.organization_uri) == x.expected_groups(dump, admin.organization_uri)


def test_a_group_without_a_name_is_kept_and_its_problem_says_so(calendly, connect):
    admin = connect(DEMO_ADMIN_EMAIL)
    calendly.fault("/groups", "override", fields={"name": None})  # the one page: every group
    run = org_run(admin)
    assert run.status == SUCCEEDED, run.member_errors
    groups = list(Group.objects.all())
    assert len(groups) == len(x.org_groups(calendly.dump(), admin.organization_uri)) > 1
    assert {str(g) for g in groups} == {"Unnamed group"}
    assert all(g.problem.startswith("Calendly gives no name") for g in groups)
    assert x.group_rows(admin.organization_uri) == x.expected_groups(
        calendly.dump(), admin.organization_uri)


def test_a_relationship_of_an_unlisted_group_or_odd_role_is_named_not_stored(calendly, connect):
    admin = connect(DEMO_ADMIN_EMAIL)
    assert org_run(admin).status == SUCCEEDED
    before = x.group_rows(admin.organization_uri)
    elsewhere = f"{calendly.url}/groups/NOT-LISTED"
    calendly.fault("/group_relationships", "override", fields={"group": elsewhere})
    run = org_run(admin)
    assert run.status == PARTIAL and not run.error
    assert problems_of(run, "is not among the organization's groups")
    # Read whole, but a relationship was left out: no one is removed from a group meanwhile.
    assert x.group_rows(admin.organization_uri) == before
    calendly.fault("/group_relationships", "override", fields={"role": "superuser"})
    run = org_run(admin)
    assert run.status == SUCCEEDED
    odd = [g.problem for g in Group.objects.all() if "role Calendly does not document" in g.problem]
    assert odd and all("('superuser')" in problem for problem in odd)


def test_without_groups_read_no_group_is_asked_for_and_the_run_succeeds(calendly, connect):
    admin = connect(DEMO_ADMIN_EMAIL, scopes=all_but("groups:read"))
    calendly.reset_stats()
    run = org_run(admin)
    assert run.status == SUCCEEDED, run.member_errors
    asked = calendly.stats()["requests"]
    assert "GET /groups" not in asked and "GET /group_relationships" not in asked
    assert not Group.objects.exists() and Team.objects.exists()


def test_members_teams_are_read_at_most_daily_and_again_for_a_new_team(calendly, connect):
    admin = connect(DEMO_ADMIN_EMAIL)
    org = admin.organization_uri
    assert org_run(admin).status == SUCCEEDED
    people = len(x.members(calendly.dump(), org))
    calendly.reset_stats()
    assert org_run(admin).status == SUCCEEDED
    assert calendly.stats()["requests"]["GET /teams"] == 1  # the list: nobody's teams
    # A day on, everyone's teams are due again.
    day_ago = timezone.now() - org_structure.TEAMS_MAX_AGE
    CalendlyUser.objects.filter(memberships__organization__uri=org).update(teams_read_at=day_ago)
    calendly.reset_stats()
    assert org_run(admin).status == SUCCEEDED
    assert calendly.stats()["requests"]["GET /teams"] == 1 + people
    assert x.team_rows(org) == x.expected_teams(calendly.dump(), org)


def test_a_team_listed_for_a_person_but_not_the_organization_is_named(calendly, connect):
    admin = connect(DEMO_ADMIN_EMAIL)
    assert org_run(admin).status == SUCCEEDED
    org = admin.organization_uri
    odd = f"{calendly.url}/teams/ODD"
    # The organization's list (the run's first /teams) names one team, none of the real ones:
    # a new team, so everyone's teams are read again, and each names teams the list lacks.
    calendly.fault("/teams", "override", fields={"uri": odd})
    run = org_run(admin)
    assert run.status == PARTIAL and not run.error
    named = problems_of(run, "is not among the organization's teams, so left out")
    assert len(named) == sum(len(members) for members in x.expected_teams(calendly.dump(), org).values())
    assert x.team_rows(org) == {odd: set()}


def test_a_team_without_a_name_is_kept_and_its_problem_says_so(calendly, connect):
    admin = connect(DEMO_ADMIN_EMAIL)
    calendly.fault("/teams", "override", fields={"name": "  "})  # the organization's list
    assert org_run(admin).status == SUCCEEDED
    teams = list(Team.objects.all())
    assert teams and {str(t) for t in teams} == {"Unnamed team"}
    assert {t.problem for t in teams} == {"Calendly gives no name"}
    assert x.team_rows(admin.organization_uri) == x.expected_teams(
        calendly.dump(), admin.organization_uri)
