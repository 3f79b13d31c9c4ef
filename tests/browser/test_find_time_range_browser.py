"""Issue #20, "Find a time over a range", in a real Chromium on data the worker synced from
the sandbox: a search over three weeks, each time's actions (the message to copy, the .ics
downloaded and read back, the collective event type's booking link), "any hour", and the
screenshots at 1366 and 390 px (docs/screenshots.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from availability.models import CalendlyUser, EventType
from sandbox.seed import DEMO_ADMIN_EMAIL
from tests.browser.test_calendar_browser import (
    SYNC_TIMEOUT_MS,
    new_page,
    organization_synced,
    shoot,
    sign_in,
    worker,  # noqa: F401 - the fixture
)
from tests.workers import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def _panel_hosts() -> list[int]:
    """The hosts of the seeded collective event type ("Panel Interview"), as synced."""
    panel = EventType.objects.get(name="Panel Interview", pooling_type="collective")
    return sorted(panel.hosts.values_list("pk", flat=True))


def _search(page, base: str, query: str) -> None:
    page.goto(f"{base}/team/find-a-time/?{query}")
    expect(
        page.get_by_test_id("found-slots").or_(page.get_by_test_id("found-none"))
    ).to_be_visible()


def test_find_a_time_over_a_range_and_what_each_time_offers(
    chromium,
    live_server,
    worker,  # noqa: F811
    tmp_path: Path,
):
    page = new_page(chromium, WIDE)
    sign_in(page, live_server.url, DEMO_ADMIN_EMAIL)
    expect(page.get_by_test_id("week-grid")).to_be_visible(timeout=SYNC_TIMEOUT_MS)
    wait_for(organization_synced, SYNC_TIMEOUT_MS / 1000, what="the organization sync")

    # The form: three weeks chosen, searched from now inside the organizer's hours.
    page.goto(f"{live_server.url}/team/find-a-time/")
    expect(page.get_by_test_id("find-days")).to_have_value("14")
    page.get_by_test_id("find-days").select_option("21")
    page.get_by_test_id("find-k").fill("2")
    page.get_by_test_id("find-submit").click()
    expect(page.get_by_test_id("find-span")).to_contain_text(re.compile(r"^Next (21|20) days"))
    expect(page).to_have_url(re.compile(r"days=21"))
    expect(page.get_by_test_id("find-hours")).to_contain_text("Only inside your own working hours")
    first = page.get_by_test_id("found-slot").first
    expect(first).to_be_visible()

    # The message, in each participant's zone: opened, copied to the clipboard.
    first.get_by_text("Copy message").click()
    text = first.get_by_test_id("slot-message-text")
    expect(text).to_be_visible()
    expect(text).to_have_value(re.compile(r"^Proposed: a 30-minute meeting, in each of our"))
    assert re.search(r"\n- \w{3} \d+ \w{3}, \d\d:\d\d–\d\d:\d\d \S+/\S+: ", text.input_value())
    first.get_by_test_id("slot-message-copy").click()
    expect(first.get_by_role("status")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == text.input_value()

    # The .ics: downloaded, an RFC 5545 event with every compared member invited.
    with page.expect_download() as download:
        first.get_by_test_id("slot-ics").click()
    assert re.fullmatch(r"meeting-\d{8}T\d{4}Z\.ics", download.value.suggested_filename)
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    (event,) = Calendar.from_ical(saved.read_bytes()).walk("VEVENT")
    admin = CalendlyUser.objects.get(email=DEMO_ADMIN_EMAIL)
    members = CalendlyUser.objects.filter(memberships__organization=admin.organization_id).exclude(
        email=""
    )
    assert {str(a) for a in event.attendees} == {f"mailto:{m.email}" for m in members}
    assert str(event["ORGANIZER"]) == f"mailto:{DEMO_ADMIN_EMAIL}"
    assert event.start.utcoffset().total_seconds() == 0
    shoot(page, "issue20-find-a-time-range-1366")

    # The collective event type's hosts: each time names it, linked where Calendly offers it.
    hosts = "&".join(f"member={pk}" for pk in _panel_hosts())
    _search(page, live_server.url, f"all=0&{hosts}&duration=60&days=28")
    booking = page.get_by_test_id("slot-booking").or_(page.get_by_test_id("slot-booking-missing"))
    if page.get_by_test_id("found-slot").count():
        expect(booking.first).to_contain_text("Panel Interview")

    # Any hour: widened, and said.
    _search(page, live_server.url, "all=1&duration=30&k=2")
    page.get_by_test_id("find-any-hour").check()
    page.get_by_test_id("find-submit").click()
    expect(page.get_by_test_id("find-hours")).to_contain_text("At any hour")
    expect(page).to_have_url(re.compile(r"any_hour=1"))

    phone = new_page(chromium, PHONE)
    sign_in(phone, live_server.url, DEMO_ADMIN_EMAIL)
    _search(phone, live_server.url, "all=1&duration=30&k=2&days=14")
    slot = phone.get_by_test_id("found-slot").first
    expect(slot.get_by_test_id("slot-ics")).to_be_visible()
    slot.get_by_text("Copy message").click()
    expect(slot.get_by_test_id("slot-message-text")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shoot(phone, "issue20-find-a-time-range-390")
