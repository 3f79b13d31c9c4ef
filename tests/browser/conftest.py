"""A real Chromium (Debian's), driven by Playwright, against the dashboard's live server."""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.accounts.conftest import CLIENT_ID, CLIENT_SECRET, point_dashboard_at
from tests.accounts.oauth_flow import CALLBACK_PATH
from tests.needs import unavailable

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests
# make around it are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    if not CHROMIUM.exists():
        unavailable(f"Chromium not found at {CHROMIUM}: apt-get install chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def live_calendly(sandbox, live_server, settings):
    """The sandbox as the live dashboard's Calendly."""
    sandbox.register_client(
        CLIENT_ID, CLIENT_SECRET, [f"{live_server.url}{CALLBACK_PATH}"], name="Dashboard (browser)"
    )
    point_dashboard_at(settings, sandbox.url)
    # A rate budget of the test's own (the worker gets it too, worker_env): the demo admin's
    # syncs of the tests before must not leave this test's sign-in waiting for the budget.
    settings.CALENDLY_RATE_BUDGET_NAMESPACE = f"browser-{uuid.uuid4().hex[:12]}"
    return sandbox
