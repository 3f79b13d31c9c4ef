"""Every page at every instant: time before now is past, never free, and a page without
``?week=`` opens on the week holding the viewer's next working hours.

The instants are those of the "right at any instant" issue (weekends, the small hours in
far-away zones, both clock changes of Berlin and New York, New Year's Eve) and the process's
own clock, which ``.ci/run`` moves with libfaketime. Expectations are worked out here from
the schedules' plain rules (weekdays 09:00-17:00 in the person's zone), not by the product's
functions.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from availability.models import Membership
from dashboard.find_time_range import DEFAULT_SPAN
from tests.views import factories as f

INSTANTS = {
    "saturday-0300-utc": datetime(2026, 12, 5, 3, 0, tzinfo=UTC),
    "sunday-2330-utc": datetime(2026, 12, 6, 23, 30, tzinfo=UTC),
    "monday-0005-auckland": datetime(2026, 12, 6, 11, 5, tzinfo=UTC),
    "friday-2355-los-angeles": datetime(2026, 12, 5, 7, 55, tzinfo=UTC),
    "wednesday-1500-berlin": datetime(2026, 12, 2, 14, 0, tzinfo=UTC),
    "berlin-autumn-saturday": datetime(2026, 10, 24, 20, 0, tzinfo=UTC),
    "berlin-autumn-sunday": datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    "berlin-spring-saturday": datetime(2027, 3, 27, 12, 0, tzinfo=UTC),
    "berlin-spring-sunday": datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
    "new-york-autumn-saturday": datetime(2026, 10, 31, 18, 0, tzinfo=UTC),
    "new-york-autumn-sunday": datetime(2026, 11, 1, 6, 30, tzinfo=UTC),
    "new-york-spring-saturday": datetime(2027, 3, 13, 23, 0, tzinfo=UTC),
    "new-york-spring-sunday": datetime(2027, 3, 14, 7, 30, tzinfo=UTC),
    "new-years-eve-2350-utc": datetime(2026, 12, 31, 23, 50, tzinfo=UTC),
}
ZONES = ("Europe/Berlin", "America/New_York", "Pacific/Auckland", "America/Los_Angeles")
CLOCK = re.compile(r"(\d\d):(\d\d)")


def instants():
    """The named instants, and this process's own clock (moved under .ci/run)."""
    yield from (pytest.param(at, id=name) for name, at in INSTANTS.items())
    yield pytest.param(None, id="process-clock")


@pytest.fixture(params=list(instants()))
def now(request, monkeypatch) -> datetime:
    at = request.param or timezone.now().replace(microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: at)
    return at


@pytest.fixture(params=ZONES)
def people(request, now, db):
    """A viewer (an admin, in the zone of the case) and a member in each other zone, all
    working 09:00-17:00 on weekdays in their own zone; the member in New York is busy from
    two hours ago to an hour from now, and tomorrow at 10:00."""
    org = f.organization("Acme")
    viewer = f.calendly_user(org, "Vera Viewer", request.param, Membership.Role.ADMIN)
    f.schedule(viewer)
    others = []
    for zone in ZONES:
        person = f.calendly_user(org, f"Member {zone}", zone)
        f.schedule(person)
        others.append(person)
    york = others[1]
    f.busy(york, now - timedelta(hours=2), 180, name="Under way")
    tomorrow = (now.astimezone(ZoneInfo(york.timezone)) + timedelta(days=1)).date()
    f.busy(york, datetime.combine(tomorrow, time(10), ZoneInfo(york.timezone)), 60)
    return viewer, others


def working_spans(zone: str, first: date, days: int) -> list[tuple[datetime, datetime]]:
    tz = ZoneInfo(zone)
    spans = []
    for offset in range(-1, days + 1):
        day = first + timedelta(days=offset)
        if day.weekday() < 5:
            spans.append((datetime.combine(day, time(9), tz).astimezone(UTC),
                          datetime.combine(day, time(17), tz).astimezone(UTC)))
    return spans


def expected_default_monday(zone: str, now: datetime) -> date:
    """The Monday (in the viewer's zone) of the week of their next working hours."""
    local_today = now.astimezone(ZoneInfo(zone)).date()
    start = next(max(s, now) for s, e in working_spans(zone, local_today, 14) if e > now)
    day = start.astimezone(ZoneInfo(zone)).date()
    return day - timedelta(days=day.weekday())


def week_of(html: str) -> str:
    return re.search(r'data-testid="week-title">([^<]+)<', html)[1]


def monday_label(monday: date) -> str:
    return f"{monday:%a} {monday.day} {monday:%b}"


def free_blocks(html: str, monday: date, zone: str) -> list[datetime]:
    """The start of every block the week grid calls free, as an instant."""
    tz = ZoneInfo(zone)
    starts = []
    for index, day in enumerate(html.split('<g class="day"')[1:]):
        for label in re.findall(r'aria-label="(Free[^"]*)"', day):
            hour, minute = map(int, CLOCK.search(label).groups())
            local = datetime.combine(monday + timedelta(days=index), time(hour, minute), tz)
            # A wall-clock time the clocks repeat: the later of the two is the generous one.
            starts.append(max(local.astimezone(UTC), local.replace(fold=1).astimezone(UTC)))
    return starts


def remaining_working_hours(zone: str, monday: date, now: datetime) -> float:
    tz = ZoneInfo(zone)
    start = datetime.combine(monday, time(0), tz).astimezone(UTC)
    end = datetime.combine(monday + timedelta(days=7), time(0), tz).astimezone(UTC)
    total = timedelta()
    for s, e in working_spans(zone, monday, 7):
        s, e = max(s, start, now), min(e, end)
        total += max(e - s, timedelta())
    return total.total_seconds() / 3600


def test_my_week_opens_on_the_next_working_week_and_calls_no_past_hour_free(
    client, people, now
):
    viewer, _ = people
    f.sign_in(client, viewer)
    html = client.get(reverse("dashboard:week")).content.decode()
    monday = expected_default_monday(viewer.timezone, now)
    assert week_of(html).startswith(monday_label(monday))
    this_week = now.astimezone(ZoneInfo(viewer.timezone)).date()
    this_monday = this_week - timedelta(days=this_week.weekday())
    assert ('data-testid="opened-later"' in html) == (monday > this_monday)
    floor = now.replace(second=0, microsecond=0)
    for week in {this_monday, monday}:
        page = client.get(reverse("dashboard:week"), {"week": week.isoformat()})
        page = page.content.decode()
        assert all(start >= floor for start in free_blocks(page, week, viewer.timezone)), week
        free = float(re.search(r'data-testid="total-free">([\d.]+) h', page)[1])
        assert free <= remaining_working_hours(viewer.timezone, week, now) + 0.05


def test_a_members_week_calls_no_past_hour_free(client, people, now):
    viewer, others = people
    f.sign_in(client, viewer)
    floor = now.replace(second=0, microsecond=0)
    for member in others:
        html = client.get(reverse("dashboard:member_week", args=[member.pk])).content.decode()
        monday = expected_default_monday(viewer.timezone, now)  # The viewer's, in their zone.
        assert week_of(html).startswith(monday_label(monday))
        assert all(start >= floor for start in free_blocks(html, monday, viewer.timezone))


def test_team_and_hours_count_past_hours_as_past(client, people, now):
    viewer, others = people
    f.sign_in(client, viewer)
    team = client.get(reverse("dashboard:team"))
    assert team.status_code == 200
    monday = team.context["nav"].monday
    assert monday == expected_default_monday(viewer.timezone, now)
    for row in team.context["rows"]:
        for cell in row.cells:
            free = [(s, e) for kind, s, e in cell.parts if kind == "free"]
            assert all(s >= now.timestamp() for s, _ in free), (row.member, cell.day)
            if cell.working and cell.working[-1][1] <= now.timestamp():
                assert cell.is_past and cell.free_hours == 0 and cell.description == "past"
    for week in (monday, monday - timedelta(days=7)):
        response = client.get(reverse("dashboard:team_hours_csv"), {"week": week.isoformat()})
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert len(rows) == 1 + len(others)
        people_by_name = {p.name: p for p in [viewer, *others]}
        for row in rows:
            zone = people_by_name[row["name"]].timezone
            nav_monday = max(week, _this_monday(viewer.timezone, now))
            working, past = float(row["working_hours"]), float(row["past_hours"])
            busy, free = float(row["busy_hours"]), float(row["free_hours"])
            assert past + busy + free == pytest.approx(working, abs=0.02)
            assert free <= remaining_working_hours(zone, nav_monday, now) + 0.02


def _this_monday(zone: str, now: datetime) -> date:
    today = now.astimezone(ZoneInfo(zone)).date()
    return today - timedelta(days=today.weekday())


def test_find_a_time_searches_from_now_and_never_offers_a_started_slot(client, people, now):
    viewer, _ = people
    f.sign_in(client, viewer)
    response = client.get(reverse("dashboard:find_a_time"), {"all": "1", "k": "1"})
    result = response.context["result"]
    today = now.astimezone(ZoneInfo(viewer.timezone)).date()
    # From today over the default span (issue #20: 14 days, was 7).
    assert result.days[0] == today and len(result.days) == DEFAULT_SPAN
    assert result.slots, "someone works in the next two weeks"
    assert all(slot.start >= now for slot in result.slots)
    hour_starts = {}
    for label, cells in result.heatmap.rows:
        for day, cell in zip(result.heatmap.days, cells, strict=True):
            local = datetime.combine(day, time(int(label[:2])), ZoneInfo(viewer.timezone))
            hour_starts[(day, label)] = (local, cell)
    for local, cell in hour_starts.values():
        if local.astimezone(UTC) + timedelta(hours=1) <= now:
            assert cell.past, local
    past_cells = sum(cell.past for _, cell in hour_starts.values())
    assert response.content.decode().count('class="hm hm-past"') == past_cells
