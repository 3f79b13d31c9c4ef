"""An event type's start-time increment and buffers (Calendly since 2026-11-13): where its
slots may start and the span each one keeps free. Kept apart from the rest of slot making
(`sandbox.availability`), which only asks these two questions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from sandbox.records import BUFFER_MINUTES, INCREMENT_RANGE, EventType

Interval = tuple[datetime, datetime]


def check_increment_and_buffers(event_type: EventType) -> None:
    """The values Calendly allows: an increment of 5-720 minutes, buffers from its list."""
    low, high = INCREMENT_RANGE
    if not low <= event_type.start_time_increment <= high:
        raise ValueError(f"start_time_increment must be {low}-{high} minutes")
    for name in ("buffer_before", "buffer_after"):
        if getattr(event_type, name) not in BUFFER_MINUTES:
            raise ValueError(f"{name} must be one of {', '.join(map(str, BUFFER_MINUTES))}")


def slot_starts(event_type: EventType, working: Interval) -> Iterator[datetime]:
    """Starts every `start_time_increment` minutes from the interval's start, each with room
    for the whole meeting before the interval ends (buffers may reach past it)."""
    length = timedelta(minutes=event_type.duration)
    step = timedelta(minutes=event_type.start_time_increment)
    start, end = working
    while start + length <= end:
        yield start
        start += step


def buffered_span(event_type: EventType, start: datetime) -> Interval:
    """What a meeting at `start` keeps free: its buffers before and after, included."""
    end = start + timedelta(minutes=event_type.duration)
    return (
        start - timedelta(minutes=event_type.buffer_before),
        end + timedelta(minutes=event_type.buffer_after),
    )
