"""A reached meeting limit in a real browser: Dev (daily limit 2, reached on a seeded day;
docs/sandbox.md) signs in, syncs, and My week says in words that the day offers no times,
on his 12-hour Calendly clock, under the organization's name (read by an admin's
organization sync: Calendly may refuse a plain member the organization). Screenshot (var/screenshots/, docs/screenshots.md):
my-week-meeting-limit-desktop.png."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from accounts.models import CalendlyCredential
from availability.models import EventType, SyncRun
from dashboard.week_grid import day_label
from sandbox.seed import DEMO_ADMIN_EMAIL
from sync import runs
from tests.accounts.test_my_week_limits import DEV, limit_reached_days
from tests.availability.conftest import store_credential
from tests.availability.test_sync_live import inline
from tests.browser.test_calendar_browser import DESKTOP, fresh_tab, new_page, shoot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_my_week_with_a_reached_meeting_limit(chromium, live_server, live_calendly):
    page = new_page(chromium, DESKTOP)
    admin = store_credential(live_calendly, DEMO_ADMIN_EMAIL)
    assert runs.sync_user(admin.pk).status == SyncRun.Status.SUCCEEDED
    org = runs.sync_organization(admin.organization_uri, inline)
    assert org.status == SyncRun.Status.SUCCEEDED
    sign_in(page, live_server.url, DEV)
    credential = CalendlyCredential.objects.exclude(pk=admin.pk).get()
    # The sync, run here rather than by a worker.
    assert runs.sync_user(credential.pk).status == SyncRun.Status.SUCCEEDED
    dump = live_calendly.dump()
    zone = ZoneInfo(next(u["timezone"] for u in dump["users"] if u["email"] == DEV))
    reached = limit_reached_days(dump, credential.calendly_user_uri, zone, cap=2)
    assert reached, "the seed reaches Dev's daily limit on a day ahead"
    day = next(iter(reached))
    event_type = EventType.objects.filter(owner__uri=credential.calendly_user_uri, active=True)
    chosen = event_type.order_by("pk").first()

    page = fresh_tab(page)
    page.goto(
        f"{live_server.url}/week/?week={day.isoformat()}&tz={zone.key}&event_type={chosen.pk}"
    )
    that_day = page.locator(".day-list > li", has_text=day_label(day))
    expect(that_day.get_by_test_id("limit-note")).to_contain_text("Daily meeting limit reached")
    expect(page.get_by_test_id("grid-limit").first).to_have_text("Limit reached")
    closed = page.locator(".slot-day", has_text=day_label(day))
    expect(closed.get_by_test_id("slots-limit-note")).to_contain_text(
        "No times: Daily meeting limit reached"
    )
    expect(page.locator(".day-list .times").first).to_have_text(
        re.compile(r"^\d{1,2}:\d{2}(am|pm)–")
    )
    name = next(o["name"] for o in dump["organizations"] if o["uri"] == admin.organization_uri)
    expect(page.get_by_test_id("profile-organization")).to_have_text(name)
    shoot(page, "my-week-meeting-limit-desktop")
