"""The keyboard path's server side (issue #20, point 4): skip links, the grid as one tab
stop, a zone typed in any case, a chosen zone shown and resettable on the team pages."""

import re

import pytest
from django.urls import reverse

from availability.intervals import UnknownTimeZone, resolve_zone
from tests.views import factories as f


@pytest.fixture
def signed_in(client, clock, admin):
    f.schedule(admin)
    f.busy(admin, f.utc(2025, 10, 29, 13), 60, name="Intro call")
    f.busy(admin, f.utc(2025, 10, 30, 9), 30, kind="external")
    f.sign_in(client, admin)
    return admin


@pytest.mark.parametrize(
    ("typed", "zone"),
    [("utc", "UTC"), ("europe/berlin", "Europe/Berlin"), ("AMERICA/NEW YORK", "America/New_York")],
)
def test_a_zone_is_found_whatever_its_case(typed, zone):
    assert resolve_zone(typed).key == zone


def test_a_name_that_is_no_zone_in_any_case_is_still_refused():
    with pytest.raises(UnknownTimeZone):
        resolve_zone("europe/atlantis")


def test_the_grid_is_one_tab_stop_and_skip_links_lead_to_it_and_the_controls(client, signed_in):
    html = client.get(reverse("dashboard:week"), {"week": "2025-10-27"}).content.decode()
    stops = re.findall(r'<g class="blk [^"]*" tabindex="(-?\d)"', html)
    assert len(stops) > 3 and stops.count("0") == 1
    assert 'href="#week-grid">Skip to the week grid</a>' in html
    assert 'href="#week-controls">Skip to the week’s controls</a>' in html
    assert 'id="week-grid"' in html and 'id="week-controls"' in html


def test_the_zone_is_typed_not_picked_from_a_select_and_lowercase_utc_applies(client, signed_in):
    html = client.get(reverse("dashboard:week"), {"tz": "utc"}).content.decode()
    assert 'data-testid="display-zone">UTC<' in html
    assert '<select id="tz"' not in html
    assert '<input id="tz" name="tz" list="zone-names" value="UTC"' in html
    assert "<option>Europe/Berlin</option>" in html  # the datalist to search in
    assert 'hx-trigger="change"' not in html.split('class="zone-form"')[1].split(">")[0]


def test_a_chosen_zone_is_shown_on_the_team_pages_and_can_be_reset(client, signed_in):
    client.get(reverse("dashboard:week"), {"tz": "Asia/Tokyo"})
    find = client.get(reverse("dashboard:find_a_time")).content.decode()
    assert 'data-testid="team-zone">Asia/Tokyo<' in find
    assert "your choice" in find and "tz=calendly" in find
    reset = client.get(reverse("dashboard:find_a_time"), {"tz": "calendly"}).content.decode()
    assert 'data-testid="team-zone">Europe/Berlin<' in reset  # Adam's Calendly zone
    assert "your choice" not in reset
    week = client.get(reverse("dashboard:week")).content.decode()
    assert 'data-testid="display-zone">Europe/Berlin<' in week
    assert 'data-testid="zone-reset"' not in week
