"""The read side of the calendar pages: load a week's synced data in a bounded number of
queries and turn it into view models with the pure functions of ``availability.freebusy``.

Every loader takes many people at once (a list of user ids, or a whole organization), so
the team pages cost the same few queries for ten members or a thousand.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property, lru_cache, partial
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from availability import freebusy
from availability.intervals import (
    Interval,
    UnknownTimeZone,
    clip,
    resolve_zone,
    subtract,
    week_bounds,
)
from availability.models import AvailabilitySchedule, AvailableSlot, BusyBlock, CalendlyUser
from availability.models import EventType as EventTypeRow
from dashboard import copy_text, meeting_limits
from dashboard.clock import H24, clock
from dashboard.week_grid import WeekGrid, build_grid, day_label

# Busy blocks are stored by their meeting time; buffers reach a little past it, and a
# member's local week is up to a day away from the viewer's.
MARGIN = timedelta(days=1)


# --- Weeks --------------------------------------------------------------------------------


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def parse_week(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class WeekNav:
    """The week shown and its neighbours: from this week to the last synced one.

    ``first`` is this week; ``opened_later`` says the page opened on a later week by
    itself, because this week's working hours are over."""

    monday: date
    first: date
    last: date
    opened_later: bool = False

    @property
    def previous(self) -> date | None:
        return self.monday - timedelta(days=7) if self.monday > self.first else None

    @property
    def next(self) -> date | None:
        return self.monday + timedelta(days=7) if self.monday < self.last else None

    @property
    def is_this_week(self) -> bool:
        return self.monday == self.first

    @property
    def relative(self) -> str:
        """"This week", "Next week", "In 3 weeks"."""
        weeks = (self.monday - self.first).days // 7
        return {0: "This week", 1: "Next week"}.get(weeks, f"In {weeks} weeks")

    @property
    def label(self) -> str:
        return f"{day_label(self.monday)} – {day_label(self.monday + timedelta(days=6))}"


def week_nav(requested: date | None, today: date, default: date | None = None) -> WeekNav:
    """The requested week (any day of it), else the ``default`` week (this one when None),
    held between this week and the week holding the last day the sync reaches
    (``SYNC_HORIZON_DAYS``)."""
    first = monday_of(today)
    last = monday_of(today + timedelta(days=max(settings.SYNC_HORIZON_DAYS - 1, 0)))
    monday = monday_of(requested or default or today)
    monday = min(max(monday, first), last)
    return WeekNav(monday, first, last, opened_later=requested is None and monday > first)


def next_working_week(schedule: Schedule | None, zone: ZoneInfo, now: datetime) -> date:
    """The Monday, in ``zone``, of the week holding the next working hours of ``schedule``
    from ``now`` (the working hours under way count): on a Saturday evening next week, on a
    Wednesday afternoon this one. Without readable hours in the next two weeks, this week
    until Friday is over and next week on a weekend."""
    today = now.astimezone(zone).date()
    if schedule is not None:
        horizon = Interval(week_bounds(today, zone.key).start,
                           week_bounds(today + timedelta(days=7), zone.key).end)
        try:
            days = working_days(schedule, horizon)
        except (UnknownTimeZone, freebusy.InvalidRule):
            days = []
        upcoming = [i for d in days for i in d.intervals if i.end > now]
        if upcoming:
            start = max(min(i.start for i in upcoming), now)
            return monday_of(start.astimezone(zone).date())
    return monday_of(today + timedelta(days=2 if today.weekday() >= 5 else 0))


def viewer_week_nav(
    viewer: CalendlyUser, requested: date | None, zone_name: str, now: datetime
) -> WeekNav:
    """The week a page shows: the one asked for, else the one holding the viewer's next
    working hours (one query for their schedule)."""
    zone = resolve_zone(zone_name)
    default = None
    if requested is None:
        default = next_working_week(default_schedules([viewer.pk]).get(viewer.pk), zone, now)
    return week_nav(requested, now.astimezone(zone).date(), default)


# --- Loading ------------------------------------------------------------------------------


class Schedule(NamedTuple):
    """What the pages read of a member's schedule: its zone, and its rules as JSON text,
    parsed only when the week of those rules is not kept already (``working_days``)."""

    timezone: str
    rules: str
    synced_at: datetime | None = None  # When a sync last read it, with the busy times.


def default_schedules(users: QuerySet | Iterable[int]) -> dict[int, Schedule]:
    """Each user's default schedule (else their first), in one query."""
    rows = (
        AvailabilitySchedule.objects.filter(user_id__in=users)
        .order_by("user_id", "-is_default", "pk")
        .annotate(rules_json=Cast("rules", TextField()))
        .values_list("user_id", "timezone", "rules_json", "synced_at")
    )
    chosen: dict[int, Schedule] = {}
    for user_id, zone, rules, synced_at in rows:
        if user_id not in chosen:
            chosen[user_id] = Schedule(zone, rules, synced_at)
    return chosen


def busy_blocks(users: QuerySet | Iterable[int], window: Interval) -> dict[int, list]:
    """Busy blocks near ``window`` by user id, as ``freebusy.BusyBlock``s, in one query."""
    rows = (
        BusyBlock.objects.filter(
            user_id__in=users, start__lt=window.end + MARGIN, end__gt=window.start - MARGIN
        )
        .order_by("start")
        .values_list("user_id", "start", "end", "type", "buffered_start", "buffered_end",
                     "event_name")
    )
    blocks: dict[int, list[freebusy.BusyBlock]] = defaultdict(list)
    for user_id, start, end, kind, buffered_start, buffered_end, name in rows:
        # A row stored before the parse layer held busy types ("tentative") is still busy.
        kind = kind if kind in BusyBlock.Type.values else BusyBlock.Type.EXTERNAL
        blocks[user_id].append(
            freebusy.BusyBlock(start, end, kind=kind, buffered_start=buffered_start,
                               buffered_end=buffered_end, label=name)
        )
    return blocks


# --- One person's week --------------------------------------------------------------------


@dataclass(frozen=True)
class MemberWeek:
    """A member's working, busy and free time over a window; ``problem`` says why it is empty.

    Time before ``now`` is past: it is never free, and the totals count it apart. Free time
    and totals are worked out when first asked for: the team page draws days and busy blocks
    only, find-a-time needs free time but no totals."""

    window: Interval
    zone: str  # The schedule's time zone.
    days: list[freebusy.WorkingDay]
    busy: list[freebusy.BusyBlock]
    now: datetime
    problem: str = ""

    @cached_property
    def working(self) -> list[Interval]:
        return [i for day in self.days for i in day.intervals]

    @cached_property
    def working_ahead(self) -> list[Interval]:
        """Working time from now on."""
        rest = freebusy.ahead(self.window, self.now)
        return clip(self.working, rest) if rest else []

    @cached_property
    def past(self) -> list[Interval]:
        """Working time that is over."""
        return subtract(self.working, self.working_ahead)

    @cached_property
    def free(self) -> list[Interval]:
        return freebusy.free_intervals(self.working_ahead, freebusy.busy_intervals(self.busy))

    @cached_property
    def totals(self) -> freebusy.WeekTotals:
        return freebusy.week_totals(self.working, self.busy, self.window, self.now)


@lru_cache(maxsize=4096)
def _working_days(rules: str, tz_name: str, window: Interval) -> tuple[freebusy.WorkingDay, ...]:
    return tuple(freebusy.working_days(json.loads(rules), tz_name, window))


def working_days(schedule: Schedule, window: Interval) -> list[freebusy.WorkingDay]:
    """The schedule's working days meeting ``window`` (raises as ``freebusy.working_days``),
    kept per process by the rules' text: a schedule's week is the same on every page view
    until a sync changes its rules. The days are frozen, so sharing them is safe; errors
    are not kept."""
    return list(_working_days(schedule.rules, schedule.timezone, window))


def member_week(
    schedule: Schedule | None, blocks: list[freebusy.BusyBlock], window: Interval, now: datetime
) -> MemberWeek:
    problem, days = "", []
    if schedule is None:
        problem = "No availability schedule synced yet."
    else:
        try:
            days = working_days(schedule, window)
        except UnknownTimeZone:
            problem = f"Unknown time zone “{schedule.timezone}”: working hours not shown."
        except freebusy.InvalidRule as error:
            problem = f"Calendly sent an availability rule we cannot read ({error})."
    return MemberWeek(
        window=window,
        zone=schedule.timezone if schedule else "",
        days=days,
        busy=blocks,
        now=now,
        problem=problem,
    )


def load_member_week(member: CalendlyUser, window: Interval, now: datetime) -> MemberWeek:
    """Two queries: the schedule and the busy blocks."""
    schedule = default_schedules([member.pk]).get(member.pk)
    blocks = busy_blocks([member.pk], window).get(member.pk, [])
    return member_week(schedule, blocks, window, now)


def zone_of(member: CalendlyUser, schedule: Schedule | None = None) -> str:
    """The member's own time zone: their profile's, else their schedule's, else UTC."""
    for name in (member.timezone, schedule.timezone if schedule else ""):
        try:
            return resolve_zone(name).key
        except UnknownTimeZone:
            continue
    return "UTC"


# --- The "My week" page -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DaySlots:
    day: date
    slots: list[tuple[str, AvailableSlot]]  # ("09:30" or "9:30am" in the display zone, the slot)

    @property
    def label(self) -> str:
        return day_label(self.day)


@dataclass(frozen=True, slots=True)
class WeekPage:
    member: CalendlyUser
    nav: WeekNav
    zone: str
    week: MemberWeek
    grid: WeekGrid
    event_types: list[EventTypeRow]
    event_type: EventTypeRow | None
    slot_days: list[DaySlots]
    # {day: why it offers no times}: the viewer's own meeting limits, reached that day.
    limit_notes: dict[date, str]

    @property
    def closed_days(self) -> list[tuple[str, str]]:
        """(day, reason) of the days the limits close that have no slots listed."""
        listed = {d.day for d in self.slot_days}
        return [(day_label(d), why) for d, why in self.limit_notes.items() if d not in listed]


def event_types_of(member: CalendlyUser) -> list[EventTypeRow]:
    """The bookable event types the member owns or hosts (a team's round robin, say)."""
    mine = Q(owner=member) | Q(pk__in=member.hosted_event_types.values("pk"))
    rows = EventTypeRow.objects.filter(mine, active=True, deleted_at__isnull=True)
    return list(rows.order_by("position", "name", "pk"))


def slots_by_day(
    event_type: EventTypeRow, window: Interval, zone: ZoneInfo, notation: str = H24
) -> list[DaySlots]:
    """The bookable times of ``window`` (pass only what is ahead: a slot that started is
    not bookable), by local day."""
    rows = AvailableSlot.objects.filter(
        event_type=event_type, start__gte=window.start, start__lt=window.end
    ).filter(Q(status="available") | Q(status=""))
    days: dict[date, list] = defaultdict(list)
    for slot in rows.order_by("start"):
        local = slot.start.astimezone(zone)
        days[local.date()].append((clock(local, notation), slot))
    return [DaySlots(day, slots) for day, slots in days.items()]


def week_page(
    member: CalendlyUser,
    nav: WeekNav,
    zone_name: str,
    event_type_id: int | None,
    now: datetime,
    notation: str = H24,
    own: bool = False,
) -> WeekPage:
    """``own``: the viewer's own week, the only one whose meeting limits are explained
    (Calendly lets no one else read them)."""
    zone = resolve_zone(zone_name)
    window = week_bounds(nav.monday, zone.key)
    week = load_member_week(member, window, now)
    event_types = event_types_of(member)
    chosen = next((e for e in event_types if e.pk == event_type_id), None)
    rest = freebusy.ahead(window, now)
    limit_notes = _limit_notes(member, nav, week.zone, now) if own else {}
    return WeekPage(
        member=member,
        nav=nav,
        zone=zone.key,
        week=week,
        grid=build_grid(
            nav.monday, zone, week.days, week.free, week.busy, week.past, now, notation
        ),
        event_types=event_types,
        event_type=chosen,
        slot_days=slots_by_day(chosen, rest, zone, notation) if chosen and rest else [],
        limit_notes=limit_notes,
    )


def _limit_notes(member: CalendlyUser, nav: WeekNav, schedule_zone: str, now: datetime) -> dict:
    """The week's days a meeting limit closes, counted in the zone of the member's working
    hours (``dashboard.meeting_limits`` says why)."""
    zone = resolve_zone(zone_of(member) if not schedule_zone else _known(schedule_zone, member))
    days = [nav.monday + timedelta(days=i) for i in range(7)]
    return meeting_limits.reached_limits(member, days, zone, now.astimezone(zone).date())


def _known(name: str, member: CalendlyUser) -> str:
    try:
        return resolve_zone(name).key
    except UnknownTimeZone:
        return zone_of(member)


def first_available(
    event_type: EventTypeRow, n: int, zone_name: str, now: datetime, notation: str = H24
) -> str:
    """The copyable text of the first ``n`` bookable times from now, in ``zone_name``, on
    the viewer's clock, grouped by day under one scheduling link (``copy_text``)."""
    rows = AvailableSlot.objects.filter(event_type=event_type, start__gte=now).filter(
        Q(status="available") | Q(status="")
    )
    starts = list(rows.order_by("start").values_list("start", flat=True)[: max(n, 0)])
    return copy_text.grouped_text(
        event_type.name, event_type.duration, starts, zone_name, event_type.scheduling_url,
        partial(clock, notation=notation),
    )
