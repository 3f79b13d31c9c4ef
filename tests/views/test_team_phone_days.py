"""The team week on a phone pages through days (issue #20, point 7): one day shown, the
day before and after a link away; today first when the week holds it."""

import re

import pytest
from django.urls import reverse

from tests.views import factories as f


@pytest.fixture
def team(client, clock, org, admin, member):
    f.schedule(admin)
    f.schedule(member)
    f.sign_in(client, admin)
    return org


def _shown(html: str) -> str:
    return re.search(r'data-testid="day-shown">(.*?)<', html).group(1)


def test_the_phone_opens_on_today_and_pages_to_the_days_around_it(client, team):
    html = client.get(reverse("dashboard:team"), {"week": "2025-10-27"}).content.decode()
    assert _shown(html) == "Tue 28 Oct"  # the frozen clock's today, in Adam's Berlin
    assert 'class="team-table phone-day-1"' in html
    assert "day=0" in html and "day=2" in html
    monday = client.get(reverse("dashboard:team"), {"week": "2025-10-27", "day": 0}).content
    assert _shown(monday.decode()) == "Mon 27 Oct"
    assert b'data-testid="day-previous"' not in monday
    sunday = client.get(reverse("dashboard:team"), {"week": "2025-10-27", "day": 6}).content
    assert _shown(sunday.decode()) == "Sun 2 Nov" and b'data-testid="day-next"' not in sunday


@pytest.mark.parametrize("asked", ["9", "-1", "x"])
def test_a_day_out_of_the_week_falls_back_to_today(client, team, asked):
    html = client.get(reverse("dashboard:team"), {"week": "2025-10-27", "day": asked})
    assert _shown(html.content.decode()) == "Tue 28 Oct"
