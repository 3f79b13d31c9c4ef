"""Webhook subscriptions disabled by hand (control endpoint) and by the sandbox itself after
consecutive failed deliveries, as Calendly disables them; a disabled subscription gets no
more deliveries and the API reports its state."""

from __future__ import annotations

import pytest

from sandbox.seed import DEMO_ADMIN_EMAIL, DEMO_MEMBER_EMAIL
from tests.sandbox.conftest import caller_for
from tests.sandbox.helpers import window
from tests.sandbox.receiver import Receiver
from tests.sandbox_process import SandboxError, running_sandbox, wait_for


@pytest.fixture(scope="module")
def private():
    """Bookings change data: this module books on a sandbox of its own."""
    with running_sandbox() as server:
        yield server


@pytest.fixture
def sandbox_for_hooks(private):
    private.reset_knobs()
    private.reset_stats()
    return private


@pytest.fixture
def check_response_private(validator_for, private):
    return validator_for(private.url)


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def admin(sandbox_for_hooks):
    return caller_for(sandbox_for_hooks, DEMO_ADMIN_EMAIL)


@pytest.fixture
def hook(admin, receiver):
    """An organization subscription of `receiver`, deleted afterwards."""
    created = admin.post("/webhook_subscriptions", {
        "url": receiver.url, "organization": admin.org, "scope": "organization",
        "events": ["invitee.created", "invitee.canceled"]}).json()["resource"]
    yield created
    admin.delete(created["uri"])


def book_and_cancel(server, times: int = 1) -> int:
    """Book the member's 30-minute meeting `times` times and cancel each booking again:
    two webhook events per round. Returns how many deliveries were queued."""
    member = caller_for(server, DEMO_MEMBER_EMAIL)
    meeting = next(e for e in member.get("/event_types", user=member.uri).json()["collection"]
                   if e["name"] == "30 Minute Meeting")
    slots = member.get("/event_type_available_times", event_type=meeting["uri"],
                       **window(days=7)).json()["collection"]
    queued = 0
    for slot in slots[:times]:
        booked = server.book(meeting["uri"], slot["start_time"])
        queued += booked["webhooks_queued"]
        queued += server.cancel(booked["event"]["uri"])["webhooks_queued"]
    return queued


def settled(server) -> int:
    """Deliveries sent or dropped so far."""
    stats = server.stats()
    return len(stats["webhook_deliveries"]) + stats["webhooks_dropped"]


def test_disable_by_control_endpoint(sandbox_for_hooks, admin, receiver, hook,
                                     check_response_private):
    server = sandbox_for_hooks
    disabled = server.disable_webhook(hook["uri"])
    assert disabled["uri"] == hook["uri"] and disabled["state"] == "disabled"
    assert disabled["updated_at"] >= hook["updated_at"]
    assert server.disable_webhook(hook["uri"].rsplit("/", 1)[-1])["state"] == "disabled"

    got = check_response_private(admin.get(hook["uri"]), 200).json()["resource"]
    assert got["state"] == "disabled"
    listed = check_response_private(admin.get("/webhook_subscriptions", organization=admin.org,
                                              scope="organization"), 200).json()["collection"]
    assert [h["state"] for h in listed if h["uri"] == hook["uri"]] == ["disabled"]

    # Nothing is queued for it, so nothing can arrive later: no wait to prove it.
    assert book_and_cancel(server) == 0
    assert receiver.received == [] and server.stats()["webhook_deliveries"] == []
    with pytest.raises(SandboxError, match=r"^404: .*unknown webhook subscription") as unknown:
        server.disable_webhook("AAAAAAAAAAAAAAAA")
    assert unknown.value.status == 404


def test_consecutive_failures_disable_a_subscription(sandbox_for_hooks, admin, receiver, hook,
                                                     check_response_private):
    server = sandbox_for_hooks
    server.configure(webhook_disable_after=3)
    receiver.status = 500
    receiver.gate.clear()  # the first delivery waits: all six are queued behind it
    queued = book_and_cancel(server, times=3)
    receiver.gate.set()
    assert queued == 6
    wait_for(lambda: settled(server) == queued, 10, 0.05)
    stats = server.stats()
    assert [d["status"] for d in stats["webhook_deliveries"]] == [500, 500, 500]
    assert stats["webhooks_dropped"] == 3  # queued before it was disabled, never sent
    assert stats["webhooks_disabled"] == 1 and len(receiver.received) == 3
    resource = check_response_private(admin.get(hook["uri"]), 200).json()["resource"]
    assert resource["state"] == "disabled" and resource["retry_started_at"] is not None


def test_a_success_ends_the_run_of_failures(sandbox_for_hooks, admin, receiver):
    server = sandbox_for_hooks
    server.configure(webhook_disable_after=2)
    created_only = admin.post("/webhook_subscriptions", {
        "url": receiver.url, "organization": admin.org, "scope": "organization",
        "events": ["invitee.created"]}).json()["resource"]  # one delivery per booking
    try:
        for round_, status in enumerate((500, 200, 500), start=1):
            receiver.status = status
            book_and_cancel(server)
            wait_for(lambda n=round_: len(server.stats()["webhook_deliveries"]) == n, 10, 0.05)
            resource = admin.get(created_only["uri"]).json()["resource"]
            assert resource["state"] == "active"  # never two failures in a row
            assert (resource["retry_started_at"] is None) == (status == 200)
    finally:
        admin.delete(created_only["uri"])


def test_zero_never_disables(sandbox_for_hooks, admin, receiver, hook):
    server = sandbox_for_hooks
    server.configure(webhook_disable_after=0)
    receiver.status = 500
    book_and_cancel(server, times=2)
    wait_for(lambda: len(server.stats()["webhook_deliveries"]) == 4, 10, 0.05)
    assert admin.get(hook["uri"]).json()["resource"]["state"] == "active"
    assert server.stats()["webhooks_disabled"] == 0


def test_the_knob_defaults_to_ten_and_refuses_negatives(sandbox):
    assert sandbox.configure()["webhook_disable_after"] == 10
    with pytest.raises(SandboxError, match=r"^400: .*must not be negative"):
        sandbox.configure(webhook_disable_after=-1)


def test_an_app_without_the_event_familys_read_scope_receives_nothing(sandbox_for_hooks,
                                                                      receiver):
    """api-2026.md §1.1: receiving an event takes its family's read scope as well."""
    server = sandbox_for_hooks
    base = ["users:read", "organizations:read", "event_types:read", "webhooks:write"]
    subscriptions = []
    for scopes in (base, [*base, "scheduled_events:read"]):
        caller = caller_for(server, DEMO_ADMIN_EMAIL, scopes=scopes)
        created = caller.post("/webhook_subscriptions", {
            "url": f"{receiver.url}?scopes={len(scopes)}", "organization": caller.org,
            "scope": "organization", "events": ["invitee.created", "event_type.updated"],
        })
        assert created.status_code == 201, created.text
        subscriptions.append((caller, created.json()["resource"]))
    try:
        # One booking: only the app that may read scheduled events is told of it.
        member = caller_for(server, DEMO_MEMBER_EMAIL)
        meeting = next(e for e in member.get("/event_types", user=member.uri).json()["collection"]
                       if e["name"] == "30 Minute Meeting")
        slot = member.get("/event_type_available_times", event_type=meeting["uri"],
                          **window(days=7)).json()["collection"][0]
        assert server.book(meeting["uri"], slot["start_time"])["webhooks_queued"] == 1
        # Both may read event types: both hear of a change to one.
        changed = server.control("PATCH", f"/event_types/{meeting['uri'].rsplit('/', 1)[1]}",
                                 {"name": "30 Minute Meeting"})
        assert changed["webhooks_queued"] == 2
    finally:
        for caller, created in subscriptions:
            caller.delete(created["uri"])


def test_deliveries_go_to_the_connect_to_origin_with_the_callback_urls_host(receiver):
    """The compose demo's case: the callback URL names the browser's address, which the
    sandbox's container cannot reach; deliveries go to the web service, Host kept."""
    origin = receiver.url.removesuffix("/hooks")
    with running_sandbox(webhook_connect_to=origin) as server:
        admin = caller_for(server, DEMO_ADMIN_EMAIL)
        admin.post("/webhook_subscriptions", {
            "url": "http://127.0.0.1:9/webhooks/calendly/?from=demo", "organization": admin.org,
            "scope": "organization", "events": ["invitee.created", "invitee.canceled"]})
        assert book_and_cancel(server) == 2
        [(headers, _), _] = receiver.wait_for(2)
    assert receiver.paths == ["/webhooks/calendly/?from=demo"] * 2
    assert headers["Host"] == "127.0.0.1:9"
