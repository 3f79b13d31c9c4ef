"""Copied times as people paste them (issue #20, point 10): by day, in the recipient's
zone, one scheduling link; a day boundary is the recipient's, not the viewer's."""

from datetime import timedelta

import pytest
from django.urls import reverse

from dashboard.clock import clock as clock_of
from dashboard.copy_text import grouped_text
from tests.views import factories as f
from tests.views.conftest import NOW


def test_times_of_one_local_day_share_its_line_and_the_link_comes_once(client, clock, member):
    f.sign_in(client, member)
    et = f.event_type(member, name="Intro call", duration=45)
    # 23:30 and 00:30 UTC: one day in New York (evening), two in UTC.
    for start in (f.utc(2025, 10, 29, 23, 30), f.utc(2025, 10, 30, 0, 30), f.utc(2025, 10, 30, 14)):
        f.slot(et, start)
    url = reverse("dashboard:copy_times")
    ask = {"event_type": et.pk, "n": 3, "format": "text"}
    york = client.get(url, ask | {"tz": "America/New_York"}).content.decode()
    assert york.splitlines() == [
        "Intro call (45 min), times in America/New_York:",
        "",
        "Wed 29 Oct: 19:30, 20:30",
        "Thu 30 Oct: 10:00",
        "",
        f"Book a time: {et.scheduling_url}",
    ]
    utc = client.get(url, ask | {"tz": "utc"}).content.decode()
    assert "Wed 29 Oct: 23:30\nThu 30 Oct: 00:30, 14:00\n" in utc
    assert utc.count("https://") == 1


def test_the_text_box_is_tall_enough_for_every_line(client, clock, member):
    f.sign_in(client, member)
    et = f.event_type(member)
    for days in range(1, 6):
        f.slot(et, NOW + timedelta(days=days))
    html = client.get(reverse("dashboard:copy_times"), {"event_type": et.pk, "n": 5}).content
    # 9 lines: the head and a blank, 5 days, a blank and the link; and room for a wrap.
    assert b'rows="11"' in html


def test_no_times_is_no_text_and_times_must_know_their_zone():
    assert grouped_text("X", 30, [], "UTC", "https://x", lambda d: "") == ""
    with pytest.raises(ValueError, match="time-zone-aware"):
        grouped_text("X", 30, [NOW.replace(tzinfo=None)], "UTC", "", lambda d: "")
    one = grouped_text("X", 0, [NOW], "UTC", "", lambda d: clock_of(d, "12h"))
    assert one == "X, times in UTC:\n\nTue 28 Oct: 12:00pm"
