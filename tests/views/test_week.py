"""My week: grid, time zone, navigation, HTMX partials, event-type slots, copy text."""

from datetime import timedelta

import pytest
from django.urls import reverse

from availability.models import Membership
from tests.views import factories as f
from tests.views.conftest import NOW

SUNDAY_HOURS = [{"type": "wday", "wday": "sunday", "intervals": [{"from": "10:00", "to": "14:00"}]}]


@pytest.fixture
def york_week(client, clock, member):
    """Nora in New York: 9-17 on weekdays, 10-14 on Sunday 2 Nov (the clocks went back at
    02:00 that night), a booking on Sunday at 11:00 EST and an external block on Monday."""
    f.schedule(member, f.NINE_TO_FIVE + SUNDAY_HOURS)
    f.busy(member, f.utc(2025, 11, 2, 16), 60, "calendly", buffer_minutes=15)
    f.busy(member, f.utc(2025, 10, 27, 14), 30, "external")  # 10:00 EDT
    f.sign_in(client, member)
    return member


def test_my_week_draws_wall_clock_hours_across_the_dst_change(client, york_week):
    response = client.get(reverse("dashboard:week"), {"tz": "America/New_York"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mon 27 Oct – Sun 2 Nov" in html
    # Sunday, after the change: the booking sits at 11:00 on the wall clock, buffers lighter.
    assert 'aria-label="Calendly booking, 11:00–12:00"' in html
    assert 'aria-label="Buffer, 10:45–11:00"' in html
    assert 'aria-label="Free, 10:00–10:45"' in html
    assert 'aria-label="Free, 12:15–14:00"' in html
    # Monday, before it and before now (Tuesday 08:00 EDT): past, around the external block
    # at 10:00 EDT, which is still drawn as it was.
    assert 'aria-label="External calendar, 10:00–10:30"' in html
    assert 'aria-label="Past, 09:00–10:00"' in html
    assert 'aria-label="Past, 10:30–17:00"' in html
    assert 'aria-label="Free, 09:00–10:00"' not in html
    assert 'aria-label="Free, 09:00–17:00"' in html  # Tuesday, not begun yet.
    # 5 x 8 h + 4 h, Monday's 8 past; ahead: busy 1 h 30 (with buffers), scheduled 1 h.
    assert 'data-testid="total-working">44.0 h' in html
    assert 'data-testid="total-past">8.0 h' in html
    assert 'data-testid="total-busy">1.5 h' in html
    assert 'data-testid="total-free">34.5 h' in html
    assert 'data-testid="total-scheduled">1.0 h' in html
    assert 'data-testid="free-share">96% free of the working hours left' in html


def test_time_zone_switch_moves_the_blocks_and_is_remembered(client, york_week):
    week = reverse("dashboard:week")
    html = client.get(week, {"tz": "Europe/Berlin"}).content.decode()
    # 11:00 EST on Sunday is 17:00 in Berlin (CET since 26 Oct).
    assert 'aria-label="Calendly booking, 17:00–18:00"' in html
    assert 'data-testid="display-zone">Europe/Berlin' in html
    again = client.get(week).content.decode()
    assert 'data-testid="display-zone">Europe/Berlin' in again
    assert 'aria-label="Calendly booking, 17:00–18:00"' in again


def test_a_booking_whose_event_name_is_known_says_it(client, york_week):
    f.busy(york_week, f.utc(2025, 10, 29, 18), 90, name="Product demo")  # 14:00 EDT
    html = client.get(reverse("dashboard:week"), {"tz": "America/New_York"}).content.decode()
    assert 'aria-label="Product demo (Calendly booking) 14:00–15:30"' in html
    assert "<title>Product demo (Calendly booking) 14:00–15:30</title>" in html
    assert '<text class="tip-text" x="' in html and ">Product demo</text>" in html
    assert "14:00–15:30</span> Product demo (Calendly booking)</li>" in html  # the day list
    assert 'aria-label="Calendly booking, 11:00–12:00"' in html  # no name synced: its kind


def test_a_busy_row_of_a_type_no_longer_stored_is_drawn_busy_not_a_500(client, york_week):
    """Rows a sync stored before busy types were held to Calendly's two ("tentative")."""
    f.busy(york_week, f.utc(2025, 10, 29, 18), 30, kind="tentative")  # 14:00 EDT
    response = client.get(reverse("dashboard:week"), {"tz": "America/New_York"})
    assert response.status_code == 200
    assert 'aria-label="External calendar, 14:00–14:30"' in response.content.decode()


def test_an_event_name_is_escaped(client, york_week):
    f.busy(york_week, f.utc(2025, 10, 29, 18), 30, name='<b onclick="x">Demo</b>')
    html = client.get(reverse("dashboard:week"), {"tz": "America/New_York"}).content.decode()
    assert "<b onclick" not in html
    assert "&lt;b onclick=&quot;x&quot;&gt;Demo&lt;/b&gt; (Calendly booking) 14:00–14:30" in html


def test_an_unknown_time_zone_is_refused_in_words(client, york_week):
    html = client.get(reverse("dashboard:week"), {"tz": "Mars/Olympus"}).content.decode()
    assert "is not a time zone we know" in html
    assert 'data-testid="display-zone">America/New_York' in html


def test_a_date_override_is_marked(client, clock, member):
    rules = f.NINE_TO_FIVE + [
        {"type": "date", "date": "2025-10-29", "intervals": [{"from": "12:00", "to": "14:00"}]},
        {"type": "date", "date": "2025-10-30", "intervals": []},
    ]
    f.schedule(member, rules)
    f.sign_in(client, member)
    html = client.get(reverse("dashboard:week")).content.decode()
    assert 'aria-label="Free (date override), 12:00–14:00"' in html
    assert 'aria-label="Override, 12:00–14:00"' in html
    assert "Day off · override" in html
    assert 'data-testid="total-working">26.0 h' in html


def test_week_navigation_stays_between_this_week_and_the_sync_horizon(client, york_week, settings):
    settings.SYNC_HORIZON_DAYS = 28  # From Tue 28 Oct: the last synced day is Mon 24 Nov.
    week = reverse("dashboard:week")
    html = client.get(week).content.decode()
    assert 'data-testid="previous-week"' not in html
    assert "?week=2025-11-03" in html
    past = client.get(week, {"week": "2025-10-13"}).content.decode()
    assert "Mon 27 Oct – Sun 2 Nov" in past
    last = client.get(week, {"week": "2025-11-24"}).content.decode()
    assert "Mon 24 Nov – Sun 30 Nov" in last
    assert 'data-testid="next-week"' not in last
    assert 'data-testid="previous-week"' in last
    beyond = client.get(week, {"week": "2026-01-05"}).content.decode()
    assert "Mon 24 Nov – Sun 30 Nov" in beyond


def test_a_day_inside_the_week_opens_its_monday(client, york_week):
    html = client.get(reverse("dashboard:week"), {"week": "2025-11-06"}).content.decode()
    assert "Mon 3 Nov – Sun 9 Nov" in html


def test_htmx_request_gets_only_the_week_panel(client, york_week):
    response = client.get(
        reverse("dashboard:week"), {"week": "2025-11-03"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="week-panel"')
    assert "<html" not in html and "sync-panel" not in html
    assert "HX-Request" in response["Vary"]
    full = client.get(reverse("dashboard:week"))
    assert "HX-Request" in full["Vary"]
    assert "<html" in full.content.decode()


def test_event_type_slots_link_to_calendly_and_group_events_show_seats(client, york_week):
    solo = f.event_type(york_week, "Intro call")
    group = f.event_type(york_week, "Workshop", kind="group", duration=60)
    f.slot(solo, f.utc(2025, 10, 29, 14))
    f.slot(group, f.utc(2025, 10, 30, 15), seats=3)
    f.slot(group, f.utc(2025, 11, 12, 15), seats=5)  # Another week.
    week = reverse("dashboard:week")
    html = client.get(week, {"event_type": solo.pk, "tz": "America/New_York"}).content.decode()
    assert f'href="{solo.scheduling_url}/2025-10-29T14:00"' in html
    assert ">10:00<" in html and "seats left" not in html
    html = client.get(week, {"event_type": group.pk}).content.decode()
    assert "11:00 <span class=\"seats\">· 3 seats left</span>" in html
    assert "5 seats left" not in html


def test_copy_the_first_available_times(client, york_week):
    et = f.event_type(york_week)
    for hours in (30, 2, 26, 50):
        f.slot(et, NOW + timedelta(hours=hours))
    f.slot(et, NOW - timedelta(hours=1))  # Past: not offered.
    url = reverse("dashboard:copy_times")
    text = client.get(url, {"event_type": et.pk, "n": 3, "tz": "Asia/Tokyo", "format": "text"})
    assert text["Content-Type"].startswith("text/plain")
    # By day in the asked zone, one link for the event type (issue #20, point 10).
    assert text.content.decode().splitlines() == [
        f"{et.name} ({et.duration} min), times in Asia/Tokyo:",
        "",
        "Tue 28 Oct: 23:00",
        "Wed 29 Oct: 23:00",
        "Thu 30 Oct: 03:00",
        "",
        f"Book a time: {et.scheduling_url}",
    ]
    partial = client.get(url, {"event_type": et.pk, "n": 2}, headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert 'data-copy-target="copy-text"' in body and "<html" not in body
    assert "times in America/New_York:" in body  # The page's zone: Tokyo was for that text.


def test_the_picker_lists_team_event_types_the_member_hosts_but_does_not_own(
    client, york_week, admin
):
    own = f.event_type(york_week, "Intro call")
    round_robin = f.event_type(admin, "Sales Round Robin", hosts=(york_week, admin))
    team = f.event_type(None, "Panel Interview", hosts=(york_week,), org=york_week.organization)
    not_mine = f.event_type(admin, "Admin's 1:1", hosts=(admin,))
    f.slot(round_robin, NOW + timedelta(hours=3))
    html = client.get(reverse("dashboard:week")).content.decode()
    for et in (own, round_robin, team):
        assert f'<option value="{et.pk}"' in html
    assert f'<option value="{not_mine.pk}"' not in html
    chosen = client.get(reverse("dashboard:week"), {"event_type": round_robin.pk})
    assert 'data-testid="slot"' in chosen.content.decode()
    url = reverse("dashboard:copy_times")
    text = client.get(url, {"event_type": team.pk, "format": "text"})
    assert text.status_code == 200  # hosted, owned by no one we know: still the host's
    assert client.get(url, {"event_type": not_mine.pk}).status_code == 404


def test_copy_times_of_another_organizations_event_type_is_404(client, york_week, outsider):
    et = f.event_type(outsider)
    response = client.get(reverse("dashboard:copy_times"), {"event_type": et.pk})
    assert response.status_code == 404


def test_not_synced_yet_says_so(client, clock, org):
    nobody = f.calendly_user(None, "Not Synced")
    f.sign_in(client, nobody)
    nobody.delete()
    html = client.get(reverse("dashboard:week")).content.decode()
    assert "Nothing synced yet" in html
    assert 'data-testid="sync-now"' in html


def test_dashboard_name_is_my_week(client, york_week):
    assert reverse("dashboard") == reverse("dashboard:week")
    assert client.get(reverse("dashboard")).status_code == 200


def test_an_open_week_polls_for_webhook_changes_outside_the_swapped_panel(client, york_week):
    html = client.get(reverse("dashboard:week")).content.decode()
    assert 'data-testid="live-updates"' in html
    assert html.index('data-testid="live-updates"') > html.index('id="week-panel"')
    partial = client.get(reverse("dashboard:week"), headers={"HX-Request": "true"})
    assert "live-updates" not in partial.content.decode()


def test_the_copied_times_follow_the_viewers_clock(client, york_week):
    """Calendly's time_notation (read by the user's own sync) unless they chose the other
    on My week (remembered for the session)."""
    et = f.event_type(york_week)
    f.slot(et, NOW + timedelta(hours=2))  # 14:00 UTC: 10:00 in New York
    url = reverse("dashboard:copy_times")
    ask = {"event_type": et.pk, "n": 1, "tz": "America/New_York", "format": "text"}
    assert "Tue 28 Oct: 10:00\n" in client.get(url, ask).content.decode()
    york_week.time_notation = "12h"
    york_week.save(update_fields=["time_notation"])
    assert "Tue 28 Oct: 10:00am\n" in client.get(url, ask).content.decode()
    client.get(reverse("dashboard:week"), {"clock": "24h"})
    assert "Tue 28 Oct: 10:00\n" in client.get(url, ask).content.decode()


@pytest.mark.parametrize("asked,words", [
    ("garbage", "“garbage” is not a date"),
    ("2026-13-45", "“2026-13-45” is not a date"),
    ("1999-01-01", "Fri 1 Jan 1999 is outside the weeks shown here"),
    ("2099-06-01", "Mon 1 Jun 2099 is outside the weeks shown here"),
])
def test_a_week_that_cannot_be_shown_says_why_and_links_the_nearest(client, york_week, asked,
                                                                    words):
    for url in (reverse("dashboard:week"), reverse("dashboard:team_hours")):
        if url.startswith("/team"):
            Membership.objects.filter(user=york_week).update(role=Membership.Role.ADMIN)
        response = client.get(url, {"week": asked})
        html = response.content.decode()
        assert response.status_code == 200
        assert words in html, url
        error = html.split('data-testid="week-error"')[1].split("</p>")[0]
        assert "Showing <a href=" in error and "week=20" in error
    for good in ("", NOW.date().isoformat()):
        assert 'data-testid="week-error"' not in client.get(reverse("dashboard:week"),
                                                            {"week": good}).content.decode()


def test_copy_times_without_an_event_type_says_what_it_needs(client, york_week):
    for params in ({}, {"event_type": ""}, {"event_type": "  "}):
        response = client.get(reverse("dashboard:copy_times"), params)
        assert response.status_code == 400
        assert "needs to know which: choose an event type" in response.content.decode()
    # One that is named but unknown stays a 404: ids of other people's event types reveal nothing.
    assert client.get(reverse("dashboard:copy_times"), {"event_type": "99999"}).status_code == 404
