"""The read side of the team pages: members of an organization, their weeks and totals.

Queries do not grow with the number of members: one for the page of members (with their
connection state annotated), one for their schedules, one for their busy blocks. Every
row of the team week is drawn in the viewer's display zone, over that zone's calendar week
(so a member's working day can straddle two columns), with the member's own local time
beside their name.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.urls import get_script_prefix, reverse
from django.utils.timesince import timesince

from accounts.models import CalendlyCredential
from availability import freebusy
from availability.intervals import (
    US_PER_HOUR,
    Interval,
    local_instant,
    merged_us,
    resolve_zone,
    to_us,
    week_bounds,
)
from availability.models import CalendlyUser, Membership, Organization
from dashboard import clock, week_page
from dashboard.people_sets import PeopleSet

# The seeded demo works 28-40 h a week with 22-39 h free: under 30 free hours a week flags
# someone with a day off or a busy week, which 8 h never did. Each viewer sets their own.
DEFAULT_THRESHOLD_HOURS = 30.0
MATCH_LIMIT = 20  # Members a search of find-a-time's picker lists at most.


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


def by_name(users: QuerySet[CalendlyUser]) -> QuerySet[CalendlyUser]:
    """Members to name on a page: the few fields it shows, by name, each once."""
    return users.only("pk", "name", "email", "uri", "timezone").order_by("name", "email", "pk").distinct()


def find_members(
    org: Organization, search: str, exclude: Iterable[int] = (), limit: int = MATCH_LIMIT
) -> tuple[list[CalendlyUser], bool]:
    """Up to ``limit`` members of the organization whose name or email holds ``search``, by
    name, leaving out ``exclude`` (ids); and whether more match. One query."""
    users = (
        CalendlyUser.objects.filter(memberships__organization=org)
        .filter(Q(name__icontains=search) | Q(email__icontains=search))
        .exclude(pk__in=list(exclude))
    )
    found = list(by_name(users)[: limit + 1])
    return found[:limit], len(found) > limit


def members_by_id(org: Organization, ids: Iterable[int]) -> list[CalendlyUser]:
    """The members of the organization among ``ids``, by name; anyone else is left out."""
    users = CalendlyUser.objects.filter(memberships__organization=org, pk__in=list(ids))
    return list(by_name(users))


def not_connected(rows: QuerySet[Membership]) -> QuerySet[Membership]:
    active = Q(credential_state=CalendlyCredential.State.ACTIVE)
    return rows.filter(Q(credential_state__isnull=True) | ~active)


def week_window(monday: date) -> Interval:
    """From the earliest zone's Monday to the latest zone's Sunday: every member's week."""
    return Interval(
        week_bounds(monday, "Etc/GMT-14").start, week_bounds(monday, "Etc/GMT+12").end
    )


def weeks_of(
    users: list[CalendlyUser], monday: date, now: datetime, window: Interval | None = None
) -> dict[int, week_page.MemberWeek]:
    """Each member's week, in two queries: their own Monday to Sunday (in their zone), or
    ``window`` for everyone when given (find-a-time compares members over one window);
    time before ``now`` is past."""
    ids = [u.pk for u in users]
    schedules = week_page.default_schedules(ids)
    blocks = week_page.busy_blocks(ids, window or week_window(monday))
    weeks = {}
    for user in users:
        schedule = schedules.get(user.pk)
        own = window or week_bounds(monday, week_page.zone_of(user, schedule))
        weeks[user.pk] = week_page.member_week(schedule, blocks.get(user.pk, []), own, now)
    return weeks


def org_weeks(
    org: Organization, monday: date, now: datetime, among: PeopleSet | None = None
) -> dict[int, tuple[CalendlyUser, week_page.MemberWeek]]:
    """Every member of the organization (of the group or team ``among``) with their week:
    three queries in all."""
    users = CalendlyUser.objects.filter(memberships__organization=org)
    if among is not None:
        users = users.filter(pk__in=among.users)
    users = list(users.distinct())
    weeks = weeks_of(users, monday, now)
    return {u.pk: (u, weeks[u.pk]) for u in users}


# --- Team rows ----------------------------------------------------------------------------


Span = tuple[int, int]  # Microseconds since the epoch (intervals.to_us): plain integers.


def hours_text(hours: float) -> str:
    """One decimal, halves rounded up (as the ``floatformat`` filter does): 2 h 15 is 2.3."""
    return f"{math.floor(hours * 10 + 0.5) / 10:.1f}"


@dataclass(frozen=True, slots=True)
class DayCell:
    """One local day of a member's row: working time cut into past, busy and free parts."""

    day: date
    working: list[Span]  # Merged, sorted.
    parts: list[tuple[str, int, int]]  # ("past" | "busy" | "free", start, end), in order.
    working_hours: float
    free_hours: float  # From now on: past time is never free.
    past_hours: float
    zone: ZoneInfo | None = None  # The viewer's display zone, for the times of the parts.
    notation: str = clock.UNKNOWN

    def clock_at(self, moment: int) -> str:
        """A moment (microseconds since the epoch) as a time of day in the cell's zone."""
        local = datetime.fromtimestamp(moment / 1_000_000, self.zone)
        if local.date() > self.day and not (local.hour or local.minute):  # The day's end.
            return clock.minute_clock(24 * 60, self.notation)
        return clock.clock(local, self.notation)

    def part_titles(self) -> list[tuple[str, int, int, str]]:
        """Each part of the bar with what its tooltip says: "Busy 10:00–11:00"."""
        words = {"past": "Past", "busy": "Busy", "free": "Free"}
        return [
            (kind, start, end, f"{words[kind]} {self.clock_at(start)}–{self.clock_at(end)}")
            for kind, start, end in self.parts
        ]

    @property
    def span_text(self) -> str:
        """The working day's first and last hour, written under the bar: "09:00–17:00"."""
        return f"{self.clock_at(self.working[0][0])}–{self.clock_at(self.working[-1][1])}"

    @property
    def is_past(self) -> bool:
        """Every working hour of the day is over."""
        return bool(self.working) and self.past_hours >= self.working_hours

    @property
    def heat(self) -> int:
        """0 (no free time) to 4 (six hours or more), for the cell's shade."""
        return 0 if self.free_hours <= 0 else min(4, 1 + int(self.free_hours // 2))

    @property
    def description(self) -> str:
        if not self.working:
            return "not working"
        if self.is_past:
            return "past"
        free, working = hours_text(self.free_hours), hours_text(self.working_hours)
        past = f", {hours_text(self.past_hours)} h past" if self.past_hours else ""
        return f"{free} h free of {working} h{past}"


def _day_cell(
    day: date, working: list[Span], busy: list[Span], now: int, zone: ZoneInfo | None,
    notation: str,
) -> DayCell:
    past = [(start, min(end, now)) for start, end in working if start < now]
    ahead = [(max(start, now), end) for start, end in working if end > now]
    parts = [("past", start, end) for start, end in past] + _parts(ahead, busy)

    def hours(kind: str) -> float:
        return sum(end - start for k, start, end in parts if k == kind) / US_PER_HOUR

    return DayCell(day, working, parts, sum(e - s for s, e in working) / US_PER_HOUR,
                   hours("free"), hours("past"), zone, notation)


def _parts(working: list[Span], busy: list[Span]) -> list[tuple[str, int, int]]:
    """Each working span cut by the (merged, sorted) busy spans into busy and free parts."""
    parts = []
    for start, end in working:
        at = start
        for busy_start, busy_end in busy:
            if busy_start >= end:
                break
            if busy_end <= at:
                continue
            if busy_start > at:
                parts.append(("free", at, busy_start))
            parts.append(("busy", max(busy_start, at), min(busy_end, end)))
            at = min(busy_end, end)
        if at < end:
            parts.append(("free", at, end))
    return parts


def day_cells(
    week: week_page.MemberWeek, zone: ZoneInfo, monday: date, notation: str = clock.UNKNOWN
) -> list[DayCell]:
    """The seven days from ``monday`` in ``zone`` (the viewer's), each the member's working
    time between that zone's midnights: the columns are the viewer's days, whatever the
    member's zone. None without working days (the row says the week's problem instead)."""
    if not week.days:
        return []
    busy = merged_us(filter(None, (b.interval() for b in week.busy)))
    working = merged_us(week.working)
    now = to_us(week.now)
    cells = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        start = to_us(local_instant(day, 0, zone))
        end = to_us(local_instant(day + timedelta(days=1), 0, zone))
        spans = [(max(s, start), min(e, end)) for s, e in working if s < end and e > start]
        cells.append(_day_cell(day, spans, busy, now, zone, notation))
    return cells


@lru_cache(maxsize=8)
def _week_link_around(script_prefix: str) -> tuple[str, str]:
    """What comes before and after the id in a member's week link: ``reverse`` costs
    about as much as the rest of a row, and the id is the pattern's last part."""
    before, _, after = reverse("dashboard:member_week", args=[0]).rpartition("0")
    return before, after


@dataclass(frozen=True, slots=True)
class TeamRow:
    membership: Membership
    week: week_page.MemberWeek
    cells: list[DayCell]
    local_time: datetime  # Now, in the member's own zone.
    monday: date
    notation: str = clock.UNKNOWN

    @property
    def local_zone(self) -> str:
        return str(self.local_time.tzinfo)

    @property
    def member(self) -> CalendlyUser:
        return self.membership.user

    @property
    def name(self) -> str:
        return self.member.name or self.member.email

    @property
    def week_url(self) -> str:
        """The member's week page at this row's week, without a ``reverse`` per row."""
        before, after = _week_link_around(get_script_prefix())
        return f"{before}{self.member.pk}{after}?week={self.monday:%Y-%m-%d}"

    @property
    def local_clock(self) -> str:
        return clock.clock(self.local_time, self.notation)

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

    @property
    def source(self) -> tuple[str, str]:
        """(tag style, words) saying where the row's data comes from: the member's own
        sign-in, an admin's organization sync, or nowhere yet."""
        if self.connected:
            return "ok", "Signed in"
        if self.member.synced_at:
            return "info", "Read with an admin’s access"
        return "warn", "Not readable"

    @property
    def updated_at(self) -> datetime | None:
        """When the row's data was last read, by whichever sync read it last."""
        moments = [m for m in (self.membership.last_synced_at, self.member.synced_at) if m]
        return max(moments, default=None)

    @property
    def freshness(self) -> str:
        """"updated just now", "updated 3 minutes ago", "not read yet"."""
        updated = self.updated_at
        if updated is None:
            return "not read yet"
        if self.local_time - updated < timedelta(minutes=1):
            return "updated just now"
        return f"updated {timesince(updated, self.local_time)} ago"


def team_rows(
    memberships: list[Membership], monday: date, now: datetime, zone_name: str,
    notation: str = clock.UNKNOWN,
) -> list[TeamRow]:
    """The rows of the team week from ``monday``, every one drawn in ``zone_name`` (the
    viewer's display zone): one window for all, that zone's Monday to Monday."""
    zone = resolve_zone(zone_name)
    window = week_bounds(monday, zone.key)
    weeks = weeks_of([m.user for m in memberships], monday, now, window)
    rows = []
    for membership in memberships:
        week = weeks[membership.user_id]
        own = resolve_zone(week_page.zone_of(membership.user))
        rows.append(
            TeamRow(
                membership, week, day_cells(week, zone, monday, notation), now.astimezone(own),
                monday, notation,
            )
        )
    return rows


def needs_more(week: week_page.MemberWeek, threshold: float) -> bool:
    """Fewer free hours than ``threshold`` a week; in a week partly over, fewer than its
    share for the working hours left (past hours are neither free nor a failing)."""
    totals = week.totals
    if not totals.working_hours:
        return threshold > 0
    return totals.free_hours < threshold * totals.remaining_hours / totals.working_hours


# --- Hours used vs available --------------------------------------------------------------

SORTS = {
    "name": lambda r: (r.member.name or r.member.email).lower(),
    "working": lambda r: r.totals.working_hours,
    "past": lambda r: r.totals.past_hours,
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
    org: Organization, monday: date, now: datetime, threshold: float, search: str = "",
    sort: str = "name", among: PeopleSet | None = None,
) -> list[HoursRow]:
    """Every member's (of ``among``'s) totals for the week, sorted (``-free`` descending)."""
    key = SORTS.get(sort.lstrip("-"), SORTS["name"])
    rows = [
        HoursRow(user, week.totals, needs_more(week, threshold), week.problem)
        for user, week in org_weeks(org, monday, now, among).values()
        if not search or search.lower() in f"{user.name} {user.email}".lower()
    ]
    return sorted(rows, key=key, reverse=sort.startswith("-"))
