"""Team event types' hosts (/event_type_memberships) and the organization's name
(/organizations/{uuid}), synced from the sandbox; their odd answers are named problems."""

from __future__ import annotations

import pytest

from accounts.models import CalendlyCredential
from availability.models import CalendlyUser, EventType, Organization, SyncRun
from sandbox.seed import DEMO_ADMIN_EMAIL, DEMO_MEMBER_EMAIL
from sync import organization_name, runs
from tests.availability import expected as x

pytestmark = pytest.mark.django_db(transaction=True)
PARTIAL, SUCCEEDED = SyncRun.Status.PARTIAL, SyncRun.Status.SUCCEEDED


def inline(run_id: int, credential_id: int, batches: list[list[str]]) -> None:
    for batch in batches:
        runs.sync_members(run_id, credential_id, batch)


def org_run(admin: CalendlyCredential) -> SyncRun:
    """An organization sync; the admin's own sync first, once, so the dashboard knows them."""
    if not SyncRun.objects.filter(kind=SyncRun.Kind.ORGANIZATION).exists():
        assert user_run(admin).status == SUCCEEDED
    return SyncRun.objects.get(pk=runs.sync_organization(admin.organization_uri, inline).run_id)


def user_run(credential: CalendlyCredential) -> SyncRun:
    return SyncRun.objects.get(pk=runs.sync_user(credential.pk).run_id)


def seeded_name(dump: dict, organization: str) -> str:
    return next(o["name"] for o in dump["organizations"] if o["uri"] == organization)


def problems_of(run: SyncRun, needle: str) -> list[str]:
    return [problem for problem in run.member_errors.values() if needle in problem]


def test_a_host_who_never_signed_in_is_stored_from_the_embedded_member(calendly, connect):
    member = connect(DEMO_MEMBER_EMAIL)
    run = user_run(member)
    assert run.status in (SUCCEEDED, PARTIAL) and not run.error
    dump = calendly.dump()
    mine = [
        et
        for et in x.bookable_team_types(dump["event_types"])
        if member.calendly_user_uri in et["hosts"]
    ]
    assert mine
    users = {u["uri"]: u for u in dump["users"]}
    for et in mine:
        assert x.host_rows([et["uri"]])[et["uri"]] == set(et["hosts"])
    others = {h for et in mine for h in et["hosts"]} - {member.calendly_user_uri}
    assert others and not CalendlyCredential.objects.filter(calendly_user_uri__in=others).exists()
    for uri in others:  # known here only as a host: name, email and organization as Calendly says
        stored = CalendlyUser.objects.get(uri=uri)
        assert (stored.name, stored.email) == (users[uri]["name"], users[uri]["email"])
        assert stored.organization.uri == member.organization_uri


def test_a_host_calendly_no_longer_lists_is_no_longer_a_host(calendly, connect):
    admin = connect(DEMO_ADMIN_EMAIL)
    assert user_run(admin).status == SUCCEEDED
    team = x.bookable_team_types(x.org_event_types(calendly.dump(), admin.organization_uri))
    first = EventType.objects.get(uri=team[0]["uri"])
    stranger = CalendlyUser.objects.create(uri=f"{calendly.url}/users/GONE", name="Gone")
    first.hosts.add(stranger)
    assert org_run(admin).status == SUCCEEDED
    assert x.host_rows([first.uri])[first.uri] == set(team[0]["hosts"])


def test_a_host_record_without_its_member_is_named_and_removes_no_host(calendly, connect):
    admin = connect(DEMO_ADMIN_EMAIL)
    assert org_run(admin).status == SUCCEEDED
    team = x.bookable_team_types(x.org_event_types(calendly.dump(), admin.organization_uri))
    before = x.host_rows(et["uri"] for et in team)
    assert all(before.values())
    calendly.fault("/event_type_memberships", "override", count=len(team), fields={"member": None})
    run = org_run(admin)
    assert run.status == PARTIAL and not run.error
    assert len(problems_of(run, "lacks its member")) == sum(len(et["hosts"]) for et in team)
    assert x.host_rows(et["uri"] for et in team) == before


def test_a_host_who_left_the_organization_is_named_and_not_stored(calendly, connect):
    admin = connect(DEMO_ADMIN_EMAIL)
    other = f"{calendly.url}/organizations/SOMEWHERE-ELSE"
    team = x.bookable_team_types(x.org_event_types(calendly.dump(), admin.organization_uri))
    assert org_run(admin).status == SUCCEEDED
    calendly.fault(
        "/event_type_memberships",
        "override",
        count=1,
        fields={"member.current_organization": other},
    )
    run = org_run(admin)
    assert run.status == PARTIAL and not run.error
    left = problems_of(run, "is no longer in the organization")
    assert left and all(p.startswith("Hosts of ") for p in left)
    stored = x.host_rows(et["uri"] for et in team)
    # One event type's answer named people elsewhere: none of them became its host.
    assert sorted(len(hosts) for hosts in stored.values()).count(0) == 1
    assert all(stored[et["uri"]] in (set(), set(et["hosts"])) for et in team)


def test_an_unknown_kind_is_named_and_its_hosts_read_from_calendly(calendly, connect):
    member = connect(DEMO_MEMBER_EMAIL)
    calendly.fault("/event_types", "override", count=1, fields={"kind": "panel"})
    calendly.reset_stats()
    run = user_run(member)
    assert run.status == PARTIAL and not run.error
    named = problems_of(run, "'panel'")
    listed = EventType.objects.filter(active=True, deleted_at=None)
    assert len(named) == listed.count() > 0
    # Every bookable one is read as a team event type: its hosts are Calendly's.
    assert calendly.stats()["requests"]["GET /event_type_memberships"] == listed.count()
    dump_hosts = {et["uri"]: set(et["hosts"]) for et in calendly.dump()["event_types"]}
    for uri, hosts in x.host_rows(listed.values_list("uri", flat=True)).items():
        assert hosts == dump_hosts[uri]


def test_the_organization_sync_stores_the_name_and_a_member_does_not_ask_again(calendly, connect):
    admin, member = connect(DEMO_ADMIN_EMAIL), connect(DEMO_MEMBER_EMAIL)
    assert org_run(admin).status == SUCCEEDED
    organization = Organization.objects.get(uri=admin.organization_uri)
    assert organization.name == seeded_name(calendly.dump(), organization.uri)
    assert organization.name_asked_at is not None and organization.name_problem == ""
    calendly.reset_stats()
    assert user_run(member).status == SUCCEEDED
    assert "GET /organizations/{uuid}" not in calendly.stats()["requests"]  # fresh: not asked


def test_a_refusal_is_named_on_the_organization_and_asked_again_only_a_day_later(calendly, connect):
    member = connect(DEMO_MEMBER_EMAIL)
    run = user_run(member)
    assert run.status == SUCCEEDED and run.member_errors == {}  # the run's data is whole
    organization = Organization.objects.get(uri=member.organization_uri)
    assert organization.name == "" and organization.name_asked_at is not None
    problem = organization.name_problem
    assert problem.startswith("could not read the organization's name (403 Permission Denied")
    assert "your organization" in problem

    calendly.reset_stats()
    assert user_run(member).status == SUCCEEDED
    assert "GET /organizations/{uuid}" not in calendly.stats()["requests"]

    Organization.objects.filter(pk=organization.pk).update(
        name_asked_at=organization.name_asked_at - organization_name.MAX_AGE
    )
    calendly.reset_stats()
    assert user_run(member).status == SUCCEEDED
    assert calendly.stats()["requests"]["GET /organizations/{uuid}"] == 1  # a day later


@pytest.mark.parametrize(
    ("kind", "fields", "named"),
    [
        ("override", {"name": None}, "gives no name"),
        ("override", {"name": "   "}, "gives no name"),
        ("override", {"uri": "https://api.calendly.com/organizations/ELSE"}, "another organ"),
        ("wrong_types", None, "Malformed"),
    ],
)
def test_an_odd_answer_is_named_and_the_name_known_before_stays(
    calendly, connect, kind, fields, named
):
    admin = connect(DEMO_ADMIN_EMAIL)
    assert org_run(admin).status == SUCCEEDED
    known = Organization.objects.get(uri=admin.organization_uri).name
    assert known
    calendly.fault("/organizations/{uuid}", kind, count=1, fields=fields)
    run = org_run(admin)
    assert run.status == SUCCEEDED and run.member_errors == {}
    organization = Organization.objects.get(uri=admin.organization_uri)
    assert named in organization.name_problem and organization.name == known
    assert org_run(admin).status == SUCCEEDED  # answered again: the problem is over
    assert Organization.objects.get(uri=admin.organization_uri).name_problem == ""


def test_a_listing_that_repeats_its_event_types_costs_one_hosts_read_each(calendly, connect):
    """A hostile or broken page of thousands of copies must not become a hosts read per copy
    (it once made one sync take two minutes)."""
    admin = connect(DEMO_ADMIN_EMAIL)
    org_run(admin)
    team = x.bookable_team_types(calendly.dump()["event_types"])
    assert team
    calendly.fault("/event_types", "huge_page", count=1000)
    calendly.reset_stats()
    run = org_run(admin)
    calendly.control("DELETE", "/faults")
    assert run.status in (SUCCEEDED, PARTIAL)
    assert calendly.stats()["requests"]["GET /event_type_memberships"] == len(team)
