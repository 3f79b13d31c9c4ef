"""The read side of the calendar pages: load a week's synced data in a bounded number of
queries and turn it into view models with the pure functions of ``availability.freebusy``.

Every loader takes many people at once (a list of user ids, or a whole organization), so
the team pages cost the same few queries for ten members or a thousand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, QuerySet

from availability import freebusy
from availability.intervals import Interval, UnknownTimeZone, resolve_zone, week_bounds
from availability.models import AvailabilitySchedule, AvailableSlot, BusyBlock, CalendlyUser
from availability.models import EventType as EventTypeRow
from availability.weekgrid import WeekGrid, build_grid, day_label

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
    """The week shown and its neighbours: from this week to the last synced one."""

    monday: date
    first: date
    last: date

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
    def label(self) -> str:
        return f"{day_label(self.monday)} – {day_label(self.monday + timedelta(days=6))}"


def week_nav(requested: date | None, today: date) -> WeekNav:
    """The requested week (any day of it), held between this week and the week holding the
    last day the sync reaches (``SYNC_HORIZON_DAYS``)."""
    first = monday_of(today)
    last = monday_of(today + timedelta(days=max(settings.SYNC_HORIZON_DAYS - 1, 0)))
    monday = monday_of(requested) if requested else first
    return WeekNav(min(max(monday, first), last), first, last)


# --- Loading ------------------------------------------------------------------------------


def default_schedules(users: QuerySet | Iterable[int]) -> dict[int, AvailabilitySchedule]:
    """Each user's default schedule (else their first), in one query."""
    schedules = AvailabilitySchedule.objects.filter(user_id__in=users).order_by(
        "user_id", "-is_default", "pk"
    )
    chosen: dict[int, AvailabilitySchedule] = {}
    for schedule in schedules:
        chosen.setdefault(schedule.user_id, schedule)
    return chosen


def busy_blocks(users: QuerySet | Iterable[int], window: Interval) -> dict[int, list]:
    """Busy blocks near ``window`` by user id, as ``freebusy.BusyBlock``s, in one query."""
    rows = BusyBlock.objects.filter(
        user_id__in=users, start__lt=window.end + MARGIN, end__gt=window.start - MARGIN
    ).order_by("start")
    blocks: dict[int, list[freebusy.BusyBlock]] = defaultdict(list)
    for row in rows:
        blocks[row.user_id].append(
            freebusy.BusyBlock(
                row.start,
                row.end,
                kind=row.type,
                buffered_start=row.buffered_start,
                buffered_end=row.buffered_end,
                label=row.event_name,
            )
        )
    return blocks


# --- One person's week --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberWeek:
    """A member's working, busy and free time over a window; ``problem`` says why it is empty."""

    window: Interval
    zone: str  # The schedule's time zone.
    days: list[freebusy.WorkingDay]
    busy: list[freebusy.BusyBlock]
    free: list[Interval]
    totals: freebusy.WeekTotals
    problem: str = ""


def member_week(
    schedule: AvailabilitySchedule | None, blocks: list[freebusy.BusyBlock], window: Interval
) -> MemberWeek:
    problem, days = "", []
    if schedule is None:
        problem = "No availability schedule synced yet."
    else:
        try:
            days = freebusy.working_days(schedule.rules, schedule.timezone, window)
        except UnknownTimeZone:
            problem = f"Unknown time zone “{schedule.timezone}”: working hours not shown."
        except freebusy.InvalidRule as error:
            problem = f"Calendly sent an availability rule we cannot read ({error})."
    working = [i for day in days for i in day.intervals]
    free = freebusy.free_intervals(working, freebusy.busy_intervals(blocks))
    return MemberWeek(
        window=window,
        zone=schedule.timezone if schedule else "",
        days=days,
        busy=blocks,
        free=free,
        totals=freebusy.week_totals(working, blocks, window),
        problem=problem,
    )


def load_member_week(member: CalendlyUser, window: Interval) -> MemberWeek:
    """Two queries: the schedule and the busy blocks."""
    schedule = default_schedules([member.pk]).get(member.pk)
    return member_week(schedule, busy_blocks([member.pk], window).get(member.pk, []), window)


def zone_of(member: CalendlyUser, schedule: AvailabilitySchedule | None = None) -> str:
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
    slots: list[tuple[str, AvailableSlot]]  # ("09:30" in the display zone, the slot)

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


def event_types_of(member: CalendlyUser) -> list[EventTypeRow]:
    """The bookable event types the member owns or hosts (a team's round robin, say)."""
    mine = Q(owner=member) | Q(pk__in=member.hosted_event_types.values("pk"))
    rows = EventTypeRow.objects.filter(mine, active=True, deleted_at__isnull=True)
    return list(rows.order_by("position", "name", "pk"))


def slots_by_day(event_type: EventTypeRow, window: Interval, zone: ZoneInfo) -> list[DaySlots]:
    rows = AvailableSlot.objects.filter(
        event_type=event_type, start__gte=window.start, start__lt=window.end
    ).filter(Q(status="available") | Q(status=""))
    days: dict[date, list] = defaultdict(list)
    for slot in rows.order_by("start"):
        local = slot.start.astimezone(zone)
        days[local.date()].append((f"{local:%H:%M}", slot))
    return [DaySlots(day, slots) for day, slots in days.items()]


def week_page(
    member: CalendlyUser, nav: WeekNav, zone_name: str, event_type_id: int | None
) -> WeekPage:
    zone = resolve_zone(zone_name)
    window = week_bounds(nav.monday, zone.key)
    week = load_member_week(member, window)
    event_types = event_types_of(member)
    chosen = next((e for e in event_types if e.pk == event_type_id), None)
    return WeekPage(
        member=member,
        nav=nav,
        zone=zone.key,
        week=week,
        grid=build_grid(nav.monday, zone, week.days, week.free, week.busy),
        event_types=event_types,
        event_type=chosen,
        slot_days=slots_by_day(chosen, window, zone) if chosen else [],
    )


def first_available(event_type: EventTypeRow, n: int, zone_name: str, now: datetime) -> str:
    """The copyable text of the first ``n`` bookable times from now, in ``zone_name``."""
    rows = AvailableSlot.objects.filter(event_type=event_type, start__gte=now).filter(
        Q(status="available") | Q(status="")
    )
    slots = [(s.start, s.scheduling_url or event_type.scheduling_url) for s in rows.order_by("start")[:n]]
    return freebusy.first_available_text(slots, n, zone_name)
