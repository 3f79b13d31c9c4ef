"""A person whose Calendly app lacks scopes, in a real browser: the connection page marks
the missing scopes and says what to enable and to reconnect, and My week says the same
once a sync has met the refusal. Screenshots (var/screenshots/, docs/screenshots.md):
connection-missing-scope-desktop.png and -phone.png, my-week-missing-scope-desktop.png."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from accounts.models import CalendlyCredential
from availability.models import SyncRun
from sandbox.seed import DEMO_MEMBER_EMAIL
from sync import runs
from tests.accounts.conftest import CLIENT_ID, CLIENT_SECRET, point_dashboard_at
from tests.accounts.oauth_flow import CALLBACK_PATH
from tests.browser.test_calendar_browser import DESKTOP, PHONE, new_page, shoot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LEFT_OUT = ("availability:read", "webhooks:write")


@pytest.fixture
def app_missing_scopes(sandbox, live_server, settings):
    granted = [s for s in django_settings.CALENDLY_WANTED_SCOPES if s not in LEFT_OUT]
    sandbox.register_client(
        CLIENT_ID,
        CLIENT_SECRET,
        [f"{live_server.url}{CALLBACK_PATH}"],
        name="Dashboard (browser, missing scopes)",
        scopes=granted,
    )
    point_dashboard_at(settings, sandbox.url)
    settings.PUBLIC_BASE_URL = live_server.url
    return sandbox


def test_the_connection_page_and_my_week_of_an_app_missing_scopes(
    chromium, live_server, app_missing_scopes
):
    page = new_page(chromium, DESKTOP)
    sign_in(page, live_server.url, DEMO_MEMBER_EMAIL)
    page.get_by_role("link", name="Calendly connection").click()

    table = page.get_by_test_id("scopes")
    for name in django_settings.CALENDLY_WANTED_SCOPES:
        expected = "missing" if name in LEFT_OUT else "granted"
        expect(table.locator(f'tr[data-scope="{name}"]')).to_contain_text(expected)
    notice = page.get_by_test_id("scopes-missing")
    expect(notice).to_contain_text("missing availability:read, webhooks:write")
    expect(notice).to_contain_text("then reconnect")
    expect(notice.get_by_role("button", name="Reconnect Calendly")).to_be_visible()
    expect(page.get_by_test_id("connection-updates")).to_contain_text("Polling only")
    expect(page.get_by_test_id("connection-groups")).to_have_text("Available.")
    shoot(page, "connection-missing-scope-desktop")

    phone = new_page(chromium, PHONE)
    phone.context.add_cookies(page.context.cookies())
    phone.goto(page.url)
    expect(phone.get_by_test_id("scopes-missing")).to_be_visible()
    no_sideways = "document.documentElement.scrollWidth <= window.innerWidth"
    assert phone.evaluate(no_sideways), "the connection page scrolls sideways on a phone"
    shoot(phone, "connection-missing-scope-phone")

    # A sync (run here rather than by a worker) meets the refusal; My week says what to do.
    credential = CalendlyCredential.objects.get()
    run = SyncRun.objects.get(pk=runs.sync_user(credential.pk).run_id)
    assert run.missing_scopes == [["availability:read"]]
    page.goto(f"{live_server.url}/week/")
    error = page.get_by_test_id("sync-error")
    expect(error).to_contain_text("missing the scope availability:read")
    expect(error).to_contain_text("then reconnect")
    shoot(page, "my-week-missing-scope-desktop")
