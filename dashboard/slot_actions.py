"""What each time find-a-time proposes offers: a short message giving the time in each
participant's own zone, and the booking link of a collective event type those people host.

The page lists up to 96 times for up to a whole organization, so the participants are
grouped by zone once and each message costs a line per zone, not per person; the event
types, their hosts and their slots are read in three queries whatever the number of times."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from django.db.models import Prefetch
from django.urls import reverse

from availability.intervals import resolve_zone
from availability.models import AvailableSlot, CalendlyUser, EventType, Organization
from dashboard import clock, week_page
from dashboard.find_time import FoundSlot, names
from dashboard.week_grid import day_label

ZONES_SHOWN = 10  # Lines of a message: a short message, even for a whole organization.


@dataclass(frozen=True, slots=True)
class Booking:
    """A collective event type hosted by exactly the people free at a time."""

    name: str
    url: str  # Calendly's booking link of that very time, else the event type's page.
    offered: bool  # Calendly offers the time (a synced available slot starts then).
    duration: int


@dataclass(frozen=True, slots=True)
class SlotActions:
    slot: FoundSlot
    message: str
    invitation_url: str
    booking: Booking | None


def by_zone(people: list[CalendlyUser]) -> dict[str, list[CalendlyUser]]:
    """The participants by their own zone (their Calendly profile's, else UTC)."""
    zones: dict[str, list[CalendlyUser]] = defaultdict(list)
    for person in people:
        zones[week_page.zone_of(person)].append(person)
    return dict(zones)


def message(
    slot: FoundSlot, zones: dict[str, list[CalendlyUser]], duration: int, notation: str
) -> str:
    """ "Proposed: a 30-minute meeting", then the time in each zone and who is there, the
    zones in the order their clocks read (earliest first), and who is not free."""

    def local(zone: str) -> tuple[datetime, datetime]:
        tz = resolve_zone(zone)
        return slot.start.astimezone(tz), slot.end.astimezone(tz)

    def line(zone: str) -> str:
        start, end = local(zone)
        times = f"{clock.clock(start, notation)}–{clock.clock(end, notation)}"
        return f"- {day_label(start.date())}, {times} {zone}: {names(zones[zone])}"

    ordered = sorted(zones, key=lambda z: (local(z)[0].replace(tzinfo=None), z))
    lines = [f"Proposed: a {duration}-minute meeting, in each of our time zones:"]
    lines += [line(zone) for zone in ordered[:ZONES_SHOWN]]
    if len(ordered) > ZONES_SHOWN:
        lines.append(f"- and people in {len(ordered) - ZONES_SHOWN} more time zones")
    if slot.busy:
        lines.append(f"Not free then: {slot.busy_names}.")
    return "\n".join(lines)


def collective_bookings(org: Organization, slots: list[FoundSlot]) -> dict[datetime, Booking]:
    """For each time, the organization's active collective event type whose hosts are
    exactly the people free then, with Calendly's link for that time when it offers it
    (the ``scheduling_url`` of its available time, as synced). Three queries."""
    hosted = (
        EventType.objects.filter(
            organization=org, pooling_type="collective", active=True, deleted_at__isnull=True
        )
        .prefetch_related(Prefetch("hosts", queryset=CalendlyUser.objects.only("pk")))
        .order_by("name", "pk")
    )
    by_hosts: dict[frozenset[int], EventType] = {}
    for event_type in hosted:
        by_hosts.setdefault(frozenset(h.pk for h in event_type.hosts.all()), event_type)
    wanted = {s.start: by_hosts.get(frozenset(u.pk for u in s.free)) for s in slots}
    wanted = {start: et for start, et in wanted.items() if et is not None}
    if not wanted:
        return {}
    offered = _offered(wanted)
    return {
        start: Booking(
            et.name,
            offered.get((et.pk, start)) or et.scheduling_url,
            (et.pk, start) in offered,
            et.duration,
        )
        for start, et in wanted.items()
    }


def _offered(wanted: dict[datetime, EventType]) -> dict[tuple[int, datetime], str]:
    rows = (
        AvailableSlot.objects.filter(
            event_type__in={et.pk for et in wanted.values()},
            start__in=list(wanted),
            status="available",
        )
        .exclude(scheduling_url="")
        .values_list("event_type_id", "start", "scheduling_url")
    )
    return {(et_id, start): url for et_id, start, url in rows}


def invitation_url(selection: dict[str, list[str]], slot: FoundSlot, duration: int) -> str:
    """The .ics download of a time: who was compared (as the search asked), when, how long."""
    query = {
        **selection,
        "start": [slot.start.astimezone(UTC).isoformat()],
        "duration": [str(duration)],
    }
    return f"{reverse('dashboard:find_a_time_invitation')}?{urlencode(query, doseq=True)}"


def slot_actions(
    org: Organization,
    slots: list[FoundSlot],
    participants: list[CalendlyUser],
    selection: dict[str, list[str]],
    duration: int,
    notation: str,
) -> list[SlotActions]:
    zones = by_zone(participants)
    bookings = collective_bookings(org, slots)
    return [
        SlotActions(
            s,
            message(s, zones, duration, notation),
            invitation_url(selection, s, duration),
            bookings.get(s.start),
        )
        for s in slots
    ]
