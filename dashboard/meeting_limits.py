"""Why a day of My week offers no bookable times although it has free time: the viewer's
Calendly meeting limits (api-2026.md §2 "user_meeting_limits").

Calendly counts the non-canceled meetings a user hosts, over all event types, once per
meeting; days are read in the booked event type's time zone, weeks run Sunday to
Saturday, months are calendar months. Once a period holds its cap, none of the user's
times in it is offered.

What this reads, and why it is the simplest correct reading we have:
- The meetings are the user's synced Calendly busy blocks, one per scheduled event (a
  block without an event URI counts once itself). Busy times list only active events,
  so canceled ones are already left out; external calendar events do not count, as in
  Calendly.
- The zone is the one the user's working hours are set in (their default schedule's):
  the sync does not read which schedule each event type is booked on, and for most
  people it is the default one.
- The sync reads busy times from now on, so meetings earlier in a week or month may be
  missing: the count can only be too low, never too high, so a page may fail to give the
  reason but never gives a wrong one. A day that is over is never explained.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from availability.intervals import local_instant
from availability.models import BusyBlock, CalendlyUser

PERIOD_WORDS = {
    "day": ("Daily", "this day"),
    "week": ("Weekly", "this week (Sunday to Saturday)"),
    "month": ("Monthly", "this month"),
}


def periods(day: date) -> tuple[tuple[str, date], ...]:
    """The day, its Sunday-to-Saturday week and its calendar month, each by its first day."""
    sunday = day - timedelta(days=(day.weekday() + 1) % 7)  # weekday(): Monday is 0
    return ("day", day), ("week", sunday), ("month", day.replace(day=1))


def caps_of(user: CalendlyUser) -> dict[str, int | None]:
    return {"day": user.daily_limit, "week": user.weekly_limit, "month": user.monthly_limit}


def reached_limits(user: CalendlyUser, days: list[date], zone: ZoneInfo, today: date) -> dict:
    """{day: the sentence saying which limit closes it} for the days from ``today`` on
    (dates in ``zone``) on which one of ``user``'s caps is reached. One query, and none
    when the user has no limits."""
    caps = caps_of(user)
    days = [d for d in days if d >= today]
    if not days or not any(caps.values()):
        return {}
    first = min(min(days).replace(day=1), periods(min(days))[1][1])
    last = max(days).replace(day=28) + timedelta(days=4)  # into the next month
    rows = BusyBlock.objects.filter(
        user=user,
        type=BusyBlock.Type.CALENDLY,
        start__gte=local_instant(first, 0, zone),
        start__lt=local_instant(last.replace(day=1), 0, zone),
    ).values_list("pk", "event_uri", "start")
    meetings = {uri or f"block {pk}": start for pk, uri, start in rows}  # once per meeting
    held: Counter = Counter()
    for start in meetings.values():
        held.update(periods(start.astimezone(zone).date()))
    reasons = {}
    for day in days:
        for kind, begins in periods(day):
            cap = caps[kind]
            if cap and held[(kind, begins)] >= cap:
                reasons[day] = _words(kind, cap, held[(kind, begins)])
                break
    return reasons


def _words(kind: str, cap: int, booked: int) -> str:
    name, span = PERIOD_WORDS[kind]
    booked_words = "meeting" if booked == 1 else "meetings"
    return (
        f"{name} meeting limit reached: you host {booked} {booked_words} {span} and your "
        f"limit is {cap}, so Calendly offers no times on this day although you may be free."
    )
