"""The read side of the team pages: members of an organization, their weeks and totals.

Queries do not grow with the number of members: one for the page of members (with their
connection state annotated), one for their schedules, one for their busy blocks. Each
member's row is drawn in their own time zone, over the same calendar week.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import OuterRef, Q, QuerySet, Subquery

from accounts.models import CalendlyCredential
from availability import calendar, freebusy
from availability.intervals import Interval, intersect, resolve_zone, subtract, week_bounds
from availability.models import CalendlyUser, Membership, Organization

DEFAULT_THRESHOLD_HOURS = 8.0


def members(org: Organization, search: str = "") -> QuerySet[Membership]:
    """The organization's memberships with their users and Calendly connection, by name."""
    credentials = CalendlyCredential.objects.filter(calendly_user_uri=OuterRef("user__uri"))
    rows = (
        Membership.objects.filter(organization=org)
        .select_related("user")
        .annotate(
            credential_state=Subquery(credentials.values("state")[:1]),
            last_synced_at=Subquery(credentials.values("last_synced_at")[:1]),
        )
        .order_by("user__name", "user__email", "pk")
    )
    if search:
        rows = rows.filter(Q(user__name__icontains=search) | Q(user__email__icontains=search))
    return rows


def not_connected(rows: QuerySet[Membership]) -> QuerySet[Membership]:
    active = Q(credential_state=CalendlyCredential.State.ACTIVE)
    return rows.filter(Q(credential_state__isnull=True) | ~active)


def week_window(monday: date) -> Interval:
    """From the earliest zone's Monday to the latest zone's Sunday: every member's week."""
    return Interval(
        week_bounds(monday, "Etc/GMT-14").start, week_bounds(monday, "Etc/GMT+12").end
    )


def weeks_of(
    users: list[CalendlyUser], monday: date, window: Interval | None = None
) -> dict[int, calendar.MemberWeek]:
    """Each member's week, in two queries: their own Monday to Sunday (in their zone), or
    ``window`` for everyone when given (find-a-time compares members over one window)."""
    ids = [u.pk for u in users]
    schedules = calendar.default_schedules(ids)
    blocks = calendar.busy_blocks(ids, window or week_window(monday))
    weeks = {}
    for user in users:
        schedule = schedules.get(user.pk)
        own = window or week_bounds(monday, calendar.zone_of(user, schedule))
        weeks[user.pk] = calendar.member_week(schedule, blocks.get(user.pk, []), own)
    return weeks


def org_weeks(org: Organization, monday: date) -> dict[int, tuple[CalendlyUser, calendar.MemberWeek]]:
    """Every member of the organization with their week: three queries in all."""
    users = list(CalendlyUser.objects.filter(memberships__organization=org).distinct())
    weeks = weeks_of(users, monday)
    return {u.pk: (u, weeks[u.pk]) for u in users}


# --- Team rows ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Segment:
    """Part of a day's working time on a cell's bar, in percent of the bar."""

    kind: str  # "free" or "busy"
    x: float
    width: float


@dataclass(frozen=True, slots=True)
class DayCell:
    day: date
    free_hours: float
    working_hours: float
    segments: list[Segment]

    @property
    def heat(self) -> int:
        """0 (no free time) to 4 (six hours or more), for the cell's shade."""
        if self.free_hours <= 0:
            return 0
        return min(4, 1 + int(self.free_hours // 2))

    @property
    def description(self) -> str:
        if not self.working_hours:
            return "not working"
        return f"{self.free_hours:.1f} h free of {self.working_hours:.1f} h"


def _segments(working: list[Interval], busy: list[Interval]) -> list[Segment]:
    if not working:
        return []
    start, end = working[0].start, working[-1].end
    span = (end - start).total_seconds()

    def place(kind: str, interval: Interval) -> Segment:
        x = (interval.start - start).total_seconds() / span * 100
        return Segment(kind, round(x, 2), round(interval.duration.total_seconds() / span * 100, 2))

    busy_parts = intersect(busy, working)
    return [place("busy", i) for i in busy_parts] + [
        place("free", i) for i in subtract(working, busy_parts)
    ]


def day_cells(week: calendar.MemberWeek) -> list[DayCell]:
    busy = freebusy.busy_intervals(week.busy)
    cells = []
    for day in week.days:
        if not week.window.start <= _noon(day.day, week.zone) < week.window.end:
            continue  # The day before, kept only for an overnight span.
        working = list(day.intervals)
        free = subtract(working, busy)
        cells.append(
            DayCell(day.day, _hours(free), _hours(working), _segments(working, busy))
        )
    return cells


def _noon(day: date, zone: str) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo(zone))


def _hours(intervals: Iterable[Interval]) -> float:
    return sum(i.duration.total_seconds() for i in intervals) / 3600


@dataclass(frozen=True, slots=True)
class TeamRow:
    membership: Membership
    week: calendar.MemberWeek
    cells: list[DayCell]
    local_time: datetime

    @property
    def member(self) -> CalendlyUser:
        return self.membership.user

    @property
    def local_clock(self) -> str:
        return f"{self.local_time:%H:%M}"

    @property
    def utc_offset(self) -> str:
        offset = self.local_time.utcoffset() or timedelta()
        minutes = int(offset.total_seconds() // 60)
        sign = "+" if minutes >= 0 else "−"
        hours, minutes = divmod(abs(minutes), 60)
        return f"UTC{sign}{hours:02d}:{minutes:02d}"

    @property
    def connected(self) -> bool:
        return self.membership.credential_state == CalendlyCredential.State.ACTIVE


def team_rows(memberships: list[Membership], monday: date, now: datetime) -> list[TeamRow]:
    weeks = weeks_of([m.user for m in memberships], monday)
    rows = []
    for membership in memberships:
        week = weeks[membership.user_id]
        zone = resolve_zone(calendar.zone_of(membership.user))
        rows.append(TeamRow(membership, week, day_cells(week), now.astimezone(zone)))
    return rows


def needs_more(week: calendar.MemberWeek, threshold: float) -> bool:
    return week.totals.free_hours < threshold


# --- Hours used vs available --------------------------------------------------------------

SORTS = {
    "name": lambda r: (r.member.name or r.member.email).lower(),
    "working": lambda r: r.totals.working_hours,
    "busy": lambda r: r.totals.busy_hours,
    "free": lambda r: r.totals.free_hours,
    "scheduled": lambda r: r.totals.scheduled_hours,
    "share": lambda r: r.totals.free_share,
}


@dataclass(frozen=True, slots=True)
class HoursRow:
    member: CalendlyUser
    totals: freebusy.WeekTotals
    needs_more: bool
    problem: str


def hours_rows(
    org: Organization, monday: date, threshold: float, search: str = "", sort: str = "name"
) -> list[HoursRow]:
    """Every member's totals for the week, sorted (``-free`` for descending)."""
    key = SORTS.get(sort.lstrip("-"), SORTS["name"])
    rows = [
        HoursRow(user, week.totals, needs_more(week, threshold), week.problem)
        for user, week in org_weeks(org, monday).values()
        if not search or search.lower() in f"{user.name} {user.email}".lower()
    ]
    return sorted(rows, key=key, reverse=sort.startswith("-"))
