"""A host's meeting limits close days, weeks and months (api-2026.md §2 "user_meeting_limits").

A cap counts the non-canceled meetings the user hosts, over all event types, once per
meeting. Days are read in the booked event type's time zone (here: the zone of the
schedule the host books it on), weeks run Sunday to Saturday and months are calendar
months. Once a period holds its cap, none of the host's slots in it is offered, however
free their calendar is.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sandbox.records import EventType, MeetingLimits
from sandbox.store import State


def _periods(day: date) -> tuple[tuple[str, date], tuple[str, date], tuple[str, date]]:
    sunday = day - timedelta(days=(day.weekday() + 1) % 7)  # weekday(): Monday is 0
    return ("day", day), ("week", sunday), ("month", day.replace(day=1))


def within_limits(state: State, event_type: EventType, host: str,
                  starts: set[datetime]) -> set[datetime]:
    """The `starts` of `host` that no meeting limit of theirs closes."""
    limits = state.meeting_limits.get(host)
    if limits is None or not starts or not any((limits.daily, limits.weekly, limits.monthly)):
        return starts
    schedule = state.schedule_for(event_type, host)
    zone = ZoneInfo(schedule.timezone if schedule else state.users[host].timezone)
    held: Counter = Counter()
    for event in state.events_by_user.get(host, []):
        if event.status != "canceled":
            held.update(_periods(event.start.astimezone(zone).date()))
    caps = _caps(limits)
    return {start for start in starts
            if all(caps[kind] is None or held[(kind, begins)] < caps[kind]
                   for kind, begins in _periods(start.astimezone(zone).date()))}


def _caps(limits: MeetingLimits) -> dict[str, int | None]:
    return {"day": limits.daily, "week": limits.weekly, "month": limits.monthly}
