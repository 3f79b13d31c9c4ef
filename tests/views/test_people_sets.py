"""The team pages filtered by a Calendly group or team: one click, carried across the
team pages, the CSV, find-a-time; a set of another organization or a made-up one is no
filter and says so."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from availability.models import Group, Team
from tests.views import factories as f


@pytest.fixture
def sets(clock, org, admin, member, outsider):
    """Sales: Nora alone; team Ops: Adam and Tom. Globex has a group of its own."""
    tom = f.calendly_user(org, "Tom Tokyo", "Asia/Tokyo")
    for person in (admin, member, tom):
        f.schedule(person)
    now = timezone.now()
    sales = Group.objects.create(uri="https://api.example/groups/S", organization=org,
                                 name="Sales", synced_at=now)
    sales.members.add(member)
    ops = Team.objects.create(uri="https://api.example/teams/O", organization=org, name="Ops",
                              synced_at=now)
    ops.members.add(admin, tom)
    theirs = Group.objects.create(uri="https://api.example/groups/G",
                                  organization=outsider.organization, name="Globex people",
                                  synced_at=now)
    theirs.members.add(outsider)
    return {"sales": sales, "ops": ops, "theirs": theirs, "tom": tom}


def _names(html: str) -> list[str]:
    return [n for n in ("Adam Admin", "Nora York", "Tom Tokyo") if f'member-name">{n}<' in html]


def test_the_team_page_offers_each_set_with_its_size_and_narrows_in_one_click(
    client, sets, admin
):
    f.sign_in(client, admin)
    url = reverse("dashboard:team")
    html = client.get(url).content.decode()
    assert 'data-testid="people-sets"' in html
    assert "Sales <span class=\"muted\">(1)</span>" in html
    assert "Ops <span class=\"muted\">(2)</span>" in html
    assert "Globex people" not in html  # another organization's group is never offered
    assert _names(html) == ["Adam Admin", "Nora York", "Tom Tokyo"]
    key = f"team-{sets['ops'].pk}"
    assert f"?among={key}" in html
    html = client.get(url, {"among": key}).content.decode()
    assert _names(html) == ["Adam Admin", "Tom Tokyo"]
    assert "Showing the 2 members of the team <strong>Ops</strong>" in html
    assert html.count('aria-current="true"') == 1
    # The other team pages' tabs keep the filter.
    assert f"among={key}" in html.split('aria-label="Team pages"')[1].split("</nav>")[0]


def test_hours_and_its_csv_follow_the_group(client, sets, admin):
    f.sign_in(client, admin)
    key = f"group-{sets['sales'].pk}"
    html = client.get(reverse("dashboard:team_hours"), {"among": key}).content.decode()
    assert html.count('data-testid="hours-row"') == 1 and "Nora York" in html
    response = client.get(reverse("dashboard:team_hours_csv"), {"among": key})
    assert "-sales.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert [row[0] for row in rows[1:]] == ["Nora York"]
    everyone = client.get(reverse("dashboard:team_hours_csv")).content.decode()
    assert len(list(csv.reader(io.StringIO(everyone)))) == 1 + 3


def test_find_a_time_compares_everyone_in_the_team_and_whoever_is_picked(
    client, sets, admin, member
):
    f.sign_in(client, admin)
    url = reverse("dashboard:find_a_time")
    key = f"team-{sets['ops'].pk}"
    html = client.get(url, {"among": key, "tz": "UTC"}).content.decode()
    assert "all 2 free" in html or "of 2 free" in html
    assert "Nora York" not in html.split('id="find-panel"')[1]
    # The team's members are not chips of the picker: only those picked are.
    assert "No one picked yet." in html
    picked = client.get(url, {"among": key, "member": member.pk, "tz": "UTC"}).content.decode()
    assert "of 3 free" in picked or "all 3 free" in picked
    assert f'value="{key}"' in picked  # the form keeps the team on its next search


def test_a_set_of_another_organization_or_made_up_is_no_filter_and_says_so(
    client, sets, admin
):
    f.sign_in(client, admin)
    for value in (f"group-{sets['theirs'].pk}", "group-abc", "team-0", "group-" + "9" * 30,
                  "room-1", "group-٣", "team-"):
        for name in ("team", "team_hours", "find_a_time"):
            response = client.get(reverse(f"dashboard:{name}"), {"among": value})
            html = response.content.decode()
            assert response.status_code == 200, (name, value)
            assert "That group or team is not in your organization" in html, (name, value)
            assert "Globex" not in html
    html = client.get(reverse("dashboard:team"), {"among": f"group-{sets['theirs'].pk}"})
    assert _names(html.content.decode()) == ["Adam Admin", "Nora York", "Tom Tokyo"]


def test_an_organization_without_groups_or_teams_shows_no_filter(client, clock, org, admin):
    f.schedule(admin)
    f.sign_in(client, admin)
    for name in ("team", "team_hours", "find_a_time"):
        assert 'data-testid="people-sets"' not in client.get(reverse(f"dashboard:{name}")).content.decode()


def test_a_groups_problem_is_said_beside_it(client, sets, admin):
    Group.objects.filter(pk=sets["sales"].pk).update(problem="Gary Gale is listed but no longer in the organization")
    f.sign_in(client, admin)
    html = client.get(reverse("dashboard:team"), {"among": f"group-{sets['sales'].pk}"}).content.decode()
    assert "Calendly’s data on it: Gary Gale is listed but no longer in the organization" in html


def test_the_filter_costs_the_same_queries_whatever_the_sets_size(client, sets, admin, org):
    f.sign_in(client, admin)
    key = f"team-{sets['ops'].pk}"
    counts = []
    for batch in (3, 120):
        for i in range(batch):
            user = f.calendly_user(org, f"M{batch}-{i}")
            f.schedule(user)
            sets["ops"].members.add(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("dashboard:team"), {"among": key}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
