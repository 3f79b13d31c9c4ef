"""What Calendly's webhooks do since 2024 (api-2026.md §5): `event_type.*` deliveries when
an event type is made, changed or deleted (here through the control endpoints), scoped
by organization, user or group; and a receiver answering 410 Gone has its subscription
deleted at once, without a retry."""

from __future__ import annotations

import json

import pytest

from sandbox.seed import DEMO_ADMIN_EMAIL, DEMO_MEMBER_EMAIL
from sandbox.webhooks import signature
from tests.sandbox.conftest import caller_for
from tests.sandbox.receiver import Receiver
from tests.sandbox.test_webhooks import book_and_cancel
from tests.sandbox_process import SandboxError, running_sandbox, wait_for

EVENT_TYPE_EVENTS = ["event_type.created", "event_type.updated", "event_type.deleted"]


@pytest.fixture(scope="module")
def private():
    """Event types and bookings change data: this module has a sandbox of its own."""
    with running_sandbox() as server:
        yield server


@pytest.fixture
def server(private):
    private.reset_knobs()
    private.reset_stats()
    return private


@pytest.fixture
def receivers():
    made: list[Receiver] = []

    def make(status: int = 200) -> Receiver:
        made.append(Receiver(status))
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()


@pytest.fixture
def subscribe(server):
    created: list[tuple] = []

    def make(caller, url: str, scope: str, events: list[str], **extra) -> dict:
        body = {"url": url, "organization": caller.org, "scope": scope, "events": events,
                "signing_key": "key-2026", **extra}
        response = caller.post("/webhook_subscriptions", body)
        assert response.status_code == 201, response.text
        created.append((caller, response.json()["resource"]["uri"]))
        return response.json()["resource"]

    yield make
    for caller, uri in created:
        caller.delete(uri)


def deliveries(receiver: Receiver, count: int) -> list[dict]:
    got = receiver.wait_for(count)
    assert len(got) == count, [json.loads(body)["event"] for _, body in got]
    for headers, body in got:
        stamp = int(headers["Calendly-Webhook-Signature"].split(",")[0][2:])
        assert headers["Calendly-Webhook-Signature"] == signature("key-2026", body, stamp)
    return [json.loads(body) for _, body in got]


def test_event_type_changes_are_delivered(server, receivers, subscribe, validator_for):
    admin = caller_for(server, DEMO_ADMIN_EMAIL)
    ana = caller_for(server, DEMO_MEMBER_EMAIL)
    check = validator_for(server.url)
    groups = {g["name"]: g["uri"] for g in
              admin.get("/groups", organization=admin.org).json()["collection"]}
    org_hook, ana_hook, sales_hook, support_hook, owner_hook = (receivers() for _ in range(5))
    subscribe(admin, org_hook.url, "organization", EVENT_TYPE_EVENTS)
    subscribe(ana, ana_hook.url, "user", EVENT_TYPE_EVENTS, user=ana.uri)
    subscribe(admin, sales_hook.url, "group", EVENT_TYPE_EVENTS, group=groups["Sales"])
    subscribe(admin, support_hook.url, "group", EVENT_TYPE_EVENTS, group=groups["Support"])
    subscribe(admin, owner_hook.url, "user", ["invitee.created"], user=admin.uri)

    made = server.control("POST", "/event_types", {
        "owner": DEMO_MEMBER_EMAIL, "name": "Quick Sync", "duration": 20})
    assert made["webhooks_queued"] == 3  # organization, Ana's own, her group's
    uri = made["event_type"]["uri"]
    fetched = check(ana.get(uri), 200).json()["resource"]
    changed = server.control("PATCH", f"/event_types/{uri.rsplit('/', 1)[1]}",
                             {"name": "Quick Sync (20)", "active": False})
    assert changed["event_type"]["name"] == "Quick Sync (20)"
    assert check(ana.get(uri), 200).json()["resource"]["updated_at"] > fetched["updated_at"]
    gone = server.control("DELETE", f"/event_types/{uri.rsplit('/', 1)[1]}")
    assert gone["event_type"]["deleted_at"]
    check(ana.get(uri), 404)
    assert uri not in [e["uri"] for e in ana.get("/event_types", user=ana.uri, count=100)
                       .json()["collection"]]

    for receiver in (org_hook, ana_hook, sales_hook):
        got = deliveries(receiver, 3)
        assert [d["event"] for d in got] == EVENT_TYPE_EVENTS
        assert all(d["payload"]["uri"] == uri and "description_html" not in d["payload"]
                   for d in got)
        assert got[0]["payload"] == {k: v for k, v in fetched.items() if k != "description_html"}
        assert got[1]["payload"]["name"] == "Quick Sync (20)" and not got[1]["payload"]["active"]
        assert got[2]["payload"]["deleted_at"] == gone["event_type"]["deleted_at"]
        assert {"event", "created_at", "created_by", "payload"} == set(got[0])
    assert support_hook.received == [] and owner_hook.received == []


def test_event_type_control_endpoints_refuse_bad_input(server):
    for body in ({"name": "x", "duration": 30}, {"owner": DEMO_MEMBER_EMAIL, "duration": 30},
                 {"owner": DEMO_MEMBER_EMAIL, "name": "x", "duration": 0},
                 {"owner": DEMO_MEMBER_EMAIL, "name": "x", "duration": 30, "pooling_type": "x"},
                 {"owner": DEMO_MEMBER_EMAIL, "name": "x", "duration": 30,
                  "hosts": ["member@globex.example"]}):
        with pytest.raises(SandboxError, match=r'^400: \{"error": ') as refused:
            server.control("POST", "/event_types", body)
        assert refused.value.status == 400, body
    for method in ("PATCH", "DELETE"):
        with pytest.raises(SandboxError, match=r"^404: .*unknown event type") as unknown:
            server.control(method, "/event_types/AAAAAAAAAAAAAAAA", {})
        assert unknown.value.status == 404


def test_a_410_deletes_the_subscription_without_retry(server, receivers, validator_for):
    admin = caller_for(server, DEMO_ADMIN_EMAIL)
    check = validator_for(server.url)
    receiver = receivers(410)
    hook = admin.post("/webhook_subscriptions", {
        "url": receiver.url, "organization": admin.org, "scope": "organization",
        "events": ["invitee.created"]}).json()["resource"]
    assert book_and_cancel(server) == 1
    wait_for(lambda: server.stats()["webhooks_gone"] == 1, 10, 0.05, "the subscription deleted")
    check(admin.get(hook["uri"]), 404)
    listed = admin.get("/webhook_subscriptions", organization=admin.org, scope="organization")
    assert hook["uri"] not in [h["uri"] for h in check(listed, 200).json()["collection"]]
    assert book_and_cancel(server) == 0  # nothing matches any more
    stats = server.stats()
    assert [d["status"] for d in stats["webhook_deliveries"]] == [410]
    assert stats["webhooks_disabled"] == 0 and len(receiver.received) == 1
