"""The team page narrowed to a Calendly group in a real browser: the admin signs in, the
organization sync stores its groups, and one click on "Sales" leaves Sales' members alone;
Hours keeps the group. Screenshots (var/screenshots/, docs/screenshots.md):
team-filtered-by-group-desktop.png, team-filtered-by-group-phone.png."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.models import CalendlyCredential
from availability.models import Group, SyncRun
from sandbox.seed import DEMO_ADMIN_EMAIL
from sync import runs
from tests.availability.test_sync_live import inline
from tests.browser.test_calendar_browser import (
    DESKTOP,
    PHONE,
    fresh_tab,
    new_page,
    shoot,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport,label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_one_click_narrows_the_team_to_a_group(chromium, live_server, live_calendly,
                                               viewport, label):
    page = new_page(chromium, viewport)
    sign_in(page, live_server.url, DEMO_ADMIN_EMAIL)
    credential = CalendlyCredential.objects.get()
    assert runs.sync_user(credential.pk).status == SyncRun.Status.SUCCEEDED
    org = credential.organization_uri
    assert runs.sync_organization(org, inline).status == SyncRun.Status.SUCCEEDED
    sales = Group.objects.get(name="Sales")
    names = sorted(sales.members.values_list("name", flat=True))
    assert len(names) >= 2

    page = fresh_tab(page)
    page.goto(f"{live_server.url}/team/")
    rows = page.get_by_test_id("member-row")
    everyone = rows.count()
    assert everyone > len(names)
    sets = page.get_by_test_id("people-sets")
    sets.get_by_role("link", name=f"Sales ({len(names)})").click()
    expect(page.get_by_test_id("among-note")).to_contain_text("the group Sales")
    expect(rows).to_have_count(len(names))
    assert sorted(rows.locator(".member-name").all_inner_texts()) == names
    expect(sets.get_by_role("link", name=f"Sales ({len(names)})")).to_have_attribute(
        "aria-current", "true")
    assert "among=group-" in page.url  # pushed: a reload or a shared link keeps the group
    shoot(page, f"team-filtered-by-group-{label}")

    page.get_by_role("navigation", name="Team pages").get_by_role("link", name="Hours").click()
    expect(page.get_by_test_id("hours-row")).to_have_count(len(names))
    page.get_by_test_id("people-sets").get_by_role("link", name="Everyone").click()
    expect(page.get_by_test_id("hours-row")).to_have_count(everyone)

    # Find a time: everyone in Sales, in one click, and nobody else compared.
    page.get_by_role("navigation", name="Team pages").get_by_role("link",
                                                                    name="Find a time").click()
    page.get_by_test_id("people-sets").get_by_role("link", name=f"Sales ({len(names)})").click()
    expect(page.get_by_test_id("find-span").locator("..")).to_contain_text(
        re.compile(rf"(all|of) {len(names)} free"))
    expect(page.get_by_test_id("find-all")).not_to_be_checked()
    shoot(page, f"find-a-time-by-group-{label}")
