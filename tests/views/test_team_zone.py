"""The team week in the viewer's zone (issue #20): every row drawn in the display zone (the
zone chosen on a page, else the viewer's Calendly one), whose midnights cut the columns and
whose clock the bars' hours and tooltips read; each member's own time now beside their
name; the zone control of My week, with its reset, and a message for a zone we do not know."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.views import factories as f

WEEK = "2025-10-27"  # The frozen clock's week: Tuesday 28 Oct 2025, 12:00 UTC.


@pytest.fixture
def team(client, clock, org, admin, member):
    """Adam (Berlin, admin, signed in) and Nora (New York) work 9-17 on weekdays; Nora has a
    meeting Wednesday 13:00-15:00 UTC (09:00-11:00 in New York)."""
    f.schedule(admin)
    f.schedule(member)
    f.busy(member, f.utc(2025, 10, 29, 13), 120)
    f.sign_in(client, admin)
    return org


def _team(client, **query) -> str:
    return client.get(reverse("dashboard:team"), {"week": WEEK, **query}).content.decode()


def _row(html: str, name: str) -> str:
    rows = re.findall(r'<tr data-testid="member-row">.*?</tr>', html, re.S)
    return next(row for row in rows if name in row)


def _cells(row: str) -> list[str]:
    """The row's seven day cells, Monday first."""
    cells = re.findall(r'<td class="heat[^"]*">.*?</td>', row, re.S)
    assert len(cells) == 7
    return cells


def _titles(cell: str) -> list[str]:
    return re.findall(r"<title>(.*?)</title>", cell)


def test_a_member_in_another_zone_is_drawn_at_the_viewers_hours_and_days(client, team):
    """Nora's 09:00-17:00 in New York (13:00-21:00 UTC) is 22:00-06:00 in Tokyo: each of her
    days straddles two Tokyo columns, and her Friday is Tokyo's Saturday morning."""
    cells = _cells(_row(_team(client, tz="Asia/Tokyo"), "Nora York"))
    mon, tue, wed, thu, fri, sat, sun = map(_titles, cells)
    # Monday in Tokyo holds only the start of Nora's Monday, over by Tuesday 12:00 UTC.
    assert mon == ["Past 22:00–24:00"] and "past" in cells[0]
    # Tuesday: the rest of her Monday (past, never free), then her Tuesday, still ahead.
    assert tue == ["Past 00:00–06:00", "Free 22:00–24:00"]
    assert '<span class="cell-span">00:00–24:00</span>' in cells[1]
    # Wednesday: her Tuesday's end, then her meeting (22:00-24:00 in Tokyo) starts her day.
    assert wed == ["Free 00:00–06:00", "Busy 22:00–24:00"]
    assert thu == ["Free 00:00–06:00", "Free 22:00–24:00"]
    assert sat == ["Free 00:00–06:00"] and "6.0 h free of 6.0 h" in cells[5]
    assert sun == [] and ">off<" in cells[6]
    assert "8.0 h free" in cells[4]  # Friday: 00:00-06:00 and 22:00-24:00


def test_rows_follow_the_viewers_calendly_zone_by_default(client, team):
    html = _team(client)
    assert 'Times in <strong data-testid="display-zone">Europe/Berlin</strong>' in html
    nora = _cells(_row(html, "Nora York"))
    assert _titles(nora[2]) == ["Busy 14:00–16:00", "Free 16:00–22:00"]  # Wednesday
    adam = _cells(_row(html, "Adam Admin"))
    # Tuesday 13:00 in Berlin: the morning is past, the afternoon free.
    assert _titles(adam[1]) == ["Past 09:00–13:00", "Free 13:00–17:00"]
    assert "4.0 h free of 8.0 h, 4.0 h past" in adam[1]


def test_each_member_shows_their_own_time_now_and_zone(client, team):
    html = _team(client, tz="Asia/Tokyo")
    assert re.search(r'title="UTC−04:00">08:00 · America/New_York<', _row(html, "Nora York"))
    assert re.search(r'title="UTC\+01:00">13:00 · Europe/Berlin<', _row(html, "Adam Admin"))


def test_a_zone_chosen_on_the_team_page_is_kept_shown_elsewhere_and_reset(client, team):
    html = _team(client, tz="asia/TOKYO", q="nora")  # any case, as on My week
    assert 'data-testid="display-zone">Asia/Tokyo<' in html
    assert '<input id="tz" name="tz" list="zone-names" value="Asia/Tokyo"' in html
    # The zone form keeps the search; its reset link goes back to the Calendly zone.
    form = html.split('class="zone-form"')[1].split("</form>")[0]
    assert '<input type="hidden" name="q" value="nora">' in form
    assert 'data-testid="zone-reset"' in form and "tz=calendly" in form
    # Remembered: the next page without ?tz= is still in Tokyo, and so are My week and Find.
    assert 'data-testid="display-zone">Asia/Tokyo<' in _team(client)
    week = client.get(reverse("dashboard:week")).content.decode()
    assert 'data-testid="display-zone">Asia/Tokyo<' in week
    find = client.get(reverse("dashboard:find_a_time")).content.decode()
    assert 'data-testid="team-zone">Asia/Tokyo<' in find
    reset = _team(client, tz="calendly")
    assert 'data-testid="display-zone">Europe/Berlin<' in reset
    assert 'data-testid="zone-reset"' not in reset
    assert _titles(_cells(_row(reset, "Nora York"))[2]) == ["Busy 14:00–16:00", "Free 16:00–22:00"]


def test_a_zone_we_do_not_know_says_so_and_keeps_the_zone_shown(client, team):
    _team(client, tz="Asia/Tokyo")
    response = client.get(
        reverse("dashboard:team"),
        {"week": WEEK, "tz": "Mars/Olympus"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<section id="team-panel"')
    assert (
        '<p class="message message-error" role="alert" data-testid="zone-error">'
        "“Mars/Olympus” is not a time zone we know.</p>"
    ) in html
    assert 'data-testid="display-zone">Asia/Tokyo<' in html  # still the one chosen before
    assert "<datalist" not in html  # the zone names stay on the page, not in each swap
    whole = _team(client, tz="Mars/Olympus")
    assert whole.count("is not a time zone we know") == 1  # in the panel, not twice
    assert whole.count('<datalist id="zone-names"><option>Africa/Abidjan</option>') == 1


def test_today_and_the_past_are_the_display_zones(client, team, monkeypatch):
    """At 23:30 UTC on Tuesday it is Wednesday in Tokyo and still Tuesday in Honolulu: the
    phone opens on each one's today, and Nora's Tuesday (13:00-21:00 UTC), over, is past
    wherever its hours fall."""
    monkeypatch.setattr(timezone, "now", lambda: f.utc(2025, 10, 28, 23, 30))
    tokyo = _team(client, tz="Asia/Tokyo")
    assert re.search(r'data-testid="day-shown">Wed 29 Oct<', tokyo)
    wed = _cells(_row(tokyo, "Nora York"))[2]
    assert _titles(wed) == ["Past 00:00–06:00", "Busy 22:00–24:00"]
    honolulu = _team(client, tz="Pacific/Honolulu")  # UTC-10: her 03:00-11:00
    assert re.search(r'data-testid="day-shown">Tue 28 Oct<', honolulu)
    tue = _cells(_row(honolulu, "Nora York"))[1]
    assert _titles(tue) == ["Past 03:00–11:00"] and ">past<" in tue
