"""Consistency of busy and available times: no available slot meets a busy block, slots lie
in working hours (across a daylight-saving change too), and a booking made through the
sandbox removes its slot, adds a busy block and fires signed webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openapi_schema_validator import OAS30Validator

from sandbox.seed import DEMO_ADMIN_EMAIL, DEMO_MEMBER_EMAIL, DEMO_OWNER_EMAIL
from tests.sandbox.conftest import caller_for
from tests.sandbox.helpers import parse, stamp, utc_in, window
from tests.sandbox.receiver import Receiver
from tests.sandbox_process import SandboxError, running_sandbox

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def overlaps(start: datetime, end: datetime, block: dict) -> bool:
    return parse(block.get("buffered_start_time", block["start_time"])) < end and \
        parse(block.get("buffered_end_time", block["end_time"])) > start


def in_schedule(schedule: dict, start: datetime, end: datetime) -> bool:
    """The slot lies in one interval of the rule of its local day (override first)."""
    zone = ZoneInfo(schedule["timezone"])
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    day = local_start.date()
    rules = [r for r in schedule["rules"] if r.get("date") == day.isoformat()] or \
        [r for r in schedule["rules"] if r.get("wday") == WEEKDAYS[day.weekday()]]
    begin, finish = local_start.strftime("%H:%M"), local_end.strftime("%H:%M")
    return local_end.date() == day and any(i["from"] <= begin and finish <= i["to"]
                                           for r in rules for i in r["intervals"])


def test_no_available_slot_overlaps_a_busy_block(sandbox):
    admin = caller_for(sandbox, DEMO_ADMIN_EMAIL)
    dump = sandbox.dump()
    span = window(days=7)
    start, end = parse(span["start_time"]), parse(span["end_time"])
    busy, schedules = {}, {}
    for user in [u["uri"] for u in dump["users"] if u["current_organization"] == admin.org]:
        busy[user] = admin.get("/user_busy_times", user=user, **span).json()["collection"]
        schedules[user] = admin.get("/user_availability_schedules", user=user).json()["collection"]
    checked = 0
    for event_type in [e for e in dump["event_types"] if e["hosts"][0] in busy and e["active"]]:
        slots = admin.get("/event_type_available_times", event_type=event_type["uri"],
                          **span).json()["collection"]
        for slot in slots:
            slot_start = parse(slot["start_time"])
            slot_end = slot_start + timedelta(minutes=event_type["duration"])
            assert start <= slot_start < end and slot_start >= utc_in()
            free = [host for host in event_type["hosts"] if not any(
                overlaps(slot_start, slot_end, b) for b in busy[host]
                if not _own_group_event(b, slot, event_type, dump))]
            needed = 1 if event_type["pooling_type"] == "round_robin" else len(event_type["hosts"])
            assert len(free) >= needed, (event_type["name"], slot)
            if event_type["pooling_type"] is None:
                assert any(in_schedule(s, slot_start, slot_end)
                           for s in schedules[event_type["hosts"][0]]), (event_type["name"], slot)
            checked += 1
    assert checked > 200


def _own_group_event(block: dict, slot: dict, event_type: dict, dump: dict) -> bool:
    """A group event with seats left is the very slot on offer, not a clash."""
    if event_type["kind"] != "group" or event_type["pooling_type"] or "event" not in block:
        return False
    event = next(e for e in dump["scheduled_events"] if e["uri"] == block["event"]["uri"])
    return event["event_type"] == event_type["uri"] and event["start_time"] == slot["start_time"]


def next_transition(zone: ZoneInfo, after: date) -> date:
    day = after
    while (datetime.combine(day + timedelta(days=1), datetime.min.time(), zone).utcoffset()
           == datetime.combine(day, datetime.min.time(), zone).utcoffset()):
        day += timedelta(days=1)
    return day + timedelta(days=1)


def test_slots_keep_local_working_hours_across_a_dst_change(sandbox):
    owner = caller_for(sandbox, DEMO_OWNER_EMAIL)
    zone = ZoneInfo("America/New_York")
    change = next_transition(zone, utc_in(days=2).date())
    # In UTC: seven days of New York's wall clock are 7 days and an hour in autumn, which
    # Calendly's 7-day limit refuses.
    start = max(utc_in(hours=1), datetime.combine(change - timedelta(days=3),
                                                  datetime.min.time(), zone).astimezone(UTC))
    meeting = next(e for e in owner.get("/event_types", user=owner.uri).json()["collection"]
                   if e["name"] == "30 Minute Meeting")
    slots = owner.get("/event_type_available_times", event_type=meeting["uri"],
                      start_time=stamp(start), end_time=stamp(start + timedelta(days=7)))
    local = [parse(s["start_time"]).astimezone(zone) for s in slots.json()["collection"]]
    grid = {f"{h:02d}:{m:02d}" for h in (9, 10, 11, 13, 14, 15, 16) for m in (0, 30)}
    assert {t.strftime("%H:%M") for t in local} <= grid
    assert any(t.date() < change for t in local) and any(t.date() >= change for t in local)
    offsets = {t.utcoffset() for t in local}
    assert len(offsets) == 2, offsets


def test_window_limits_are_a_knob_and_a_start_a_moment_ago_is_accepted(sandbox):
    member = caller_for(sandbox, DEMO_MEMBER_EMAIL)
    meeting = member.get("/event_types", user=member.uri).json()["collection"][0]["uri"]
    for age, status in ((30, 200), (120, 400)):
        start = utc_in(seconds=-age)
        answer = member.get("/user_busy_times", user=member.uri, start_time=stamp(start),
                            end_time=stamp(start + timedelta(days=7)))
        assert answer.status_code == status, age
    assert member.get("/event_type_available_times", event_type=meeting,
                      **window(days=10)).status_code == 200
    assert member.get("/user_busy_times", user=member.uri, **window(days=10)).status_code == 400
    sandbox.configure(max_window_days=7)  # Calendly before 2026-07-09
    refused = member.get("/event_type_available_times", event_type=meeting, **window(days=10))
    assert refused.status_code == 400
    assert refused.json()["details"] == [{"parameter": "end_time",
                                          "message": "the range can be no greater than 7 days"}]
    sandbox.configure(busy_max_window_days=14)
    assert member.get("/user_busy_times", user=member.uri, **window(days=10)).status_code == 200


@pytest.fixture(scope="module")
def private():
    """Bookings change data: this module books on a sandbox of its own."""
    with running_sandbox() as server:
        yield server


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


def verify_signature(headers: dict[str, str], body: bytes, key: str) -> None:
    parts = dict(item.split("=", 1) for item in headers["Calendly-Webhook-Signature"].split(","))
    expected = hmac.new(key.encode(), f"{parts['t']}.".encode() + body,
                        hashlib.sha256).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected)


def test_booking_changes_busy_and_available_times_and_fires_webhooks(private, receiver,
                                                                      spec_dict):
    admin, member = caller_for(private, DEMO_ADMIN_EMAIL), caller_for(private, DEMO_MEMBER_EMAIL)
    admin.post("/webhook_subscriptions", {"url": receiver.url, "organization": admin.org,
                                          "scope": "organization", "signing_key": "org-key",
                                          "events": ["invitee.created", "invitee.canceled"]})
    meeting = next(e for e in member.get("/event_types", user=member.uri).json()["collection"]
                   if e["name"] == "30 Minute Meeting")
    span = window(days=7)
    slot = member.get("/event_type_available_times", event_type=meeting["uri"],
                      **span).json()["collection"][0]["start_time"]
    booked = private.book(meeting["uri"], slot, "carol@guests.example", "Carol Client")
    event_uri = booked["event"]["uri"]

    after = member.get("/event_type_available_times", event_type=meeting["uri"], **span).json()
    assert slot not in [s["start_time"] for s in after["collection"]]
    busy = member.get("/user_busy_times", user=member.uri, **span).json()["collection"]
    assert [b["start_time"] for b in busy if b.get("event", {}).get("uri") == event_uri] == [slot]
    with pytest.raises(SandboxError, match=r"^409: .*is not an available time of this event type") as taken:
        private.book(meeting["uri"], slot)
    assert taken.value.status == 409

    headers, body = receiver.wait_for(1)[0]
    verify_signature(headers, body, "org-key")
    payload = json.loads(body)
    assert payload["event"] == "invitee.created" and payload["payload"]["event"] == event_uri
    assert payload["payload"]["scheduled_event"]["uri"] == event_uri
    OAS30Validator({"$ref": "#/components/schemas/WebhookPayload",
                    "components": spec_dict["components"]}).validate(payload)

    private.cancel(event_uri, reason="Plans changed")
    headers, body = receiver.wait_for(2)[1]
    verify_signature(headers, body, "org-key")
    canceled = json.loads(body)
    assert canceled["event"] == "invitee.canceled"
    assert canceled["payload"]["cancellation"]["reason"] == "Plans changed"
    again = member.get("/event_type_available_times", event_type=meeting["uri"], **span).json()
    assert slot in [s["start_time"] for s in again["collection"]]
    assert [d["status"] for d in private.stats()["webhook_deliveries"]] == [200, 200]


def test_group_booking_fills_seats(private):
    admin = caller_for(private, DEMO_ADMIN_EMAIL)
    workshop = next(e for e in admin.get("/event_types", user=admin.uri).json()["collection"]
                    if e["name"] == "Team Workshop")
    span = window(days=7)
    first = admin.get("/event_type_available_times", event_type=workshop["uri"],
                      **span).json()["collection"][0]
    private.book(workshop["uri"], first["start_time"], "one@guests.example")
    seats = {s["start_time"]: s["invitees_remaining"] for s in admin.get(
        "/event_type_available_times", event_type=workshop["uri"], **span).json()["collection"]}
    assert seats[first["start_time"]] == first["invitees_remaining"] - 1
