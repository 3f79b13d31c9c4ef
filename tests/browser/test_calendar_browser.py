"""The calendar pages in a real browser, on data the real worker synced from the sandbox.

Sign in (which queues the first sync), see the week, switch time zone, go to next week,
pick an event type and copy times, Sync now with a progress bar that finishes, the team
page with find-a-time as an admin, and a plain member refused. Screenshots of "My week",
"Team" and "Find a time" at desktop and phone widths go to var/screenshots/ (listed in
docs/screenshots.md).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from availability.models import SyncRun
from sandbox.seed import DEMO_ADMIN_EMAIL, DEMO_MEMBER_EMAIL
from tests.availability.conftest import worker_env
from tests.workers import running_worker, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# .ci/run and `make screenshots` give each moved clock a folder of its own.
SCREENSHOTS = Path(
    os.environ.get("SCREENSHOT_DIR") or Path(django_settings.BASE_DIR) / "var" / "screenshots"
)
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SYNC_TIMEOUT_MS = 90_000


@pytest.fixture
def worker(live_calendly, settings):
    """A real Celery worker, aimed at the sandbox like the live server."""
    with running_worker(concurrency=2, extra_env=worker_env(settings), name="browser"):
        yield


def new_page(chromium, viewport):
    context = chromium.new_context(
        viewport=viewport, permissions=["clipboard-read", "clipboard-write"]
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


def fresh_tab(page):
    """A new tab of the same browser session, the old one closed: a My week left open
    reloads itself once it sees its sync done, which would cut the next navigation short.

    Closed without waiting for it to be gone (``run_before_unload``; no page of ours has an
    unload handler): a close that met that reload has waited for ever, twice in CI at
    moved clocks (faulthandler's dump: the test thread inside ``Page.close``)."""
    fresh = page.context.new_page()
    fresh.set_default_timeout(20_000)
    page.close(run_before_unload=True)
    return fresh


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(base_url)
    page.get_by_role("button", name="Sign in with Calendly").click()
    page.get_by_label("Calendly user").select_option(email)
    page.get_by_role("button", name="Allow").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base_url)}/week/"))


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def organization_synced() -> bool:
    runs = SyncRun.objects.filter(kind=SyncRun.Kind.ORGANIZATION)
    return runs.filter(status=SyncRun.Status.SUCCEEDED).exists()


def test_my_week_zone_next_week_event_type_copy_and_sync_now(chromium, live_server, worker):
    page = new_page(chromium, DESKTOP)
    sign_in(page, live_server.url, DEMO_ADMIN_EMAIL)
    # The sign-in's sync lands and the page redraws itself: no reload by hand.
    grid = page.get_by_test_id("week-grid")
    expect(grid).to_be_visible(timeout=SYNC_TIMEOUT_MS)
    expect(page.locator("g.blk-free").first).to_be_attached()
    booking = page.locator("g.blk-calendly, g.blk-external").first
    booking.focus()
    expect(booking.locator(".tip")).to_be_visible()
    expect(booking).to_have_attribute("aria-label", re.compile(r"(Calendly booking|External calendar).*\d\d:\d\d–\d\d:\d\d"))
    expect(page.get_by_test_id("total-working")).to_contain_text(" h")
    shoot(page, "my-week-desktop")

    # Time zone: the grid is swapped, the URL says so, and the choice is remembered.
    zone = page.get_by_test_id("zone-input")  # typed, applied on Enter
    zone.fill("Asia/Tokyo")
    zone.press("Enter")
    expect(page.get_by_test_id("display-zone")).to_have_text("Asia/Tokyo")
    expect(page).to_have_url(re.compile(r"tz=Asia%2FTokyo"))
    page.goto(f"{live_server.url}/week/")
    expect(page.get_by_test_id("display-zone")).to_have_text("Asia/Tokyo")

    # Next week, through HTMX; the URL can be bookmarked and reloaded.
    this_week = page.get_by_test_id("week-title").inner_text()
    page.get_by_test_id("next-week").click()
    expect(page.get_by_test_id("week-title")).not_to_have_text(this_week)
    next_week = page.get_by_test_id("week-title").inner_text()
    expect(page).to_have_url(re.compile(r"week=\d{4}-\d\d-\d\d"))
    page.reload()
    expect(page.get_by_test_id("week-title")).to_have_text(next_week)
    expect(page.get_by_test_id("previous-week")).to_be_visible()

    # An event type's bookable slots link to Calendly; copy the first times.
    page.get_by_test_id("event-type-select").select_option(index=1)
    slot = page.get_by_test_id("slot").first
    expect(slot).to_have_attribute("href", re.compile(r"^http://127\.0\.0\.1:\d+/"))
    page.locator("#copy-tz").fill("Europe/Lisbon")
    page.get_by_test_id("copy-get").click()
    text = page.get_by_test_id("copy-text")
    expect(text).to_have_value(re.compile(r"times in Europe/Lisbon:\n\n\w{3} \d+ \w{3}: \d\d:\d\d"))
    page.get_by_test_id("copy-button").click()
    expect(page.get_by_role("status").filter(has_text="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == text.input_value()

    # Sync now: a progress bar, polled until the run is done.
    page.goto(f"{live_server.url}/week/")
    wait_for(organization_synced, 60, what="the organization sync after sign-in")
    page.get_by_test_id("sync-now").click()
    expect(page.get_by_test_id("sync-progress")).to_be_visible()
    expect(page.get_by_test_id("sync-done")).to_be_visible(timeout=SYNC_TIMEOUT_MS)
    expect(page.get_by_test_id("sync-progress")).to_have_count(0)
    expect(page.get_by_test_id("last-synced")).to_have_text("just now")

    phone = new_page(chromium, PHONE)
    sign_in(phone, live_server.url, DEMO_ADMIN_EMAIL)
    expect(phone.locator(".day-list")).to_be_visible()
    shoot(phone, "my-week-phone")


def test_admin_team_page_and_find_a_time(chromium, live_server, worker):
    page = new_page(chromium, DESKTOP)
    sign_in(page, live_server.url, DEMO_ADMIN_EMAIL)
    wait_for(organization_synced, SYNC_TIMEOUT_MS / 1000, what="the organization sync")
    page.get_by_role("link", name="Team").click()
    rows = page.get_by_test_id("member-row")
    expect(rows).to_have_count(8)
    expect(rows.first).to_contain_text(re.compile(r"\d\d:\d\d · (UTC|[A-Za-z_]+/[A-Za-z_/+-]+)"))
    shoot(page, "team-desktop")

    page.get_by_test_id("member-search").fill("souza")
    expect(rows).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=souza"))
    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ana Souza’s week")
    expect(page.get_by_test_id("week-grid")).to_be_visible()

    page.goto(f"{live_server.url}/team/find-a-time/")
    page.get_by_test_id("find-duration").select_option("60")
    page.get_by_test_id("find-k").fill("3")
    page.get_by_test_id("find-submit").click()
    found = page.get_by_test_id("found-slot")
    expect(found.first).to_contain_text(re.compile(r"\d of 8 free"))
    expect(found.first).to_contain_text("Free:")
    expect(page.get_by_test_id("heatmap")).to_be_visible()
    expect(page).to_have_url(re.compile(r"k=3"))

    # Picking members: no list of everyone, a search; what is ticked stays picked.
    page.get_by_test_id("find-all").uncheck()
    search = page.get_by_test_id("member-search")
    search.fill("souza")
    # A ticked match becomes a chip at once (the picker is swapped), so the tick is a click
    # and what it leads to is the chip: check() would look for the tick on a box now gone.
    page.get_by_test_id("member-match").filter(has_text="Ana Souza").get_by_role("checkbox").click()
    expect(page.get_by_test_id("chosen-members")).to_contain_text("Ana Souza")
    search.fill("becker")
    page.get_by_test_id("member-match").filter(has_text="Adam Becker").get_by_role("checkbox").click()
    expect(page.get_by_test_id("chosen-members")).to_contain_text("Adam Becker")
    page.get_by_test_id("find-k").fill("1")
    page.get_by_test_id("find-submit").click()
    expect(page.locator("#find-panel h2").first).to_contain_text("at least 1 of 2 free")
    expect(page).to_have_url(re.compile(r"member=\d+.*member=\d+"))
    page.reload()
    expect(page.get_by_test_id("chosen-members")).to_contain_text("Adam Becker")
    expect(page.get_by_test_id("chosen-members")).to_contain_text("Ana Souza")
    shoot(page, "find-a-time-desktop")

    phone = new_page(chromium, PHONE)
    sign_in(phone, live_server.url, DEMO_ADMIN_EMAIL)
    phone.goto(f"{live_server.url}/team/")
    expect(phone.get_by_test_id("member-row")).to_have_count(8)
    shoot(phone, "team-phone")
    phone.goto(f"{live_server.url}/team/find-a-time/?all=1&duration=30&k=3")
    expect(phone.get_by_test_id("found-slot").first).to_be_visible()
    shoot(phone, "find-a-time-phone")


def test_a_plain_member_is_refused_the_team_page(chromium, live_server, worker):
    page = new_page(chromium, DESKTOP)
    sign_in(page, live_server.url, DEMO_MEMBER_EMAIL)
    expect(page.get_by_test_id("week-grid")).to_be_visible(timeout=SYNC_TIMEOUT_MS)
    expect(page.get_by_role("link", name="Team")).to_have_count(0)
    response = page.goto(f"{live_server.url}/team/")
    assert response.status == 403
    expect(page.get_by_test_id("forbidden-reason")).to_contain_text(
        "The team page is for owners and admins of your Calendly organization; you are a member."
    )
    body = page.content()
    assert "Adam Becker" not in body and "Olivia Owens" not in body
