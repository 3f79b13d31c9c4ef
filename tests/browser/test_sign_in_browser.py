"""Sign in with Calendly in a real browser: home, the sandbox's consent page, the dashboard."""

import re

import pytest
from playwright.sync_api import expect

from sandbox.seed import DEMO_ADMIN_EMAIL

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_round_trip_in_a_browser(page, live_server, live_calendly):
    page.goto(live_server.url)
    page.get_by_role("button", name="Sign in with Calendly").click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(live_calendly.url)}/oauth/authorize"))
    page.get_by_label("Calendly user").select_option(DEMO_ADMIN_EMAIL)
    page.get_by_role("button", name="Allow").click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/"))
    expect(page.get_by_test_id("profile-name")).to_have_text("Adam Becker")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_deny_returns_to_the_home_page_with_a_clear_message(page, live_server, live_calendly):
    page.goto(live_server.url)
    page.get_by_role("button", name="Sign in with Calendly").click()
    page.get_by_role("button", name="Deny").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("status")).to_contain_text("You declined access on Calendly")
    expect(page.get_by_role("button", name="Sign in with Calendly")).to_be_visible()
