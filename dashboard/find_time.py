"""Find a time: when are the chosen members free together, and how many are free each hour."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from availability import freebusy
from availability.intervals import Interval, intersect, local_instant, resolve_zone
from availability.models import CalendlyUser, Organization
from dashboard import clock, team_page
from dashboard.week_grid import day_label

DURATIONS = (15, 30, 45, 60, 90, 120)
SLOT_LIMIT = 12
SEARCH_DAYS = 7  # Today and the six days after it, or the seven days of a chosen week.
DEFAULT_HOURS = (7, 19)
NAMES_SHOWN = 10  # Per list of people on the page: it must not grow with the organization.


def names(users: list[CalendlyUser], shown: int = NAMES_SHOWN) -> str:
    """"Ana, Ben and 38 more": the first ``shown`` names and how many others."""
    text = ", ".join(map(str, users[:shown]))
    return f"{text} and {len(users) - shown} more" if len(users) > shown else text


@dataclass(frozen=True, slots=True)
class FoundSlot:
    start: datetime  # In the viewer's zone.
    end: datetime
    free: list[CalendlyUser]
    busy: list[CalendlyUser]
    notation: str = clock.UNKNOWN

    @property
    def label(self) -> str:
        times = f"{clock.clock(self.start, self.notation)}–{clock.clock(self.end, self.notation)}"
        return f"{day_label(self.start.date())}, {times}"

    @property
    def free_names(self) -> str:
        return names(self.free)

    @property
    def busy_names(self) -> str:
        return names(self.busy)


@dataclass(frozen=True, slots=True)
class HeatCell:
    count: int
    level: int  # 0..4, the share of members free, for the shade.
    past: bool = False  # The hour has started: nobody can meet in it any more.


@dataclass(frozen=True, slots=True)
class Heatmap:
    days: list[date]
    rows: list[tuple[str, list[HeatCell]]]  # ("09:00", a cell per day)
    members: int

    @property
    def day_labels(self) -> list[str]:
        return [day_label(d) for d in self.days]


@dataclass(frozen=True, slots=True)
class FindTimeResult:
    span: Interval  # What was searched: from now (or the week's start) to its end.
    days: list[date]  # The local days searched, in the viewer's zone.
    members: list[CalendlyUser]
    skipped: list[tuple[CalendlyUser, str]]  # Members without usable hours, and why.
    needed: int
    slots: list[FoundSlot]
    heatmap: Heatmap
    asked: int | None = None  # The "at least" asked for, which may exceed the members.
    more: bool = False  # More slots were found than are shown.

    @property
    def asked_too_many(self) -> bool:
        return self.asked is not None and self.asked > len(self.members)

    @property
    def skipped_shown(self) -> list[tuple[CalendlyUser, str]]:
        return self.skipped[:NAMES_SHOWN]

    @property
    def skipped_more(self) -> int:
        return max(0, len(self.skipped) - NAMES_SHOWN)

    @property
    def last_day_label(self) -> str:
        return day_label(self.days[-1])

    @property
    def span_label(self) -> str:
        return f"{day_label(self.days[0])} – {day_label(self.days[-1])}"

    @property
    def considered(self) -> list[CalendlyUser]:
        """The members compared, those left out included, by name."""
        return sorted([*self.members, *(u for u, _ in self.skipped)],
                      key=lambda u: (u.name, u.email))


def _level(count: int, total: int) -> int:
    return 0 if not count or not total else max(1, round(4 * count / total))


def local_days(first: date, count: int, zone_name: str) -> Interval:
    """From midnight of ``first`` to midnight ``count`` days later, in ``zone_name``."""
    zone = resolve_zone(zone_name)
    return Interval(local_instant(first, 0, zone), local_instant(first, count * 1440, zone))


def heatmap(
    free_by_member: dict[str, list[Interval]], days: list[date], zone_name: str, now: datetime,
    notation: str = clock.UNKNOWN,
) -> Heatmap:
    """Members free for each whole hour of ``days``; an hour that has started is past."""
    window = local_days(days[0], len(days), zone_name)
    counts: dict[tuple[date, int], int] = {}
    past: set[tuple[date, int]] = set()
    for moment, count in freebusy.free_count_heatmap(free_by_member, window, tz=zone_name):
        counts[(moment.date(), moment.hour)] = count
        if moment < now:
            past.add((moment.date(), moment.hour))
    busy_hours = sorted({hour for (_, hour), count in counts.items() if count})
    first = min([DEFAULT_HOURS[0], *busy_hours[:1]])
    last = max([DEFAULT_HOURS[1], *(h + 1 for h in busy_hours[-1:])])
    total = len(free_by_member)

    zone = resolve_zone(zone_name)

    def cell(day: date, hour: int) -> HeatCell:
        if (day, hour) not in counts:  # An hour the clocks skip: past once its day is.
            return HeatCell(0, 0, local_instant(day, hour * 60, zone) < now)
        count = counts[(day, hour)]
        return HeatCell(count, _level(count, total), (day, hour) in past)

    rows = [(clock.hour_label(hour, notation), [cell(d, hour) for d in days])
            for hour in range(first, last)]
    return Heatmap(days, rows, total)


def _quarter_after(moment: datetime) -> datetime:
    step = timedelta(minutes=15)
    epoch = datetime(1970, 1, 1, tzinfo=moment.tzinfo)
    return epoch + -((epoch - moment) // step) * step


def _candidates(shown: int, duration: int) -> int:
    """How many ranked slots to ask for so that ``_apart`` keeps the same first ``shown``
    as it would of all of them, and one more when there is one: a slot kept rules out at
    most the 2(n - 1) that overlap it, n its length in quarter hours."""
    quarters = -(-duration // 15)
    return shown * (2 * quarters - 1) + 1


def _apart(slots: list[freebusy.Slot]) -> list[freebusy.Slot]:
    """Ranked slots without those overlapping a better one: 09:00, 09:15 and 09:30 for half
    an hour are one choice, not three."""
    kept: list[freebusy.Slot] = []
    for slot in slots:
        if all(slot.end <= k.start or k.end <= slot.start for k in kept):
            kept.append(slot)
    return kept


def find_time(
    org: Organization,
    member_ids: Iterable[int] | None,
    first_day: date,
    duration: int,
    needed: int | None,
    zone_name: str,
    now: datetime,
    day_count: int = SEARCH_DAYS,
    notation: str = clock.UNKNOWN,
    shown: int = SLOT_LIMIT,
    within: list[Interval] | None = None,
) -> FindTimeResult:
    """Slots of ``duration`` minutes over ``day_count`` local days from ``first_day`` (from
    now on: a slot that has started is never proposed) where at least ``needed`` of the
    chosen members (all of them when None) are free, ranked, the first ``shown`` of them;
    plus the heatmap. Slots lie inside ``within`` when given (the organizer's working
    hours); the heatmap still counts every hour, so it shows what widening would find."""
    users = CalendlyUser.objects.filter(memberships__organization=org)
    if member_ids is not None:
        users = users.filter(pk__in=list(member_ids))
    users = list(team_page.by_name(users))
    zone = resolve_zone(zone_name)
    days = [first_day + timedelta(days=i) for i in range(day_count)]
    window = local_days(first_day, day_count, zone.key)
    weeks = team_page.weeks_of(users, first_day, now, window)
    usable = [u for u in users if not weeks[u.pk].problem]
    skipped = [(u, weeks[u.pk].problem) for u in users if weeks[u.pk].problem]
    free = {str(u.pk): weeks[u.pk].free for u in usable}
    by_key = {str(u.pk): u for u in usable}
    needed_asked = needed
    needed = min(needed or len(usable), len(usable))
    slots, more = [], False
    start = max(window.start, _quarter_after(now))
    span = Interval(start, window.end) if start < window.end else window
    if usable and start < window.end:
        bounded = free if within is None else {k: intersect(v, within) for k, v in free.items()}
        found = freebusy.common_slots(
            bounded, span, timedelta(minutes=duration), min_free=max(needed, 1),
            limit=_candidates(shown, duration),
        )
        apart = _apart(found)
        more = len(apart) > shown
        slots = [
            FoundSlot(
                s.start.astimezone(zone),
                s.end.astimezone(zone),
                [by_key[k] for k in s.free],
                [by_key[k] for k in s.busy],
                notation,
            )
            for s in apart[:shown]
        ]
    return FindTimeResult(span, days, usable, skipped, needed, slots,
                          heatmap(free, days, zone.key, now, notation), needed_asked, more)
