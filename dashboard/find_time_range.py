"""The range find-a-time searches: from now over a span of days, no further than the synced
data reaches, and by default only inside the organizer's own working hours."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings

from availability.intervals import Interval, resolve_zone
from availability.models import CalendlyUser, Organization
from dashboard import clock, week_page
from dashboard.find_time import local_days
from dashboard.week_grid import day_label

SPANS = (7, 14, 21, 28)  # The choices offered; any whole number of days up to the last is read.
DEFAULT_SPAN = 14
# A run plans its windows from its start and marks the people synced at its end: their data
# reaches a little less far than synced_at + horizon.
REACH_SLACK = timedelta(hours=1)


def span_asked(text: str | None) -> tuple[int, str]:
    """The days asked for by ``?days=``, and why they are not what was written, if so."""
    if not text:
        return DEFAULT_SPAN, ""
    try:
        days = int(text)
    except ValueError:
        return (
            DEFAULT_SPAN,
            f"“{text[:20]}” is not a number of days, so {DEFAULT_SPAN} are searched.",
        )
    if days < 1:
        return DEFAULT_SPAN, f"A search needs at least one day, so {DEFAULT_SPAN} are searched."
    if days > SPANS[-1]:
        return SPANS[-1], f"At most {SPANS[-1]} days can be searched, so {SPANS[-1]} are."
    return days, ""


def data_reach(
    org: Organization, member_ids: Iterable[int] | None, now: datetime
) -> tuple[datetime, CalendlyUser | None]:
    """Where the synced busy times end for everyone compared: the sync horizon after the
    oldest of their last clean syncs (now for people no clean sync has marked yet), and
    whose sync that is. One query."""
    users = CalendlyUser.objects.filter(memberships__organization=org, synced_at__lt=now)
    if member_ids is not None:
        users = users.filter(pk__in=list(member_ids))
    oldest = users.order_by("synced_at", "pk").only("name", "email", "synced_at").first()
    start = oldest.synced_at if oldest else now
    return start + timedelta(days=settings.SYNC_HORIZON_DAYS) - REACH_SLACK, oldest


@dataclass(frozen=True, slots=True)
class SearchRange:
    first_day: date
    days: int  # Whole local days searched, from today: 0 when the data ends today.
    asked: int
    reach: datetime  # Where the synced data ends, in the viewer's zone.
    notation: str = clock.UNKNOWN
    oldest: CalendlyUser | None = None  # Whose last sync sets the reach.

    @property
    def cut(self) -> bool:
        """Fewer days are searched than were asked, because the data ends sooner."""
        return self.days < self.asked

    @property
    def last_day_label(self) -> str:
        return day_label(self.first_day + timedelta(days=max(self.days, 1) - 1))

    @property
    def horizon(self) -> int:
        return settings.SYNC_HORIZON_DAYS

    @property
    def reach_label(self) -> str:
        """Like "Tue 5 Jan 2027, 14:02"."""
        moment = self.reach
        return f"{day_label(moment.date())} {moment.year}, {clock.clock(moment, self.notation)}"


def search_range(
    today: date,
    asked: int,
    zone_name: str,
    reach: tuple[datetime, CalendlyUser | None],
    notation: str = clock.UNKNOWN,
) -> SearchRange:
    """The whole local days from ``today`` that the synced data covers, at most ``asked``:
    a day the data stops in is left out rather than shown free where nothing is known."""
    end, oldest = reach
    days = asked
    while days > 0 and local_days(today, days, zone_name).end > end:
        days -= 1
    local = end.astimezone(resolve_zone(zone_name))
    return SearchRange(today, days, asked, local, notation, oldest)


def organizer_hours(
    organizer: CalendlyUser, window: Interval, now: datetime
) -> tuple[list[Interval] | None, str]:
    """The organizer's working time over ``window`` from their default schedule; None, and
    why, when it cannot be read (then the search takes every hour, and says so)."""
    schedule = week_page.default_schedules([organizer.pk]).get(organizer.pk)
    week = week_page.member_week(schedule, [], window, now)
    if week.problem:
        why = week.problem.rstrip(".")
        return None, f"Your own working hours are unknown ({why}), so every hour is searched."
    return week.working, ""
