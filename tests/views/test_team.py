"""Team pages: who may see them, members' weeks, hours, CSV, find a time, query counts."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from availability.models import Membership
from tests.views import factories as f


@pytest.fixture
def team(clock, org, admin, member):
    """Adam (Berlin, admin) and Nora (New York) work 9-17; Nora has a meeting Wednesday."""
    f.schedule(admin)
    f.schedule(member)
    f.busy(member, f.utc(2025, 10, 29, 13), 120)  # Wed 09:00-11:00 EDT
    return org


def test_plain_member_is_refused_with_a_reason_and_no_team_data(client, team, admin, member):
    f.sign_in(client, member)
    for name in ("team", "team_hours", "team_hours_csv", "find_a_time", "find_a_time_members"):
        response = client.get(reverse(f"dashboard:{name}"))
        body = response.content.decode()
        assert response.status_code == 403, name
        assert "owners and admins of your Calendly organization; you are a member" in body
        assert admin.name not in body and "Acme" not in body


def test_member_cannot_open_someone_elses_week(client, team, admin, member):
    f.sign_in(client, member)
    assert client.get(reverse("dashboard:member_week", args=[admin.pk])).status_code == 404
    assert client.get(reverse("dashboard:member_week", args=[member.pk])).status_code == 200
    # No one has id 0: a 404 like any unknown id, not the viewer's own week under that URL.
    assert client.get(reverse("dashboard:member_week", args=[0])).status_code == 404


def test_admin_of_org_b_cannot_open_org_a_member(client, team, member, outsider):
    f.sign_in(client, outsider)  # Gina owns Globex.
    response = client.get(reverse("dashboard:member_week", args=[member.pk]))
    assert response.status_code == 404
    assert member.name not in response.content.decode()


def test_admin_sees_members_with_local_time_and_opens_their_week(client, team, admin, member):
    f.sign_in(client, admin)
    html = client.get(reverse("dashboard:team")).content.decode()
    assert "Adam Admin" in html and "Nora York" in html
    # Each member's own time now and zone beside their name, the UTC offset as its title.
    assert 'data-testid="member-time" title="UTC−04:00">08:00 · America/New_York</span>' in html
    assert 'title="UTC+01:00">13:00 · Europe/Berlin</span>' in html
    assert html.count('data-testid="member-row"') == 2
    # Nora's Wednesday: 6 of 8 hours free.
    assert "6.0 h free of 8.0 h" in html
    week = client.get(reverse("dashboard:member_week", args=[member.pk]))
    assert week.status_code == 200
    assert "Nora York’s week" in week.content.decode()


def test_team_search_and_filters(client, team, admin, member, org):
    f.calendly_user(org, "Zed Unconnected")
    f.sign_in(client, admin)
    url = reverse("dashboard:team")
    html = client.get(url, {"q": "nora"}).content.decode()
    assert "Nora York" in html and "Adam Admin" not in html
    html = client.get(url, {"show": "not_connected"}).content.decode()
    assert "Zed Unconnected" in html and "Nora York" in html and "Adam Admin" not in html
    html = client.get(url, {"show": "needs_more", "min_free": "39"}).content.decode()
    assert "Nora York" in html and "Adam Admin" not in html  # 38 h free < 39.
    partial = client.get(url, {"q": "nora"}, headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<section id="team-panel"')
    assert "HX-Request" in partial["Vary"]


def test_hours_table_sorts_flags_and_downloads_as_csv(client, team, admin, member):
    f.sign_in(client, admin)
    # Tuesday 12:00 UTC: Adam (Berlin, 08-16 UTC) has 12 h past, 28 h left, all free; Nora
    # (New York, 13-21 UTC) has Monday past, 32 h left, 2 h of them busy: 30 h free.
    html = client.get(reverse("dashboard:team_hours"), {"sort": "free", "min_free": "39"})
    body = html.content.decode()
    assert body.index("Adam Admin") < body.index("Nora York")  # 28 h before 30 h.
    # Flagged under 39 h a week, pro rata: Nora's 30 < 39 x 32/40; Adam's 28 > 39 x 28/40.
    assert body.count('data-testid="needs-more"') == 1
    response = client.get(reverse("dashboard:team_hours_csv"), {"min_free": "39"})
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="hours-2025-10-27.csv"' in response["Content-Disposition"]
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    nora, adam = rows["Nora York"], rows["Adam Admin"]
    assert (nora["working_hours"], nora["past_hours"], nora["busy_hours"]) == ("40.00", "8.00", "2.00")
    assert nora["free_hours"] == "30.00" and nora["scheduled_hours"] == "2.00"
    assert (nora["needs_more_availability"], adam["needs_more_availability"]) == ("yes", "no")
    assert (adam["past_hours"], adam["free_hours"], adam["free_share"]) == ("12.00", "28.00", "1.00")
    # Next week is all ahead: nothing past, the whole week's free hours.
    later = client.get(reverse("dashboard:team_hours_csv"), {"week": "2025-11-03"})
    nora = next(r for r in csv.DictReader(io.StringIO(later.content.decode()))
                if r["name"] == "Nora York")
    assert (nora["working_hours"], nora["past_hours"], nora["free_hours"]) == ("40.00", "0.00", "40.00")


def test_csv_cells_never_start_a_formula(client, team, admin, org):
    f.calendly_user(org, "=HYPERLINK(1)")
    f.sign_in(client, admin)
    body = client.get(reverse("dashboard:team_hours_csv")).content.decode()
    assert "'=HYPERLINK(1)" in body


def test_find_a_time_all_and_k_of_n(client, team, admin, member, org):
    """Adam 9-17 Berlin (08-16 UTC), Nora 9-17 New York (13-21 UTC): together 13-16 UTC,
    except Wednesday, when Nora's meeting leaves 15-16 UTC."""
    third = f.calendly_user(org, "Tom Tokyo", "Asia/Tokyo")
    f.schedule(third)  # 9-17 Tokyo is 00-08 UTC: never with the others.
    f.sign_in(client, admin)
    url = reverse("dashboard:find_a_time")
    ids = [admin.pk, member.pk]
    html = client.get(url, {"member": ids, "duration": 60, "tz": "UTC"}).content.decode()
    assert "all 2 free" in html
    assert "Wed 29 Oct, 15:00–16:00" in html
    assert "Wed 29 Oct, 13:00–14:00" not in html
    assert "Tue 28 Oct, 12:00–13:00" not in html  # Before now (12:00 UTC) is never offered.
    html = client.get(url, {"all": "1", "duration": 60, "k": 2, "tz": "UTC"}).content.decode()
    assert "at least 2 of 3 free" in html
    assert "Free: Adam Admin, Nora York" in html
    assert "Not free: Tom Tokyo" in html
    assert 'data-testid="heatmap"' in html
    partial = client.get(url, {"all": "1"}, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<section id="find-panel"')


def _team_queries(client, count, org, params):
    for i in range(count):
        user = f.calendly_user(org, f"Member {i:04d}", ("Europe/Berlin", "Asia/Tokyo")[i % 2])
        f.schedule(user)
        f.busy(user, f.utc(2025, 10, 29, 10), 60)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboard:team"), params)
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="member-row"') == min(count + 1, 25)
    return len(queries)


@pytest.mark.parametrize("params", [{}, {"show": "needs_more", "min_free": "100"}])
def test_team_page_queries_do_not_grow_with_members(client, clock, org, admin, params):
    f.schedule(admin)
    f.sign_in(client, admin)
    few = _team_queries(client, 10, org, params)
    many = _team_queries(client, 990, org, params)  # 1,001 members in all.
    assert many == few


def test_hours_queries_do_not_grow_with_members(client, clock, org, admin):
    f.sign_in(client, admin)
    counts = []
    for batch in (5, 200):
        for i in range(batch):
            f.schedule(f.calendly_user(org, f"M{batch}-{i}"))
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("dashboard:team_hours"))
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_admin_role_is_read_from_the_membership(client, team, member):
    Membership.objects.filter(user=member).update(role=Membership.Role.OWNER)
    f.sign_in(client, member)
    assert client.get(reverse("dashboard:team")).status_code == 200


def test_find_a_time_compares_members_over_the_viewers_week(client, team, admin, org):
    """Tom's Monday 3 Nov, 09:00 in Tokyo, is Sunday 2 Nov, 16:00 in Los Angeles (PST since
    that morning): inside the viewer's week, though outside Tom's own. It is 01:00 on Monday
    in Berlin, outside Adam's (the organizer's) hours: found only at any hour (issue #20)."""
    tom = f.calendly_user(org, "Tom Tokyo", "Asia/Tokyo")
    f.schedule(tom, f.NINE_TO_FIVE[:1])  # Mondays only.
    f.sign_in(client, admin)
    ask = {"member": [tom.pk], "duration": 60, "tz": "America/Los_Angeles"}
    html = client.get(reverse("dashboard:find_a_time"), ask | {"any_hour": "1"}).content.decode()
    assert "Sun 2 Nov, 16:00–17:00" in html
    own_hours = client.get(reverse("dashboard:find_a_time"), ask).content.decode()
    assert "Sun 2 Nov, 16:00–17:00" not in own_hours


def test_team_rows_escape_what_members_are_called(client, team, admin, org):
    evil = f.calendly_user(org, '<img src=x onerror="alert(1)">', email="e@example.com")
    f.schedule(evil)
    evil.sync_problem, evil.sync_problem_detail = "failed", "<script>boom()</script>"
    evil.save()
    f.sign_in(client, admin)
    html = client.get(reverse("dashboard:team")).content.decode()
    assert "<img src=x" not in html and "<script>boom" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert '<span class="avatar avatar-initial" aria-hidden="true">&lt;</span>' in html
    assert "Sync failed: &lt;script&gt;boom()&lt;/script&gt;" in html


def test_find_a_time_picker_shows_the_chosen_and_searches_the_organization(
    client, team, admin, member, org, outsider
):
    """No list of everyone: the chosen members as ticked chips, and members matching the
    search (of the viewer's organization only) to tick, with or without JavaScript."""
    f.calendly_user(org, "Norbert North")
    f.sign_in(client, admin)
    url = reverse("dashboard:find_a_time")
    html = client.get(url, {"member": [member.pk, outsider.pk]}).content.decode()
    assert f'name="member" value="{member.pk}" checked> Nora York' in html
    assert "Gina Globex" not in html and "Adam Admin</label>" not in html
    # Without JavaScript: the search is part of the form, and the page lists the matches.
    html = client.get(url, {"member": [member.pk], "q": "nor"}).content.decode()
    assert f'name="member" value="{member.pk}" checked> Nora York' in html
    assert html.count('data-testid="member-match"') == 1  # Norbert; Nora is chosen already.
    assert "Norbert North" in html
    # With it: the picker alone.
    search = reverse("dashboard:find_a_time_members")
    picker = client.get(search, {"q": "NOR", "member": [member.pk]}).content.decode()
    assert picker.lstrip().startswith('<div id="member-picker"')
    assert "Norbert North" in picker and "Nora York" in picker and "<html" not in picker
    everywhere = client.get(search, {"q": "g"}).content.decode()  # Gina Globex, elsewhere.
    assert "Gina" not in everywhere and "globex" not in everywhere.lower()
    assert "No other member matches" in client.get(search, {"q": "zzz"}).content.decode()


def test_find_a_time_picker_escapes_names_and_caps_its_matches(client, team, admin, org):
    f.calendly_user(org, '<b onclick="x">Bold</b>', email="bold@example.com")
    for i in range(30):
        f.calendly_user(org, f"Many {i:02d}")
    f.sign_in(client, admin)
    search = reverse("dashboard:find_a_time_members")
    picker = client.get(search, {"q": "bold"}).content.decode()
    assert "<b onclick" not in picker and "&lt;b onclick=&quot;x&quot;&gt;Bold&lt;/b&gt;" in picker
    many = client.get(search, {"q": "many"}).content.decode()
    assert many.count('data-testid="member-match"') == 20
    assert "More members match" in many


def _members(org, count, start=0):
    for i in range(start, start + count):
        user = f.calendly_user(org, f"Member {i:04d}", "Europe/Berlin")
        f.schedule(user)
        f.busy(user, f.utc(2025, 10, 29, 10), 60)


def _find_a_time(client, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboard:find_a_time"), params)
    assert response.status_code == 200
    return len(response.content), len(queries)


def test_find_a_time_page_does_not_grow_with_the_organization(client, clock, org, admin):
    """Everyone, or some members: the page's size and its queries are the same for 11
    members as for 1,001 (names on it are capped: "… and 991 more"); a search adds one
    query, at any size, and at most 20 matches (test above)."""
    f.schedule(admin)
    f.sign_in(client, admin)
    _members(org, 10)
    chosen = {"member": list(org.memberships.values_list("user_id", flat=True)[:8])}
    searched = chosen | {"q": "member"}
    small = [_find_a_time(client, p) for p in ({}, chosen, searched)]
    _members(org, 990, start=10)
    large = [_find_a_time(client, p) for p in ({}, chosen, searched)]
    assert [queries for _, queries in large] == [queries for _, queries in small]
    for (small_bytes, _), (large_bytes, _) in zip(small[:2], large[:2], strict=True):
        assert large_bytes <= small_bytes + 1000
    html = client.get(reverse("dashboard:find_a_time"), {"duration": 60}).content.decode()
    assert "all 1001 free" in html and "and 991 more" in html


def test_team_pages_follow_the_viewers_clock(client, team, admin, member):
    """The viewer's Calendly time_notation, or the clock they chose on My week: the members'
    local times, find-a-time's slots and its heatmap's hours."""
    f.sign_in(client, admin)
    find = reverse("dashboard:find_a_time")
    ask = {"member": [admin.pk, member.pk], "duration": 60, "tz": "UTC"}
    html = client.get(find, ask).content.decode()
    assert "Wed 29 Oct, 15:00–16:00" in html and ">13:00<" in html
    assert "08:00 · America/New_York" in client.get(reverse("dashboard:team")).content.decode()
    admin.time_notation = "12h"
    admin.save(update_fields=["time_notation"])
    html = client.get(find, ask).content.decode()
    assert "Wed 29 Oct, 3:00pm–4:00pm" in html and ">1pm<" in html and "15:00" not in html
    assert "8:00am · America/New_York" in client.get(reverse("dashboard:team")).content.decode()
    client.get(reverse("dashboard:week"), {"clock": "24h"})  # chosen: remembered
    assert "Wed 29 Oct, 15:00–16:00" in client.get(find, ask).content.decode()


def test_the_team_link_is_on_every_page_an_admin_opens_and_never_a_members(
    client, team, admin, member
):
    pages = [reverse("dashboard:week"), reverse("connection_settings"), reverse("dashboard:team")]
    team_link = f'<a href="{reverse("dashboard:team")}">Team</a>'
    f.sign_in(client, admin)
    for url in pages:
        assert team_link in client.get(url).content.decode(), url
    client.logout()
    f.sign_in(client, member)
    for url in pages[:2]:
        assert team_link not in client.get(url).content.decode(), url
