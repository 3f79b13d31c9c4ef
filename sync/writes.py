"""Writes of Calendly records: upserts keyed by URI and atomic window replacement.

Every function here is idempotent: writing the same records twice leaves the
same rows. ``bulk_create(update_conflicts=True)`` is one statement per batch on
SQLite and PostgreSQL, so a page of 100 records is one write, not 100.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from django.db import models, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from availability import models as m
from calendly import resources as r
from sync.windows import Window


def _ids(model, uris: Iterable[str]) -> dict[str, int]:
    return dict(model.objects.filter(uri__in=set(uris)).values_list("uri", "id"))


def _fit(rows: Iterable[models.Model]) -> list[models.Model]:
    """Text cut to its column: an overlong name from Calendly must not fail a whole page."""
    rows = list(rows)
    for row in rows:
        for field in row._meta.concrete_fields:
            value = getattr(row, field.attname)
            if isinstance(field, models.CharField) and isinstance(value, str):
                setattr(row, field.attname, value[: field.max_length])
    return rows


def _upsert(model, rows: Sequence, fields: Sequence[str]) -> int:
    # One row per URI, the last one winning: PostgreSQL refuses a whole statement that
    # would update a row twice ("ON CONFLICT DO UPDATE command cannot affect row a second
    # time"), and a page from Calendly may name a URI twice.
    # Rows in URI order take their row locks in one order in every transaction, so two
    # syncs writing overlapping pages wait for each other instead of deadlocking.
    rows = sorted({row.uri: row for row in rows}.values(), key=lambda row: row.uri)
    model.objects.bulk_create(
        _fit(rows), update_conflicts=True, unique_fields=["uri"], update_fields=list(fields)
    )
    return len(rows)


def upsert_organizations(uris: Iterable[str]) -> dict[str, int]:
    uris = set(uris)
    now = timezone.now()
    rows = [m.Organization(uri=uri, synced_at=now) for uri in uris]
    _upsert(m.Organization, rows, ["synced_at"])
    return _ids(m.Organization, uris)


USER_FIELDS = [
    "name",
    "email",
    "slug",
    "scheduling_url",
    "avatar_url",
    "timezone",
    "timezone_known",
]


def upsert_users(users: Iterable[r.User], organization_ids: dict[str, int]) -> dict[str, int]:
    users = list({user.uri: user for user in users}.values())
    rows = [
        m.CalendlyUser(
            uri=u.uri,
            name=u.name,
            email=u.email,
            slug=u.slug,
            scheduling_url=u.scheduling_url,
            avatar_url=u.avatar_url or "",
            timezone=u.timezone,
            timezone_known=u.timezone_known,
            organization_id=organization_ids.get(u.current_organization or ""),
        )
        for u in users
    ]
    # Never blank a known organization with a user record that lacks one.
    fields = USER_FIELDS + (["organization"] if all(row.organization_id for row in rows) else [])
    _upsert(m.CalendlyUser, rows, fields)
    return _ids(m.CalendlyUser, (u.uri for u in users))


def upsert_memberships(memberships: Sequence[r.Membership]) -> int:
    """The users, organizations and roles of a page of memberships, in one transaction: a
    page that reads a user between the two writes would show them without their role (a
    signed-in admin without the Team link, and nothing redraws the navigation later)."""
    with transaction.atomic():
        org_ids = upsert_organizations(ms.organization for ms in memberships)
        users = [_with_org(ms.user, ms.organization) for ms in memberships]
        user_ids = upsert_users(users, org_ids)
        now = timezone.now()
        rows = [
            m.Membership(
                uri=ms.uri,
                organization_id=org_ids[ms.organization],
                user_id=user_ids[ms.user.uri],
                role=ms.role,
                synced_at=now,
            )
            for ms in memberships
        ]
        return _upsert(m.Membership, rows, ["organization", "user", "role", "synced_at"]) * 2


def _with_org(user: r.User, organization: str) -> r.User:
    # A membership's user object carries no current_organization: the membership says it.
    return user if user.current_organization else replace(user, current_organization=organization)


def prune_memberships(
    *, kept: set[str], organization: str | None = None, user: str | None = None
) -> int:
    """Deletes memberships Calendly no longer lists for this organization or user."""
    stale = m.Membership.objects.exclude(uri__in=kept)
    if organization:
        stale = stale.filter(organization__uri=organization)
    if user:
        stale = stale.filter(user__uri=user)
    return stale.delete()[0]


EVENT_TYPE_FIELDS = [
    "owner",
    "organization",
    "profile_type",
    "profile_name",
    "profile_owner_uri",
    "name",
    "slug",
    "active",
    "scheduling_url",
    "duration",
    "duration_options",
    "kind",
    "pooling_type",
    "type",
    "color",
    "description_plain",
    "secret",
    "booking_method",
    "admin_managed",
    "position",
    "deleted_at",
    "calendly_updated_at",
    "synced_at",
]


def upsert_event_types(event_types: Sequence[r.EventType], organization: str | None) -> int:
    org_id = _ids(m.Organization, [organization]).get(organization) if organization else None
    owner_ids = _ids(m.CalendlyUser, (et.profile_owner for et in event_types if et.profile_owner))
    now = timezone.now()
    rows = [_event_type_row(et, owner_ids, org_id, now) for et in event_types]
    count = _upsert(m.EventType, rows, EVENT_TYPE_FIELDS)
    # An event type that is no longer bookable offers no slots.
    closed = [et.uri for et in event_types if not et.active or et.deleted_at]
    m.AvailableSlot.objects.filter(event_type__uri__in=closed).delete()
    return count


def _event_type_row(et: r.EventType, owner_ids: dict, org_id: int | None, now) -> m.EventType:
    return m.EventType(
        uri=et.uri,
        owner_id=owner_ids.get(et.profile_owner or ""),
        organization_id=org_id,
        profile_type=et.profile_type or "",
        profile_name=et.profile_name or "",
        profile_owner_uri=et.profile_owner or "",
        name=et.name or "",
        slug=et.slug or "",
        active=et.active,
        scheduling_url=et.scheduling_url,
        duration=et.duration,
        duration_options=et.duration_options,
        kind=et.kind,
        pooling_type=et.pooling_type or "",
        type=et.type,
        color=et.color,
        description_plain=et.description_plain or "",
        secret=et.secret,
        booking_method=et.booking_method,
        admin_managed=et.admin_managed,
        position=et.position,
        deleted_at=et.deleted_at,
        calendly_updated_at=et.updated_at,
        synced_at=now,
    )


def retire_event_types(organization: str, listed: set[str]) -> int:
    """Event types of the organization that Calendly no longer lists were deleted there:
    kept (past bookings refer to them), marked deleted, and no longer bookable."""
    gone = m.EventType.objects.filter(organization__uri=organization).exclude(uri__in=listed)
    m.AvailableSlot.objects.filter(event_type__in=gone).delete()
    return gone.filter(deleted_at=None).update(deleted_at=timezone.now(), active=False)


def retire_event_type(uri: str) -> int:
    """Calendly deleted it: kept (past bookings name it), marked deleted, its slots gone."""
    m.AvailableSlot.objects.filter(event_type__uri=uri).delete()
    return m.EventType.objects.filter(uri=uri, deleted_at=None).update(
        deleted_at=timezone.now(), active=False
    )


def user_ids(uris: Iterable[str]) -> dict[str, int]:
    return _ids(m.CalendlyUser, uris)


def event_type_ids(uris: Iterable[str]) -> dict[str, int]:
    return _ids(m.EventType, uris)


SCHEDULE_FIELDS = ["user", "name", "is_default", "timezone", "timezone_known", "rules", "synced_at"]


def replace_schedules_of(
    listed: Sequence[tuple[int, Sequence[r.AvailabilitySchedule]]],
) -> int:
    """Each user's schedules become exactly those listed for them: one delete and one upsert
    for all of them."""
    now = timezone.now()
    rows = [
        m.AvailabilitySchedule(
            uri=s.uri,
            user_id=user_id,
            name=s.name,
            is_default=s.default,
            timezone=s.timezone,
            timezone_known=s.timezone_known,
            rules=s.rules,
            synced_at=now,
        )
        for user_id, schedules in listed
        for s in schedules
    ]
    with transaction.atomic():
        m.AvailabilitySchedule.objects.filter(
            user_id__in=[user_id for user_id, _ in listed]
        ).exclude(uri__in=[row.uri for row in rows]).delete()
        return _upsert(m.AvailabilitySchedule, rows, SCHEDULE_FIELDS)


def upsert_scheduled_events(events: Sequence[r.ScheduledEvent], name_blocks: bool = True) -> int:
    """Remembers the events' names and, with ``name_blocks``, names the busy blocks already
    stored for them. An organization run leaves that to its end (``name_busy_blocks``):
    this update takes blocks of every member, which other processes are replacing."""
    now = timezone.now()
    rows = [m.ScheduledEvent(uri=e.uri, name=e.name, start=e.start, synced_at=now) for e in events]
    count = _upsert(m.ScheduledEvent, rows, ["name", "start", "synced_at"])
    if not name_blocks:
        return count
    name = m.ScheduledEvent.objects.filter(uri=OuterRef("event_uri")).values("name")[:1]
    m.BusyBlock.objects.filter(event_uri__in=[e.uri for e in events]).update(
        event_name=Subquery(name)
    )
    return count


def expected_events(organization: str, since: datetime) -> int:
    """How many booked events of the organization's members from ``since`` the last run
    stored: the size a new listing of them will probably have."""
    members = m.Membership.objects.filter(organization__uri=organization).values("user_id")
    return (
        m.BusyBlock.objects.filter(user_id__in=members, start__gte=since)
        .exclude(event_uri="")
        .values("event_uri")
        .distinct()
        .count()
    )


def forget_past_events(before: datetime) -> int:
    """Names of events that started before ``before``: no busy window asks for them again."""
    return m.ScheduledEvent.objects.filter(start__lt=before).delete()[0]


def _event_names(busy: Iterable[r.BusyTime]) -> dict[str, str]:
    uris = {b.event_uri for b in busy if b.event_uri}
    return dict(m.ScheduledEvent.objects.filter(uri__in=uris).values_list("uri", "name"))


def replace_busy_window(user_id: int, window: Window, busy: Sequence[r.BusyTime]) -> int:
    """Stored busy blocks of the user in ``window`` become exactly Calendly's."""
    return replace_busy_windows([((user_id, window), busy)])


# Windows per DELETE: SQLite parses a chain of ORs as a tree no deeper than 1,000.
WINDOWS_PER_DELETE = 200


def replace_busy_windows(
    listed: Sequence[tuple[tuple[int, Window], Sequence[r.BusyTime]]],
) -> int:
    """Stored busy blocks of each (user, window) become exactly Calendly's, named by the
    events' names known so far (``upsert_scheduled_events`` names the rest when they come):
    one lookup of names, one delete and one insert for all the windows."""
    now = timezone.now()
    names = _event_names(b for _, busy in listed for b in busy)
    rows = [
        m.BusyBlock(
            user_id=user_id,
            type=b.type,
            start=b.start,
            end=b.end,
            buffered_start=b.buffered_start,
            buffered_end=b.buffered_end,
            event_uri=b.event_uri or "",
            event_name=names.get(b.event_uri or "", ""),
            synced_at=now,
        )
        for (user_id, window), busy in listed
        for b in busy
        if window.contains(b.start)  # a block straddling two windows is stored once
    ]
    with transaction.atomic():
        for start in range(0, len(listed), WINDOWS_PER_DELETE):
            owned = Q(pk__in=[])
            for (user_id, window), _ in listed[start : start + WINDOWS_PER_DELETE]:
                owned |= Q(window.owns(), user_id=user_id)
            m.BusyBlock.objects.filter(owned).delete()
        m.BusyBlock.objects.bulk_create(_fit(rows))
    return len(rows)


def name_busy_blocks(organization: str) -> int:
    """Names the members' booked blocks still unnamed whose event's name is known: blocks
    one process wrote while another was still reading the names."""
    name = m.ScheduledEvent.objects.filter(uri=OuterRef("event_uri")).values("name")[:1]
    known = m.ScheduledEvent.objects.filter(uri=OuterRef("event_uri"))
    members = m.Membership.objects.filter(organization__uri=organization).values("user_id")
    return (
        m.BusyBlock.objects.filter(user_id__in=members, event_name="")
        .exclude(event_uri="")
        .filter(models.Exists(known))
        .update(event_name=Subquery(name))
    )


def replace_slot_window(
    event_type_id: int, window: Window, times: Sequence[r.AvailableTime]
) -> int:
    """Stored slots of the event type in ``window`` become exactly Calendly's."""
    now = timezone.now()
    rows = {
        t.start: m.AvailableSlot(
            event_type_id=event_type_id,
            start=t.start,
            status=t.status,
            invitees_remaining=max(0, t.invitees_remaining),
            scheduling_url=t.scheduling_url,
            synced_at=now,
        )
        for t in times
        if window.contains(t.start)
    }
    with transaction.atomic():
        m.AvailableSlot.objects.filter(window.owns(), event_type_id=event_type_id).delete()
        m.AvailableSlot.objects.bulk_create(_fit(rows.values()))
    return len(rows)


def note_problem(user_uri: str, kind: str, detail: str) -> None:
    m.CalendlyUser.objects.filter(uri=user_uri).update(
        sync_problem=kind, sync_problem_detail=detail[:500], sync_problem_at=timezone.now()
    )


def note_synced(user_uris: Iterable[str]) -> None:
    """The users read cleanly: synced now, and whatever went wrong before is over."""
    m.CalendlyUser.objects.filter(uri__in=list(user_uris)).update(
        synced_at=timezone.now(), sync_problem="", sync_problem_detail="", sync_problem_at=None
    )
