"""My week through the real sandbox: a reached meeting limit said in words, and times on
the viewer's Calendly clock (12h or 24h) unless they chose the other (api-2026.md §2, §3).

Dev (docs/sandbox.md) has a daily limit of 2, reached on a seeded day; he uses 12h, Ana 24h.
Nothing here assumes a weekday, hour or month: the reached day is read from the sandbox."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import CalendlyCredential
from availability.models import BusyBlock, CalendlyUser, EventType
from dashboard import week_page
from dashboard.clock import H12, clock
from dashboard.week_grid import day_label
from sandbox.seed import DEMO_MEMBER_EMAIL
from sync import runs
from tests.accounts.oauth_flow import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
DEV = "dev@acme.example"
TWELVE = re.compile(r"^\d{1,2}:\d{2}(am|pm)–\d{1,2}:\d{2}(am|pm)$")
TWENTY_FOUR = re.compile(r"^\d{2}:\d{2}–\d{2}:\d{2}$")


def signed_in_and_synced(client, email: str) -> CalendlyCredential:
    assert sign_in(client, email).status_code == 302
    credential = CalendlyCredential.objects.get(user__email=email)
    result = runs.sync_user(credential.pk)
    assert result.status == "succeeded", result.summary
    return credential


def limit_reached_days(dump: dict, user_uri: str, zone: ZoneInfo, cap: int) -> dict[date, int]:
    """The days after today (in ``zone``: wholly ahead, so wholly synced) on which the user
    hosts ``cap`` or more non-canceled meetings, as the sandbox holds them."""
    today = timezone.now().astimezone(zone).date()
    held: dict[date, int] = {}
    for event in dump["scheduled_events"]:
        hosts = {m["user"] for m in event.get("event_memberships", [])}
        if event["status"] != "canceled" and user_uri in hosts:
            day = datetime.fromisoformat(event["start_time"]).astimezone(zone).date()
            held[day] = held.get(day, 0) + 1
    return {day: n for day, n in sorted(held.items()) if n >= cap and day > today}


def my_week(client, **params) -> str:
    page = client.get(reverse("dashboard:week"), params)
    assert page.status_code == 200
    return page.content.decode()


def day_section(html: str, label: str) -> str:
    start = html.index(f"<li><h3>{label}")
    return html[start : html.index("</ul></li>", start)]


def times_of(html: str) -> list[str]:
    return re.findall(r'<span class="times">([^<]+)</span>', html)


def test_my_week_says_when_the_daily_limit_closes_a_day(client, calendly):
    credential = signed_in_and_synced(client, DEV)
    dump = calendly.dump()
    zone = ZoneInfo(next(u["timezone"] for u in dump["users"] if u["email"] == DEV))
    reached = limit_reached_days(dump, credential.calendly_user_uri, zone, cap=2)
    assert reached, "the seed reaches Dev's daily limit on a day ahead"
    day, booked = next(iter(reached.items()))

    html = my_week(client, week=day.isoformat(), tz=zone.key)
    section = day_section(html, day_label(day))
    assert (
        "Daily meeting limit reached" in section
        and f"you host {booked} meetings this day and your limit is 2" in section
    )
    assert 'data-testid="grid-limit"' in html
    # Every later day of that week is explained exactly when it holds two meetings.
    today = timezone.now().astimezone(zone).date()
    monday = day - timedelta(days=day.weekday())
    for other in (monday + timedelta(days=i) for i in range(7)):
        if other > today:
            said = "meeting limit reached" in day_section(html, day_label(other))
            assert said == (other in reached), other

    # With an event type chosen, the bookable times say why that day has none, and the
    # sandbox indeed offers none of his on it.
    hosted = EventType.objects.filter(owner__uri=credential.calendly_user_uri, active=True)
    event_type = hosted.order_by("pk").first()
    assert event_type is not None
    html = my_week(client, week=day.isoformat(), tz=zone.key, event_type=event_type.pk)
    assert 'data-testid="slots-limit-note"' in html
    slots_part = html[html.index('data-testid="slots"') :]
    assert day_label(day) in slots_part and "No times: Daily meeting limit reached" in slots_part
    assert not [s for s in event_type.slots.all() if s.start.astimezone(zone).date() == day], (
        "a day its limit closes has no stored slots"
    )


def test_another_members_week_does_not_show_the_viewers_limits(client, calendly):
    """Only the user may read their limits: nobody else's page explains them."""
    credential = signed_in_and_synced(client, DEV)
    dev = CalendlyUser.objects.get(uri=credential.calendly_user_uri)
    assert dev.daily_limit == 2
    now = timezone.now()
    nav = week_page.week_nav(None, now.date())
    page = week_page.week_page(dev, nav, "UTC", None, now, own=False)
    assert page.limit_notes == {}


def test_times_follow_each_viewers_calendly_clock(client, calendly):
    signed_in_and_synced(client, DEV)  # 12h
    html = my_week(client)
    shown = times_of(html)
    assert shown and all(TWELVE.match(t) for t in shown), shown[:5]
    assert 'value="calendly" selected>As in Calendly (12h)' in html

    client.logout()
    signed_in_and_synced(client, DEMO_MEMBER_EMAIL)  # 24h
    shown = times_of(my_week(client))
    assert shown and all(TWENTY_FOUR.match(t) for t in shown), shown[:5]


def test_a_viewer_who_chose_the_other_clock_sees_their_choice(client, calendly):
    signed_in_and_synced(client, DEV)  # 12h in Calendly
    shown = times_of(my_week(client, clock="24h"))
    assert shown and all(TWENTY_FOUR.match(t) for t in shown), shown[:5]
    html = my_week(client)  # remembered for the session
    assert all(TWENTY_FOUR.match(t) for t in times_of(html))
    assert 'value="24h" selected' in html
    # Back to Calendly's.
    assert all(TWELVE.match(t) for t in times_of(my_week(client, clock="calendly")))


def test_the_sandboxs_buffers_are_drawn_around_bookings(client, calendly):
    """The seed's event types carry before/after buffers (api-2026.md §3); the busy times
    say where each booking's buffers reach, and My week draws them as buffers."""
    credential = signed_in_and_synced(client, DEV)
    zone = ZoneInfo(user_zone(credential))
    buffered = (
        BusyBlock.objects.filter(
            user__uri=credential.calendly_user_uri,
            type=BusyBlock.Type.CALENDLY,
            start__gt=timezone.now() + timedelta(hours=1),
        )
        .exclude(buffered_start=None)
        .order_by("start")
    )
    block = next((b for b in buffered if b.buffered_start < b.start), None)
    assert block is not None, "the seed books event types with buffers"
    start, before = block.start.astimezone(zone), block.buffered_start.astimezone(zone)
    html = my_week(client, week=start.date().isoformat(), tz=zone.key)
    section = day_section(html, day_label(start.date()))
    drawn = f'<span class="times">{clock(before, H12)}–{clock(start, H12)}</span> Buffer'
    assert drawn in section, section


def user_zone(credential) -> str:
    return CalendlyUser.objects.get(uri=credential.calendly_user_uri).timezone
