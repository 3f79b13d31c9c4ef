"""Small builders of synced data for the calendar views: rows as a sync would store them."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import CalendlyCredential
from availability.models import (
    AvailabilitySchedule,
    AvailableSlot,
    BusyBlock,
    CalendlyUser,
    EventType,
    Membership,
    Organization,
)

_ids = itertools.count(1)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
NINE_TO_FIVE = [{"type": "wday", "wday": d, "intervals": [{"from": "09:00", "to": "17:00"}]}
                for d in WEEKDAYS]


def organization(name: str = "Acme") -> Organization:
    return Organization.objects.create(uri=f"https://api.example/organizations/{next(_ids)}", name=name)


def calendly_user(org: Organization | None, name: str, tz: str = "Europe/Berlin",
                  role: str = Membership.Role.USER, email: str = "") -> CalendlyUser:
    n = next(_ids)
    user = CalendlyUser.objects.create(
        uri=f"https://api.example/users/{n}",
        name=name,
        email=email or f"{name.split()[0].lower()}{n}@example.com",
        timezone=tz,
        timezone_known=True,
        organization=org,
    )
    if org is not None:
        Membership.objects.create(uri=f"https://api.example/memberships/{n}", organization=org,
                                  user=user, role=role, synced_at=timezone.now())
    return user


def sign_in(client, member: CalendlyUser, state: str = CalendlyCredential.State.ACTIVE):
    """A dashboard user holding a credential for ``member``, logged in on ``client``."""
    user = get_user_model().objects.create(username=f"u{next(_ids)}")
    credential = CalendlyCredential.objects.create(
        user=user,
        calendly_user_uri=member.uri,
        organization_uri=member.organization.uri if member.organization else "",
        access_token="access",
        refresh_token="refresh",
        access_expires_at=timezone.now() + timedelta(hours=2),
        state=state,
    )
    client.force_login(user)
    return credential


def schedule(member: CalendlyUser, rules=None, tz: str | None = None) -> AvailabilitySchedule:
    return AvailabilitySchedule.objects.create(
        uri=f"https://api.example/user_availability_schedules/{next(_ids)}",
        user=member,
        name="Working hours",
        is_default=True,
        timezone=tz or member.timezone,
        timezone_known=True,
        rules=NINE_TO_FIVE if rules is None else rules,
        synced_at=timezone.now(),
    )


def busy(member: CalendlyUser, start: datetime, minutes: int, kind: str = "calendly",
         buffer_minutes: int = 0, name: str = "") -> BusyBlock:
    end = start + timedelta(minutes=minutes)
    pad = timedelta(minutes=buffer_minutes)
    return BusyBlock.objects.create(
        user=member, type=kind, start=start, end=end,
        buffered_start=start - pad if buffer_minutes else None,
        buffered_end=end + pad if buffer_minutes else None,
        event_uri=f"https://api.example/scheduled_events/{next(_ids)}" if kind == "calendly" else "",
        event_name=name,
        synced_at=timezone.now(),
    )


def event_type(member: CalendlyUser | None, name: str = "Intro call", kind: str = "solo",
               duration: int = 30, hosts: tuple[CalendlyUser, ...] = (),
               org: Organization | None = None) -> EventType:
    """``member`` owns its profile (None: a team's); ``hosts`` host it, as a user sync learns."""
    n = next(_ids)
    et = EventType.objects.create(
        uri=f"https://api.example/event_types/{n}", owner=member,
        organization=org or member.organization, name=name, kind=kind, duration=duration,
        scheduling_url=f"https://calendly.example/{n}/intro", synced_at=timezone.now(),
    )
    et.hosts.set(hosts)
    return et


def slot(et: EventType, start: datetime, seats: int = 1) -> AvailableSlot:
    return AvailableSlot.objects.create(
        event_type=et, start=start, invitees_remaining=seats,
        scheduling_url=f"{et.scheduling_url}/{start:%Y-%m-%dT%H:%M}", synced_at=timezone.now(),
    )


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)
