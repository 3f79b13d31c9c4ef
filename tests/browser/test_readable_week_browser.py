"""Issue #20 in a real Chromium: overlapping blocks side by side, the keyboard path (skip
links, the grid as one tab stop moved through by arrow keys, focus kept on Next after the
swap, a zone typed in lowercase and applied on Enter), and the team page's rows. Takes
the screenshots of these pages at 1366 and 390 px (docs/screenshots.md)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from availability.models import BusyBlock, CalendlyUser
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


def _overlap_a_booking() -> bool:
    """An external block around the admin's first booking ahead, as Calendly reports one
    under a booking; False when the synced week holds no booking ahead."""
    admin = CalendlyUser.objects.get(email=DEMO_ADMIN_EMAIL)
    booking = (
        BusyBlock.objects.filter(user=admin, type="calendly", start__gt=timezone.now())
        .order_by("start")
        .first()
    )
    if booking is None:
        return False
    BusyBlock.objects.create(
        user=admin,
        type="external",
        start=booking.start - timedelta(minutes=30),
        end=booking.end + timedelta(minutes=30),
        synced_at=timezone.now(),
    )
    return True


def _focused(page, attribute: str) -> str | None:
    return page.evaluate(
        f"document.activeElement && document.activeElement.getAttribute('{attribute}')"
    )


def _focused_block(page) -> list[str] | None:
    """The focused block as its day's label and its own: past days say the same words
    ("Past, 08:00–16:00") on every day, so the block's label alone names no one block."""
    return page.evaluate(
        "(() => { const el = document.activeElement; const day = el && el.closest('g.day');"
        " return day && [day.getAttribute('aria-label'), el.getAttribute('aria-label')]; })()"
    )


def test_readable_week_and_keyboard_path(chromium, live_server, worker):  # noqa: F811
    page = new_page(chromium, WIDE)
    sign_in(page, live_server.url, DEMO_ADMIN_EMAIL)
    grid = page.get_by_test_id("week-grid")
    expect(grid).to_be_visible(timeout=SYNC_TIMEOUT_MS)
    wait_for(organization_synced, SYNC_TIMEOUT_MS / 1000, what="the organization sync")

    # Blocks that overlap share their column side by side: none is drawn over another.
    if _overlap_a_booking():
        page.goto(page.url)
        boxes = page.locator("g.blk:not(.blk-override) > rect.shape").evaluate_all(
            "els => els.map(e => [e.closest('g.day').getAttribute('aria-label'),"
            " +e.getAttribute('x'), +e.getAttribute('y'), +e.getAttribute('width'),"
            " +e.getAttribute('height')])"
        )
        for i, (day, x, y, w, h) in enumerate(boxes):
            for other_day, ox, oy, ow, oh in boxes[i + 1 :]:
                overlaps = x < ox + ow and ox < x + w and y < oy + oh and oy < y + h
                assert not (day == other_day and overlaps), (day, x, y, ox, oy)
    expect(page.get_by_test_id("totals-note")).to_contain_text("outside working hours")
    shoot(page, "issue20-my-week-1366")

    # One tab stop for the grid; the skip link lands on it, arrows move on, Tab leaves.
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to the week grid")
    page.keyboard.press("Enter")
    first = _focused_block(page)
    assert first and first[1] and _focused(page, "tabindex") == "0"
    page.keyboard.press("ArrowDown")
    second = _focused_block(page)
    assert second and second[1] and second != first
    assert page.locator('svg.week-grid g.blk[tabindex="0"]').count() == 1
    page.keyboard.press("Tab")
    assert page.evaluate("!document.activeElement.closest('svg.week-grid')")

    # Next → by keyboard: the panel is swapped and focus is still on Next.
    title = page.get_by_test_id("week-title").inner_text()
    page.get_by_test_id("next-week").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("week-title")).not_to_have_text(title)
    expect(page.get_by_test_id("next-week")).to_be_focused()

    # A zone typed in lowercase, applied on Enter; focus stays in the field.
    zone = page.get_by_test_id("zone-input")
    zone.fill("utc")
    expect(page.get_by_test_id("display-zone")).not_to_have_text("UTC")  # not yet applied
    zone.press("Enter")
    expect(page.get_by_test_id("display-zone")).to_have_text("UTC")
    expect(page.get_by_test_id("zone-input")).to_be_focused()
    expect(page.get_by_test_id("zone-reset")).to_be_visible()

    page.goto(f"{live_server.url}/team/")
    rows = page.get_by_test_id("member-row")
    expect(rows).to_have_count(8)
    expect(page.get_by_test_id("connection").first).to_contain_text(
        re.compile(r"(Signed in|Read with an admin’s access|Not readable)")
    )
    expect(page.get_by_test_id("freshness").first).to_contain_text(re.compile(r"updated|not read"))
    expect(page.locator(".cell-bar path title").first).to_have_text(
        re.compile(r"^(Past|Busy|Free) \S+–\S+$")
    )
    expect(page.get_by_test_id("day-pager")).to_be_hidden()  # all seven days on a wide screen
    shoot(page, "issue20-team-1366")
    # The team page's zone control is My week's: a zone typed in any case and Enter redraw
    # the rows in it, each member's own time beside them; the reset goes back to Adam's
    # Calendly zone. UTC again after, for what follows.
    expect(page.get_by_test_id("display-zone")).to_have_text("UTC")  # chosen on My week
    expect(page.get_by_test_id("member-time").first).to_have_text(re.compile(r"^\S+ · \S+$"))
    page.get_by_test_id("zone-input").fill("asia/tokyo")
    page.get_by_test_id("zone-input").press("Enter")
    expect(page.get_by_test_id("display-zone")).to_have_text("Asia/Tokyo")
    expect(page).to_have_url(re.compile(r"tz=asia%2Ftokyo"))
    page.get_by_test_id("zone-reset").click()
    expect(page.get_by_test_id("display-zone")).to_have_text("Europe/Berlin")
    expect(page.get_by_test_id("zone-reset")).to_have_count(0)
    page.get_by_test_id("zone-input").fill("UTC")
    page.get_by_test_id("zone-input").press("Enter")
    expect(page.get_by_test_id("display-zone")).to_have_text("UTC")
    # Find a time: "at least 99" of 8 says so; Show more by keyboard lists twelve more.
    page.goto(f"{live_server.url}/team/find-a-time/?all=1&duration=30&k=99")
    expect(page.get_by_test_id("team-zone")).to_have_text("UTC")  # chosen on My week
    expect(page.get_by_test_id("find-k-too-many")).to_contain_text("only 8 people")
    expect(
        page.get_by_test_id("found-slots").or_(page.get_by_test_id("found-none"))
    ).to_be_visible()
    page.goto(f"{live_server.url}/team/find-a-time/?all=1&duration=30&k=2")
    found = page.get_by_test_id("found-slot")
    expect(found).to_have_count(12)
    page.get_by_test_id("find-more").focus()
    page.keyboard.press("Enter")
    expect(found).to_have_count(24)
    expect(page.get_by_test_id("find-more")).to_be_focused()
    shoot(page, "issue20-find-a-time-1366")
    page.get_by_test_id("find-all").uncheck()
    page.get_by_test_id("find-submit").click()
    expect(page.get_by_test_id("find-nobody")).to_be_visible()
    expect(found).to_have_count(0)
    # A member ticked among the matches becomes a chip at once, the focus on it.
    page.get_by_test_id("member-search").fill("souza")
    match = page.get_by_test_id("member-match").filter(has_text="Ana Souza")
    # The tick swaps the picker (the match becomes a chip), so it is a click and what it
    # leads to is awaited: check() would look for the tick on a box now gone.
    match.get_by_role("checkbox").click()
    expect(page.get_by_test_id("chosen-members")).to_contain_text("Ana Souza")
    expect(match).to_have_count(0)
    expect(page.get_by_test_id("chosen-members").get_by_role("checkbox")).to_be_focused()

    # Copy times: by day, one link.
    page.goto(f"{live_server.url}/week/")
    page.get_by_test_id("event-type-select").select_option(index=1)
    page.locator("#copy-tz").fill("utc")
    page.get_by_test_id("copy-get").click()
    text = page.get_by_test_id("copy-text")
    expect(text).to_have_value(re.compile(r"times in UTC:\n\n\w{3} \d+ \w{3}: "))
    assert text.input_value().count("http") == 1
    shoot(page, "issue20-copy-times-1366")

    phone = new_page(chromium, PHONE)
    sign_in(phone, live_server.url, DEMO_ADMIN_EMAIL)
    expect(phone.locator(".day-list")).to_be_visible()
    phone.keyboard.press("Tab")
    phone.keyboard.press("Enter")  # the skip link to the grid: the day list, on a phone
    expect(phone.locator("#week-days")).to_be_focused()
    shoot(phone, "issue20-my-week-390")
    phone.goto(f"{live_server.url}/team/")
    expect(phone.get_by_test_id("member-row")).to_have_count(8)
    # One day at a time on a phone, paged through; the table no longer scrolls sideways.
    shown = phone.get_by_test_id("day-shown").inner_text()
    expect(phone.locator(".team-table thead th:visible")).to_have_count(3)
    pager = phone.get_by_test_id("day-next").or_(phone.get_by_test_id("day-previous")).first
    pager.click()
    expect(phone.get_by_test_id("day-shown")).not_to_have_text(shown)
    expect(phone.locator(".team-table thead th:visible")).to_have_count(3)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shoot(phone, "issue20-team-390")
    phone.goto(f"{live_server.url}/team/find-a-time/?all=1&duration=30&k=99")
    expect(phone.get_by_test_id("find-k-too-many")).to_be_visible()
    shoot(phone, "issue20-find-a-time-390")
