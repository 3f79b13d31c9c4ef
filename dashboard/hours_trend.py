"""Each member's hours week by week: the weeks around the one shown, or a range for the CSV.

What the database keeps decides what a week can say. Busy times are stored from the last
sync's start to ``SYNC_HORIZON_DAYS`` after it, and each sync deletes the blocks before it
(the first window owns the past, ``sync.windows``): the busy times of past weeks are not
kept. The schedule's rules are, so a past week's working hours can be worked out, by the
rules as synced now; its free hours cannot, and past time is never free anyway. A week past
what the last sync read has no busy times to go on: it is "no data", not all free.

Two queries for any number of members: their schedules and their busy blocks over the span.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import dateformat

from availability import freebusy
from availability.intervals import Interval, resolve_zone, week_bounds
from availability.models import CalendlyUser
from dashboard import team_page, week_page

WEEKS_AROUND = 4  # Weeks drawn before and after the one shown.
MAX_RANGE_WEEKS = 13  # A quarter: the most weeks one CSV covers.
RANGE_REACH = timedelta(weeks=53)  # How far from this week a CSV range may start or end.

PAST, READ, PARTLY, NO_DATA = "past", "read", "partly", "none"


def week_text(monday: date) -> str:
    """A Monday (or any day) as "7 Dec"."""
    return dateformat.format(monday, "j M")


@dataclass(frozen=True, slots=True)
class WeekPoint:
    """One member's week. ``free_hours`` and ``busy_hours`` are None when not known (a past
    week's busy times are not kept; a week not read has none); ``working_hours`` is None
    when there is no schedule to read them from."""

    monday: date
    state: str  # PAST, READ, PARTLY (busy times read up to ``read_to`` only) or NO_DATA.
    working_hours: float | None = None
    past_hours: float = 0.0
    busy_hours: float | None = None
    free_hours: float | None = None
    remaining_hours: float = 0.0  # Working hours ahead that the busy times cover.
    read_to: date | None = None
    reason: str = ""  # Why NO_DATA.

    def needs_more(self, threshold: float) -> bool | None:
        """As ``team_page.needs_more``: fewer free hours than the threshold's share of the
        working hours ahead; None when the free hours are not known."""
        if self.free_hours is None:
            return None
        if not self.working_hours:
            return threshold > 0
        return self.free_hours < threshold * self.remaining_hours / self.working_hours

    @property
    def data_text(self) -> str:
        """What the figures rest on, in words (the CSV's ``data`` column)."""
        if self.state == PAST:
            return "past: busy times not kept"
        if self.state == PARTLY:
            return f"busy times read to {self.read_to:%Y-%m-%d}"
        if self.state == NO_DATA:
            return f"no data: {self.reason}"
        return "read"

    @property
    def title(self) -> str:
        """The bar's tooltip: "Week of 7 Dec: 12.5 h free", then what else is known."""
        head = f"Week of {week_text(self.monday)}"
        if self.state == NO_DATA:
            return f"{head}: no data ({self.reason})"
        working = team_page.hours_text(self.working_hours or 0.0)
        if self.state == PAST:
            return (
                f"{head}: past, no free hours; {working} h working by the schedule as "
                f"synced now (busy times of past weeks are not kept)"
            )
        free = f"{head}: {team_page.hours_text(self.free_hours or 0.0)} h free"
        if self.state == PARTLY:
            free += f" up to {week_text(self.read_to)} (busy times not read further)"
        past = f", {team_page.hours_text(self.past_hours)} h past" if self.past_hours else ""
        return f"{free}, of {working} h working{past}"


def point(
    schedule: week_page.Schedule | None,
    blocks: list[freebusy.BusyBlock],
    window: Interval,
    monday: date,
    now: datetime,
    reach: datetime,
) -> WeekPoint:
    """One week of a member whose busy times were read up to ``reach``."""
    week = week_page.member_week(schedule, blocks, window, now)
    if week.problem:
        return WeekPoint(monday, NO_DATA, reason=week.problem.rstrip("."))
    totals = week.totals
    if window.end <= now:
        return WeekPoint(monday, PAST, totals.working_hours, totals.past_hours)
    if reach <= max(window.start, now):
        return WeekPoint(
            monday,
            NO_DATA,
            totals.working_hours,
            totals.past_hours,
            reason="busy times not read this far yet",
        )
    state, read_to, read = READ, None, totals
    if reach < window.end:  # Free hours only where the busy times were read.
        state, read_to = PARTLY, reach.astimezone(resolve_zone(week.zone)).date()
        read = freebusy.week_totals(week.working, blocks, Interval(window.start, reach), now)
    return WeekPoint(
        monday,
        state,
        totals.working_hours,
        totals.past_hours,
        read.busy_hours,
        read.free_hours,
        read.remaining_hours,
        read_to,
    )


def reach_of(user: CalendlyUser, schedule: week_page.Schedule | None, now: datetime) -> datetime:
    """Where the stored busy times end: the horizon of the sync that last read them all (the
    user's ``synced_at``; a periodic sync leaves a schedule read hours ago as it is,
    ``sync.slow_refresh``), else of the one that read the schedule."""
    horizon = timedelta(days=settings.SYNC_HORIZON_DAYS)
    read = user.synced_at or (schedule.synced_at if schedule else None) or now
    return read + horizon


def weekly(
    users: Iterable[CalendlyUser], mondays: list[date], now: datetime
) -> dict[int, list[WeekPoint]]:
    """Each member's weeks of ``mondays`` (consecutive, ascending), each in the member's own
    zone, in two queries."""
    users = list(users)
    if not users or not mondays:
        return {u.pk: [] for u in users}
    ids = [u.pk for u in users]
    schedules = week_page.default_schedules(ids)
    span = Interval(team_page.week_window(mondays[0]).start, team_page.week_window(mondays[-1]).end)
    blocks = week_page.busy_blocks(ids, span)
    series = {}
    for user in users:
        schedule = schedules.get(user.pk)
        zone = week_page.zone_of(user, schedule)
        reach = reach_of(user, schedule, now)
        own = blocks.get(user.pk, [])
        series[user.pk] = [
            point(schedule, own, week_bounds(monday, zone), monday, now, reach)
            for monday in mondays
        ]
    return series


def around(shown: date, weeks: int = WEEKS_AROUND) -> list[date]:
    """The Mondays from ``weeks`` before the shown week to ``weeks`` after it."""
    return [shown + timedelta(weeks=k) for k in range(-weeks, weeks + 1)]


class BadRange(ValueError):
    """A CSV range that cannot be given: the message says why, for a 400."""


def week_range(start: str | None, end: str | None, this_monday: date) -> list[date]:
    """The Mondays of ``?from=``..``?to=`` (any day of each week; one alone is one week), at
    most ``MAX_RANGE_WEEKS``, within ``RANGE_REACH`` of this week; raises ``BadRange``."""
    days = []
    for name, text in (("from", start or end), ("to", end or start)):
        day = week_page.parse_week(text)
        if day is None:
            raise BadRange(f"?{name}= “{(text or '')[:40]}” is not a date (YYYY-MM-DD).")
        if abs(day - this_monday) > RANGE_REACH:
            raise BadRange(f"?{name}= {day} is more than a year from this week.")
        days.append(week_page.monday_of(day))
    first, last = days
    if first > last:
        raise BadRange(f"?from= {first} comes after ?to= {last}.")
    count = (last - first).days // 7 + 1
    if count > MAX_RANGE_WEEKS:
        raise BadRange(f"{count} weeks asked for; a CSV covers at most {MAX_RANGE_WEEKS}.")
    return [first + timedelta(weeks=k) for k in range(count)]
