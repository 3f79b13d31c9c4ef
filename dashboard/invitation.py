"""A found time as an .ics invitation (RFC 5545): one VEVENT in UTC, the organizer and
every participant with an email as attendees, written by the ``icalendar`` library."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, vCalAddress

from availability.models import CalendlyUser
from dashboard.find_time import names

PRODID = "-//Calendly availability dashboard//Find a time//EN"


def _address(person: CalendlyUser, **params) -> vCalAddress:
    return vCalAddress.new(person.email, cn=str(person), **params)


def uid(
    organizer: CalendlyUser, people: list[CalendlyUser], start: datetime, minutes: int, domain: str
) -> str:
    """The same for the same meeting, so a second download updates the event it made
    rather than adding another."""
    key = f"{organizer.pk}|{sorted(p.pk for p in people)}|{start.astimezone(UTC).isoformat()}|{minutes}"
    return f"{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}"


def invitation(
    organizer: CalendlyUser,
    people: list[CalendlyUser],
    start: datetime,
    minutes: int,
    now: datetime,
    domain: str,
    description: str = "",
) -> bytes:
    """The calendar file of a meeting of ``minutes`` from ``start`` with ``people``.

    People without an email cannot be addressed, so they are named in the description
    instead of being left out silently."""
    begin = start.astimezone(UTC)
    addressed = [p for p in people if p.email]
    unaddressed = [p for p in people if not p.email]
    if unaddressed:
        description = f"{description}\n\nNo email known for: {names(unaddressed)}.".strip()
    event = Event.new(
        uid=uid(organizer, people, start, minutes, domain),
        stamp=now.astimezone(UTC),
        start=begin,
        end=begin + timedelta(minutes=minutes),
        summary=f"Meeting: {names(people, 5)}",
        description=description or None,
        organizer=_address(organizer) if organizer.email else None,
        attendees=[
            _address(p, role="REQ-PARTICIPANT", partstat="NEEDS-ACTION", rsvp=True)
            for p in addressed
        ],
    )
    return Calendar.new(prodid=PRODID, method="REQUEST", subcomponents=[event]).to_ical()


def file_name(start: datetime) -> str:
    return f"meeting-{start.astimezone(UTC):%Y%m%dT%H%MZ}.ics"
