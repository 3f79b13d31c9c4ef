"""Event types' start-time increments and buffers (Calendly since 2026-11-13): rendered on
the event type with the values Calendly allows, and shaping the slots on offer."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from sandbox.records import BUFFER_MINUTES
from sandbox.seed import DEMO_MEMBER_EMAIL
from tests.sandbox.conftest import caller_for
from tests.sandbox.helpers import parse, stamp, window
from tests.sandbox_process import running_sandbox

SPAN_DAYS = 14  # two weeks hold working days whatever the date


def named(caller, name: str) -> dict:
    listed = caller.get("/event_types", user=caller.uri, count=100).json()["collection"]
    return next(e for e in listed if e["name"] == name)


def slot_starts(caller, event_type: dict, span: dict) -> list:
    answer = caller.get("/event_type_available_times", event_type=event_type["uri"], **span)
    assert answer.status_code == 200, answer.text
    return [parse(s["start_time"]) for s in answer.json()["collection"]]


def test_event_types_carry_increment_and_buffers_calendly_allows(check_response, admin):
    listed = check_response(
        admin.get("/event_types", organization=admin.org, count=100), 200
    ).json()["collection"]
    for event_type in listed:
        assert 5 <= event_type["start_time_increment"] <= 720, event_type["name"]
        assert event_type["before_buffer"] in BUFFER_MINUTES
        assert event_type["after_buffer"] in BUFFER_MINUTES
    settings = {(e["start_time_increment"], e["before_buffer"], e["after_buffer"]) for e in listed}
    assert (30, 0, 0) in settings  # Calendly's defaults
    chat = [e for e in listed if e["name"] == "15 Minute Chat"]
    assert chat and all(
        (e["start_time_increment"], e["before_buffer"], e["after_buffer"]) == (15, 5, 10)
        for e in chat
    )
    check_response(admin.get(chat[0]["uri"]), 200)


def test_slots_start_every_increment_not_every_duration(owner, admin, member):
    span = window(days=SPAN_DAYS)
    # 45 minutes long, Calendly's default increment of 30: starts half an hour apart.
    interview = slot_starts(owner, named(owner, "Secret Interview"), span)
    gaps = {b - a for a, b in zip(interview, interview[1:], strict=False)}
    assert timedelta(minutes=30) in gaps and timedelta(minutes=45) not in gaps
    assert all(s.minute in (0, 30) for s in interview)
    # 15 minutes every 15.
    chat = slot_starts(member, named(member, "15 Minute Chat"), span)
    assert timedelta(minutes=15) in {b - a for a, b in zip(chat, chat[1:], strict=False)}
    # An hour on the hour, on the evening schedule (18:00-21:00): 18, 19 and 20 o'clock.
    evening = named(admin, "60 Minute Evening Session")
    assert evening["start_time_increment"] == 60
    schedule = next(
        s
        for s in admin.get("/user_availability_schedules", user=admin.uri).json()["collection"]
        if not s["default"]
    )
    zone = ZoneInfo(schedule["timezone"])
    local = [s.astimezone(zone) for s in slot_starts(admin, evening, span)]
    assert local and {t.strftime("%H:%M") for t in local} <= {"18:00", "19:00", "20:00"}
    assert len({t.strftime("%H:%M") for t in local}) == 3


@pytest.fixture(scope="module")
def private():
    """The booking below changes data: a sandbox of this module's own."""
    with running_sandbox() as server:
        yield server


def test_a_slot_keeps_its_buffers_clear_of_a_booked_meeting(private):
    """Ana's 15 Minute Chat keeps 5 minutes free before and 10 after. Once her 30 Minute
    Meeting (no buffers) is booked at S, the chats at S-15 (its after-buffer reaches S) and
    S+30 (its before-buffer starts at S+25) go; S-30 and S+45 stay."""
    member = caller_for(private, DEMO_MEMBER_EMAIL)
    span = window(days=SPAN_DAYS)
    meeting, chat = named(member, "30 Minute Meeting"), named(member, "15 Minute Chat")
    chats = set(slot_starts(member, chat, span))
    minutes = [timedelta(minutes=m) for m in (-30, -15, 30, 45)]
    start = next(
        s for s in slot_starts(member, meeting, span) if all(s + m in chats for m in minutes)
    )
    private.book(meeting["uri"], stamp(start), "dora@guests.example", "Dora Guest")
    after = set(slot_starts(member, chat, span))
    near = {m: start + m in after for m in (*minutes, timedelta(0), timedelta(minutes=15))}
    assert near == {
        minutes[0]: True,
        minutes[1]: False,
        minutes[2]: False,
        minutes[3]: True,
        timedelta(0): False,
        timedelta(minutes=15): False,
    }
