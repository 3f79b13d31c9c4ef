"""Keyset pagination: a 2,000-member organization walked forward and back, and a walk
that sees each row exactly once while rows are added between pages."""

from __future__ import annotations

import pytest
import requests

from sandbox.testing import running_sandbox
from tests.sandbox.conftest import caller_for

LARGE = 2000


@pytest.fixture(scope="module")
def large():
    with running_sandbox(large_org_members=LARGE) as server:
        yield server


def walk(caller, url: str, link: str, **params) -> list[dict]:
    """Follow `link` ("next_page" or "previous_page") from `url` to the end; pages in order."""
    pages = []
    response = caller.get(url, **params)
    while True:
        assert response.status_code == 200, response.text
        pages.append(response.json())
        following = pages[-1]["pagination"][link]
        if not following:
            return pages
        response = caller.get(following)


def test_large_organization_starts_in_a_few_seconds(large):
    assert large.startup_seconds < 10
    assert large.health()["users"] == LARGE + 10


def test_2000_memberships_walked_with_count_100_each_exactly_once(large):
    owner = caller_for(large, "user00000@large.example")
    pages = walk(owner, "/organization_memberships", "next_page", organization=owner.org,
                 count=100)
    uris = [m["uri"] for page in pages for m in page["collection"]]
    assert len(pages) == LARGE // 100 and all(p["pagination"]["count"] == 100 for p in pages)
    assert len(uris) == len(set(uris)) == LARGE
    assert pages[0]["pagination"]["previous_page"] is None
    assert pages[-1]["pagination"]["next_page_token"] is None

    back = walk(owner, pages[-1]["pagination"]["previous_page"], "previous_page")
    back_uris = [m["uri"] for page in reversed(back) for m in page["collection"]]
    assert back_uris == uris[: len(back_uris)] and len(back_uris) == LARGE - 100


def test_the_next_page_url_keeps_filters_and_count(large):
    owner = caller_for(large, "user00000@large.example")
    first = owner.get("/organization_memberships", organization=owner.org, count=7).json()
    link = first["pagination"]["next_page"]
    assert "count=7" in link and "organization=" in link and link.startswith(large.url)
    assert len(requests.get(link, headers=owner.headers, timeout=5).json()["collection"]) == 7


def test_rows_added_between_pages_are_seen_once(admin):
    hooks = []
    try:
        for index in range(5):
            hooks.append(admin.post("/webhook_subscriptions", _hook(admin, index)).json())
        seen, response = [], admin.get("/webhook_subscriptions", organization=admin.org,
                                       scope="organization", count=2)
        while True:
            page = response.json()
            seen += [h["uri"] for h in page["collection"]]
            hooks.append(admin.post("/webhook_subscriptions", _hook(admin, len(hooks))).json())
            if not page["pagination"]["next_page"] or len(hooks) > 30:
                break
            response = admin.get(page["pagination"]["next_page"])
        assert len(seen) == len(set(seen))
        assert {h["resource"]["uri"] for h in hooks[:5]} <= set(seen)
    finally:
        for hook in hooks:
            admin.delete(hook["resource"]["uri"])


def _hook(admin, index: int) -> dict:
    return {"url": f"http://127.0.0.1:9/hook-{index}", "events": ["invitee.created"],
            "organization": admin.org, "scope": "organization"}
