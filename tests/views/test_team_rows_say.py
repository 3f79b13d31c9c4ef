"""The team page's rows say where their data comes from and how fresh it is, its header
does not claim one zone for rows drawn in each member's own, and each part of a bar has
its times, in the viewer's zone (issue #20, point 7)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import CalendlyCredential
from availability.models import CalendlyUser
from tests.views import factories as f
from tests.views.conftest import NOW


@pytest.fixture
def team(clock, org, admin, member):
    f.schedule(admin)
    f.schedule(member)
    f.busy(member, f.utc(2025, 10, 29, 13), 120)  # Wed 09:00-11:00 in New York
    return org


def _row(html: str, name: str) -> str:
    rows = re.findall(r'<tr data-testid="member-row">.*?</tr>', html, re.S)
    return next(row for row in rows if name in row)


def test_each_row_says_where_its_data_comes_from_and_when_it_was_read(
    client, team, org, admin, member
):
    f.sign_in(client, admin)
    CalendlyCredential.objects.filter(calendly_user_uri=admin.uri).update(
        last_synced_at=NOW - timedelta(minutes=3)
    )
    CalendlyUser.objects.filter(pk=member.pk).update(synced_at=NOW - timedelta(minutes=4))
    never = f.calendly_user(org, "Vera Never")
    CalendlyUser.objects.filter(pk=never.pk).update(synced_at=None)
    html = client.get(reverse("dashboard:team")).content.decode()
    assert "Signed in" in _row(html, "Adam Admin")
    assert "updated 3\xa0minutes ago" in _row(html, "Adam Admin")
    nora = _row(html, "Nora York")
    assert "Read with an admin’s access" in nora and "updated 4\xa0minutes ago" in nora
    assert "Not connected" not in nora
    vera = _row(html, "Vera Never")
    assert "Not readable" in vera and "not read yet" in vera


def test_the_header_says_rows_are_in_the_viewers_zone_and_bars_carry_times(
    client, team, admin, member
):
    f.sign_in(client, admin)
    html = client.get(reverse("dashboard:team"), {"tz": "Europe/Berlin"}).content.decode()
    assert "every row in your time zone, each member’s local time beside them" in html
    assert 'Times in <strong data-testid="display-zone">Europe/Berlin</strong>' in html
    nora = _row(html, "Nora York")
    # Nora's Wednesday, 09:00-17:00 in New York, is 14:00-22:00 in Berlin: 14:00-16:00
    # busy, then free; the span under the bar.
    assert "<title>Busy 14:00–16:00</title>" in nora
    assert "<title>Free 16:00–22:00</title>" in nora
    assert '<span class="cell-span">14:00–22:00</span>' in nora
    # Monday is over at the frozen clock (Tuesday 13:00 in Berlin): past, never free.
    assert "<title>Past 14:00–22:00</title>" in nora
    assert "<title>Free 14:00–22:00</title>" in nora  # Thursday, still ahead


def test_a_row_read_within_the_minute_was_updated_just_now(client, team, admin):
    f.sign_in(client, admin)
    CalendlyCredential.objects.filter(calendly_user_uri=admin.uri).update(
        last_synced_at=NOW - timedelta(seconds=20)
    )
    html = client.get(reverse("dashboard:team")).content.decode()
    assert "updated just now" in _row(html, "Adam Admin")
    assert "0\xa0minutes" not in html
