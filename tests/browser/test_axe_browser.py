"""Every page in a real Chromium, checked by axe-core at 1366 and 390 px (issue #20): no
serious or critical finding, as the demo admin and as a plain member, on data the worker
synced from the sandbox. Each page is also shot at both widths (docs/screenshots.md).

The findings of every page are gathered and said together, so one run lists them all.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from availability.models import CalendlyUser, EventType
from sandbox.seed import DEMO_ADMIN_EMAIL, DEMO_MEMBER_EMAIL
from tests.browser.axe import axe_context, describe, violations
from tests.browser.test_calendar_browser import (
    SYNC_TIMEOUT_MS,
    organization_synced,
    shoot,
    sign_in,
    worker,  # noqa: F401 - the fixture
)
from tests.workers import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {1366: {"width": 1366, "height": 900}, 390: {"width": 390, "height": 844}}


def _check(page, base: str, name: str, path: str, ready: str, status: int, found: list[str]):
    """Opens ``path`` at each width, waits for ``ready`` (a test id), checks it with axe and
    shoots it as issue20-a11y-<name>-<width>."""
    for width, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        response = page.goto(f"{base}{path}")
        assert response.status == status, (name, path, response.status)
        expect(page.locator(ready).first).to_be_visible()
        found += describe(f"{name} at {width} px", violations(page))
        shoot(page, f"issue20-a11y-{name}-{width}")


def _member_week_path() -> str:
    return f"/week/{CalendlyUser.objects.get(email=DEMO_MEMBER_EMAIL).pk}/"


def _copy_times_path() -> str:
    admin = CalendlyUser.objects.get(email=DEMO_ADMIN_EMAIL)
    event_type = EventType.objects.filter(owner=admin, active=True).order_by("pk").first()
    return f"/week/copy-times/?event_type={event_type.pk}&n=5&tz=UTC"


def test_every_page_of_an_admin_passes_axe_at_both_widths(chromium, live_server, worker):  # noqa: F811
    context = axe_context(chromium, WIDTHS[1366])
    page = context.new_page()
    page.set_default_timeout(20_000)
    base, found = live_server.url, []
    _check(page, base, "landing", "/", "main h1", 200, found)
    page.set_viewport_size(WIDTHS[1366])
    sign_in(page, base, DEMO_ADMIN_EMAIL)
    expect(page.get_by_test_id("week-grid")).to_be_visible(timeout=SYNC_TIMEOUT_MS)
    wait_for(organization_synced, SYNC_TIMEOUT_MS / 1000, what="the organization sync")
    pages = [
        ("my-week", "/week/", "[data-testid=totals]", 200),
        ("member-week", _member_week_path(), "[data-testid=totals]", 200),
        ("copy-times", _copy_times_path(), "[data-testid=copy-text]", 200),
        ("connection", "/settings/connection/", "main h1", 200),
        ("team", "/team/", "[data-testid=member-row]", 200),
        ("hours", "/team/hours/", "main table", 200),
        ("find-a-time", "/team/find-a-time/?all=1&duration=30&k=3", "[data-testid=heatmap]", 200),
        ("bad-week", "/week/?week=garbage", "[data-testid=week-error]", 200),
        ("team-bad-zone", "/team/?tz=Mars/Olympus", "[data-testid=zone-error]", 200),
        ("copy-times-missing", "/week/copy-times/", "main h1", 400),
        ("not-found", "/no-such-page/", "h1", 404),
        ("member-not-found", "/week/999999/", "h1", 404),
    ]
    for name, path, ready, status in pages:
        _check(page, base, name, path, ready, status, found)
    context.close()
    assert not found, "axe-core found:\n" + "\n".join(found)


def test_every_page_of_a_plain_member_passes_axe_at_both_widths(chromium, live_server, worker):  # noqa: F811
    context = axe_context(chromium, WIDTHS[1366])
    page = context.new_page()
    page.set_default_timeout(20_000)
    base, found = live_server.url, []
    sign_in(page, base, DEMO_MEMBER_EMAIL)
    expect(page.get_by_test_id("week-grid")).to_be_visible(timeout=SYNC_TIMEOUT_MS)
    pages = [
        ("member-my-week", "/week/", "[data-testid=totals]", 200),
        ("member-connection", "/settings/connection/", "main h1", 200),
        ("forbidden", "/team/", "[data-testid=forbidden]", 403),
    ]
    for name, path, ready, status in pages:
        _check(page, base, name, path, ready, status, found)
    context.close()
    assert not found, "axe-core found:\n" + "\n".join(found)
