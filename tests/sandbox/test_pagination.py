"""Keyset pagination: a 2,000-member organization (its members, event types and some
30,000 scheduled events) walked forward and back, and a walk that sees each row exactly
once while rows are added between pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests

from tests.sandbox.conftest import caller_for
from tests.sandbox.helpers import parse, stamp, utc_in, window
from tests.sandbox_process import running_sandbox

LARGE = 2000


@pytest.fixture(scope="module")
def large():
    # Seeding 2,000 members and their events takes seconds alone, many more on a loaded
    # machine; how long it takes is printed by `make bench`, never asserted.
    with running_sandbox(start_timeout=120, large_org_members=LARGE) as server:
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


def test_large_organization_is_seeded_whole(large):
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


def test_the_large_organizations_events_walked_both_ways_match_the_dump(large):
    admin = caller_for(large, "user00001@large.example")
    dump = large.dump()
    members = {m["user"]["uri"] for m in dump["memberships"] if m["organization"] == admin.org}
    low, high = utc_in(days=7), utc_in(days=14)
    events = [(e["start_time"], e["uri"], e["status"]) for e in dump["scheduled_events"]
              if e["event_memberships"][0]["user"] in members
              and low <= parse(e["start_time"]) < high]
    ascending = sorted(events)
    descending = sorted(sorted(events, key=lambda e: e[1]), key=lambda e: e[0], reverse=True)
    assert len(events) > 5000

    window_params = {"organization": admin.org, "min_start_time": stamp(low),
                     "max_start_time": stamp(high), "count": 100}
    pages = walk(admin, "/scheduled_events", "next_page", **window_params)
    assert [_row(e) for page in pages for e in page["collection"]] == ascending
    back = walk(admin, pages[-1]["pagination"]["previous_page"], "previous_page")
    assert [_row(e) for page in reversed(back) for e in page["collection"]] == \
        ascending[:len(ascending) - pages[-1]["pagination"]["count"]]
    newest_first = walk(admin, "/scheduled_events", "next_page", status="active",
                        sort="start_time:desc", **window_params)
    assert [_row(e) for page in newest_first for e in page["collection"]] == \
        [e for e in descending if e[2] == "active"]


def test_a_booking_and_its_cancellation_show_in_a_large_list_at_once(large):
    admin = caller_for(large, "user00001@large.example")
    member = next(m["user"]["uri"] for m in admin.get(
        "/organization_memberships", organization=admin.org, email="user00002@large.example"
    ).json()["collection"])
    event_type = admin.get("/event_types", user=member, count=5).json()["collection"][0]
    start = admin.get("/event_type_available_times", event_type=event_type["uri"],
                      **window(days=7, start_in_hours=48)).json()["collection"][0]["start_time"]
    around = {"organization": admin.org, "min_start_time": start,
              "max_start_time": stamp(parse(start) + timedelta(seconds=1)), "count": 100}
    before = {e["uri"] for e in admin.get("/scheduled_events", **around).json()["collection"]}
    booked = large.book(event_type["uri"], start)["event"]["uri"]
    try:
        after = admin.get("/scheduled_events", **around).json()["collection"]
        assert {e["uri"] for e in after} == before | {booked}
    finally:
        large.cancel(booked)
    canceled = admin.get("/scheduled_events", status="canceled", **around).json()
    assert booked in {e["uri"] for e in canceled["collection"]}
    active = admin.get("/scheduled_events", status="active", **around).json()
    assert booked not in {e["uri"] for e in active["collection"]}


def _row(event: dict) -> tuple[str, str, str]:
    return event["start_time"], event["uri"], event["status"]


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
