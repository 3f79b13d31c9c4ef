"""Hours over weeks (#20): each member's weeks around the shown one as a chart, the threshold
remembered and checked, the CSV of a range of weeks, the nudge of a flagged member, and a
page whose queries do not grow with its members.

The clock is Tue 28 Oct 2025 12:00 UTC (tests/views/conftest.py): Adam (Berlin, 08-16 UTC)
has Monday and four hours of Tuesday behind him, Nora (New York, 13-21 UTC) Monday only.
"""

import csv
import html
import io
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from availability.models import AvailabilitySchedule
from dashboard import team_page
from tests.views import factories as f

WEEK = "2025-10-27"


@pytest.fixture
def team(clock, org, admin, member):
    """Both work 9-17 on weekdays, their schedules (and so their busy times) read at the
    clock's now: busy times reach 28 days on, to Tue 25 Nov 12:00 UTC. Nora has a meeting
    on Wednesday, and one stored in a past week (a sync deletes those; here it stayed)."""
    f.schedule(admin)
    f.schedule(member)
    AvailabilitySchedule.objects.update(synced_at=clock)
    f.busy(member, f.utc(2025, 10, 29, 13), 120)  # Wed 09:00-11:00 EDT
    f.busy(member, f.utc(2025, 10, 21, 14), 60)
    return org


def hours_page(client, **params):
    response = client.get(reverse("dashboard:team_hours"), {"week": WEEK, **params})
    assert response.status_code == 200
    return response.content.decode()


def charts(body: str) -> dict[str, list[tuple[str, str]]]:
    """{member name: [(state, tooltip) of each week]} as the page draws them."""
    found = {}
    for row in body.split('data-testid="hours-row"')[1:]:
        name = re.search(r'<a href="[^"]*/week/[^"]*">([^<]+)</a>', row).group(1)
        weeks = re.findall(
            r'data-testid="chart-week" data-state="(\w+)"[^>]*>\s*<title>([^<]*)</title>', row
        )
        found[name] = [(state, html.unescape(title)) for state, title in weeks]
    return found


def test_the_weeks_around_the_shown_one_past_read_partly(client, team, admin, member):
    f.sign_in(client, admin)
    weeks = charts(hours_page(client))
    nora, adam = weeks["Nora York"], weeks["Adam Admin"]
    states = ["past"] * 4 + ["read"] * 4 + ["partly"]
    assert [s for s, _ in nora] == states and [s for s, _ in adam] == states
    # Past weeks: working hours by the schedule, never free; their busy times are not kept,
    # so the block left in the week of 20 Oct changes nothing.
    assert nora[3][1].startswith("Week of 20 Oct: past, no free hours; 40.0 h working")
    assert "busy times of past weeks are not kept" in nora[3][1]
    assert nora[0][1].startswith("Week of 29 Sep: past")
    # This week: Monday (and Adam's Tuesday morning) past, not free.
    assert nora[4][1] == "Week of 27 Oct: 30.0 h free, of 40.0 h working, 8.0 h past"
    assert adam[4][1] == "Week of 27 Oct: 28.0 h free, of 40.0 h working, 12.0 h past"
    assert nora[5][1] == "Week of 3 Nov: 40.0 h free, of 40.0 h working"
    # Busy times end on Tue 25 Nov 12:00 UTC: Nora's Monday 24 Nov (14-22 UTC) is read,
    # Tuesday's hours (14-22 UTC) are not, and are not counted as free.
    assert nora[8][1] == (
        "Week of 24 Nov: 8.0 h free up to 25 Nov (busy times not read further), of 40.0 h working"
    )


def test_the_shown_week_is_framed_and_dated(client, team, admin):
    f.sign_in(client, admin)
    body = hours_page(client, week="2025-11-05")  # Any day: the week of 3 Nov.
    chart = body.split('data-testid="hours-chart"')[1].split("</svg>")[0]
    assert chart.count('data-shown="true"') == 1
    shown = chart.split('data-shown="true"')[1].split("</g>")[0]
    assert "<title>Week of 3 Nov:" in shown and 'class="shown-frame"' in shown
    assert '<text class="shown-label"' in chart and ">3 Nov</text>" in chart
    assert 'class="threshold-line"' in chart
    # Around 3 Nov: three past weeks and this week's, partly past, before it.
    assert [s for s, _ in charts(body)["Nora York"]][:5] == ["past"] * 3 + ["read"] * 2


def test_weeks_not_read_are_no_data_not_zero(client, team, admin, member, org):
    AvailabilitySchedule.objects.filter(user=member).update(
        synced_at=f.utc(2025, 10, 8, 12)  # Busy times read to Wed 5 Nov 12:00 UTC.
    )
    f.calendly_user(org, "Una Unsynced")  # No schedule at all.
    f.sign_in(client, admin)
    body = hours_page(client)
    weeks = charts(body)
    nora = weeks["Nora York"]
    assert [s for s, _ in nora[4:]] == ["read", "partly", "none", "none", "none"]
    assert nora[6][1] == "Week of 10 Nov: no data (busy times not read this far yet)"
    assert {s for s, _ in weeks["Una Unsynced"]} == {"none"}
    assert weeks["Una Unsynced"][5][1] == (
        "Week of 3 Nov: no data (No availability schedule synced yet)"
    )
    una = body.split("Una Unsynced</a>")[1].split("</tr>")[0]
    assert 'class="free"' not in una and 'class="outline"' not in una
    assert una.count('class="no-data-mark"') == 9


def test_the_threshold_is_remembered_and_checked(client, team, admin):
    f.sign_in(client, admin)
    body = hours_page(client)
    assert f'value="{team_page.DEFAULT_THRESHOLD_HOURS:g}"' in body
    assert body.count('data-testid="needs-more"') == 0
    # 39 h a week: Nora's 30 free hours are under 39 x 32/40 for the 32 h left.
    assert hours_page(client, min_free="39").count('data-testid="needs-more"') == 1
    body = hours_page(client)  # A reload without ?min_free= keeps it.
    assert 'value="39"' in body and body.count('data-testid="needs-more"') == 1
    assert 'value="39"' in client.get(reverse("dashboard:team_hours")).content.decode()
    for bad in ("abc", "-1", "169", "nan", "inf", "1e400"):
        body = hours_page(client, min_free=bad)
        error = re.search(r'data-testid="threshold-error">([^<]+)<', body).group(1)
        assert html.unescape(error) == (
            f"“{bad}” is not a number of hours from 0 to 168: still flagging under 39.0 h."
        ), bad
        assert 'value="39"' in body and 'aria-invalid="true"' in body
    assert 'data-testid="threshold-error"' not in hours_page(client, min_free="12.5")
    assert 'value="12.5"' in hours_page(client)
    # The team page flags by the same remembered threshold.
    hours_page(client, min_free="39")
    team_html = client.get(reverse("dashboard:team"), {"show": "needs_more", "week": WEEK})
    assert team_html.content.decode().count('data-testid="member-row"') == 1


def test_another_viewer_starts_from_the_default(client, team, admin, member, org):
    f.sign_in(client, admin)
    hours_page(client, min_free="39")
    other = f.calendly_user(org, "Oscar Owner", role="owner")
    client.logout()
    f.sign_in(client, other)
    assert f'value="{team_page.DEFAULT_THRESHOLD_HOURS:g}"' in hours_page(client)


def nudges(body: str) -> dict[str, str]:
    found = {}
    for row in body.split('data-testid="hours-row"')[1:]:
        name = re.search(r'<a href="[^"]*/week/[^"]*">([^<]+)</a>', row).group(1)
        link = re.search(r'class="nudge" href="([^"]+)"', row)
        if link:
            found[html.unescape(name)] = html.unescape(link.group(1))
    return found


def test_a_flagged_member_has_a_nudge_with_their_numbers(client, team, admin, member, org):
    nemo = f.calendly_user(org, "Nemo Nomail")
    nemo.email = ""
    nemo.save()
    f.schedule(nemo)
    f.busy(nemo, f.utc(2025, 10, 29, 10), 180)  # 25 h free: under 39 x 28/40.
    f.sign_in(client, admin)
    body = hours_page(client, min_free="39")
    links = nudges(body)
    assert list(links) == ["Nora York"]  # Adam is not flagged; Nemo has no email.
    assert body.count('data-testid="needs-more"') == 2
    link = links["Nora York"]
    assert " " not in link and "\n" not in link and "%0D%0A" in link
    parts = urlsplit(link)
    assert parts.scheme == "mailto" and unquote(parts.path) == member.email
    query = parse_qs(parts.query)
    assert query["subject"] == ["More Calendly availability, week of 27 Oct: 30.0 h free"]
    text = query["body"][0]
    assert text.startswith("Hi Nora,\r\n\r\nIn the week of 27 Oct you have 30.0 free hours")
    assert "under the 39.0 hours a week we aim for (pro rata" in text
    assert "Working hours 40.0, busy 2.0, already past 8.0." in text
    assert "The weeks after: 3 Nov: 40.0 h free; 10 Nov: 40.0 h free; 17 Nov: 40.0 h free." in text
    for change in (
        "weekly working hours of your default schedule",
        "date-specific hours",
        "meeting limit",
        "buffers before and after your event types",
    ):
        assert change in text


def rows_of(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode(), newline="")))


def test_csv_of_a_range_one_row_per_member_and_week(client, team, admin, member):
    f.sign_in(client, admin)
    url = reverse("dashboard:team_hours_csv")
    response = client.get(url, {"from": "2025-10-22", "to": "2025-11-03", "min_free": "39"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="hours-2025-10-20-to-2025-11-03.csv"' in response["Content-Disposition"]
    rows = rows_of(response)
    assert [(r["name"], r["week"]) for r in rows] == [
        (name, week)
        for name in ("Adam Admin", "Nora York")
        for week in ("2025-10-20", "2025-10-27", "2025-11-03")
    ]
    past, now, later = (r for r in rows if r["name"] == "Nora York")
    assert past["data"] == "past: busy times not kept"
    assert (past["working_hours"], past["busy_hours"], past["free_hours"]) == ("40.00", "", "")
    assert past["needs_more_availability"] == ""
    assert (now["past_hours"], now["busy_hours"], now["free_hours"]) == ("8.00", "2.00", "30.00")
    assert now["needs_more_availability"] == "yes" and now["data"] == "read"
    assert (later["free_hours"], later["needs_more_availability"]) == ("40.00", "no")
    one = rows_of(client.get(url, {"from": "2025-12-31"}))
    assert {r["week"] for r in one} == {"2025-12-29"}
    assert {r["data"] for r in one} == {"no data: busy times not read this far yet"}


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"from": "soon", "to": "2025-11-03"}, "?from= “soon” is not a date (YYYY-MM-DD)."),
        ({"from": "2025-11-03", "to": "2025-13-01"}, "?to= “2025-13-01” is not a date"),
        (
            {"from": "2025-11-10", "to": "2025-11-03"},
            "?from= 2025-11-10 comes after ?to= 2025-11-03.",
        ),
        (
            {"from": "2025-10-27", "to": "2026-01-26"},
            "14 weeks asked for; a CSV covers at most 13.",
        ),
        ({"from": "2027-01-04", "to": "2027-01-04"}, "?from= 2027-01-04 is more than a year from"),
        ({"from": "0001-01-01", "to": "0001-01-01"}, "is more than a year from this week."),
        ({"from": "", "to": ""}, "?from= “” is not a date"),
    ],
)
def test_bad_ranges_are_refused_with_a_reason(client, team, admin, params, says):
    f.sign_in(client, admin)
    response = client.get(reverse("dashboard:team_hours_csv"), params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert says in response.content.decode()


def test_thirteen_weeks_is_the_most(client, team, admin):
    f.sign_in(client, admin)
    response = client.get(
        reverse("dashboard:team_hours_csv"), {"from": "2025-10-27", "to": "2026-01-19"}
    )
    assert response.status_code == 200 and len(rows_of(response)) == 2 * 13


def test_range_csv_cells_never_start_a_formula(client, team, admin, org):
    f.calendly_user(org, "=HYPERLINK(1)", email="+cmd@acme.example")
    f.sign_in(client, admin)
    rows = rows_of(client.get(reverse("dashboard:team_hours_csv"), {"from": WEEK, "to": WEEK}))
    hostile = next(r for r in rows if "HYPERLINK" in r["name"])
    assert (hostile["name"], hostile["email"]) == ("'=HYPERLINK(1)", "'+cmd@acme.example")


def _queries(client, org, count: int, path: str, params: dict) -> int:
    for i in range(count):
        user = f.calendly_user(org, f"Q{count}-{i:03d}", ("Europe/Berlin", "Asia/Tokyo")[i % 2])
        f.schedule(user)
        f.busy(user, f.utc(2025, 10, 29, 10), 60)
        f.busy(user, f.utc(2025, 11, 12, 10), 60)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("dashboard:team_hours", {"week": WEEK, "min_free": "39"}),
        ("dashboard:team_hours_csv", {"from": "2025-10-13", "to": "2025-11-24"}),
    ],
)
def test_queries_stay_flat_in_the_number_of_members(client, team, admin, org, name, params):
    f.sign_in(client, admin)
    path = reverse(name)
    client.get(path, params)  # The session's first write is behind us.
    few = _queries(client, org, 3, path, params)
    many = _queries(client, org, 9, path, params)  # 12 more in all.
    assert few == many
    if name == "dashboard:team_hours":
        body = client.get(path, params).content.decode()
        assert body.count('data-testid="hours-chart"') == 2 + 12


def test_a_dst_week_is_one_column(client, team, admin, member):
    """New York leaves summer time on Sun 2 Nov: that week is still one column, and the
    week after it has its full 40 hours."""
    f.sign_in(client, admin)
    nora = charts(hours_page(client))["Nora York"]
    mondays = [title.split(":")[0] for _, title in nora]
    assert mondays == [
        f"Week of {d}"
        for d in (
            "29 Sep",
            "6 Oct",
            "13 Oct",
            "20 Oct",
            "27 Oct",
            "3 Nov",
            "10 Nov",
            "17 Nov",
            "24 Nov",
        )
    ]


def columns(body: str, name: str) -> list[str]:
    """The SVG of each week of ``name``'s chart."""
    row = body.split(f"{name}</a>")[1].split("</tr>")[0]
    return row.split('data-testid="chart-week"')[1:]


def test_this_weeks_past_part_is_hatched_not_free(client, team, admin):
    """On a scale of 40 h to 40 units below a top margin of 4: Adam's 12 past hours are
    hatched, his 28 free solid."""
    f.sign_in(client, admin)
    body = hours_page(client)
    shown, after = columns(body, "Adam Admin")[4:6]
    assert '<rect class="past" x="75" width="12" y="4" height="12"/>' in shown  # 5th, 18 wide.
    assert '<rect class="free" x="75" width="12" y="16" height="28"/>' in shown
    assert 'class="past"' not in after
    assert '<rect class="free" x="93" width="12" y="4" height="40"/>' in after
    label = re.search(r'aria-label="(Adam Admin: [^"]+)"', body).group(1)
    assert html.unescape(label) == (
        "Adam Admin: free hours a week from 29 Sep to 24 Nov, the shown week 27 Oct: "
        "29 Sep past, 6 Oct past, 13 Oct past, 20 Oct past, 27 Oct 28.0 h, 3 Nov 40.0 h, "
        "10 Nov 40.0 h, 17 Nov 40.0 h, 24 Nov 12.0 h so far (partly read)."  # To Tue 12:00 UTC.
    )


def test_a_nudge_encodes_every_part(client, team, admin, org):
    zoe = f.calendly_user(org, "Zoë O'Brien & Co", email="zoe+team@example.com")
    f.schedule(zoe)
    f.sign_in(client, admin)
    body = hours_page(client, min_free="100")
    assert "mailto:zoe%2Bteam@example.com?subject=" in body  # + is not a space.
    link = nudges(body)["Zoë O'Brien & Co"]
    assert "&body=" in link and link.count("&") == 1  # The & of the name is encoded.
    text = parse_qs(urlsplit(link).query)["body"][0]
    assert text.startswith("Hi Zoë,\r\n") and "%C3%AB" in link


def test_an_htmx_swap_of_the_panel_keeps_the_charts_and_the_threshold(client, team, admin):
    f.sign_in(client, admin)
    response = client.get(
        reverse("dashboard:team_hours"),
        {"week": WEEK, "min_free": "39"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="hours-panel"')
    assert body.count('data-testid="hours-chart"') == 2 and 'data-testid="nudge"' in body
    assert 'value="39"' in hours_page(client)
