"""Writes: upserts by URI are idempotent, a window is replaced exactly, vanished event types retire."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from availability import models as m
from calendly import resources as r
from sync import writes
from sync.windows import Window

T0 = datetime(2030, 3, 4, 10, 0, tzinfo=UTC)
ORG = "https://api.calendly.com/organizations/O"
ME = "https://api.calendly.com/users/ME"
pytestmark = pytest.mark.django_db


def membership(uri: str, user: str, role: str = "user", name: str = "Ann") -> r.Membership:
    person = r.User(
        uri=user,
        name=name,
        email="a@x.example",
        slug="a",
        scheduling_url="",
        timezone="Europe/Paris",
        timezone_known=True,
        avatar_url=None,
        current_organization=None,
    )
    return r.Membership(uri=uri, role=role, organization=ORG, user=person)


def busy(start: datetime, hours: float = 1, event: str = "e") -> r.BusyTime:
    return r.BusyTime(
        "calendly",
        start,
        start + timedelta(hours=hours),
        None,
        None,
        f"https://api.calendly.com/scheduled_events/{event}",
    )


def test_memberships_upsert_by_uri_and_update_in_place():
    writes.upsert_memberships(
        [membership("https://api.calendly.com/organization_memberships/1", ME)]
    )
    writes.upsert_memberships(
        [
            membership(
                "https://api.calendly.com/organization_memberships/1",
                ME,
                role="admin",
                name="Ann B." + "x" * 300,
            )
        ]
    )
    (row,) = m.Membership.objects.select_related("user", "organization")
    assert row.role == "admin" and row.organization.uri == ORG
    assert row.user.name.startswith("Ann B.") and len(row.user.name) == 200
    assert m.CalendlyUser.objects.get().organization.uri == ORG


def test_a_page_of_memberships_is_written_whole_or_not_at_all():
    """A reader never meets a user without the role their page gave them: had the users
    been committed before the memberships failed, a signed-in admin would see no Team link."""
    with pytest.raises(IntegrityError, match="(?i)null"):
        writes.upsert_memberships(
            [membership("https://api.calendly.com/organization_memberships/1", ME, role=None)]
        )
    assert not m.CalendlyUser.objects.exists()
    assert not m.Organization.objects.exists()


def test_a_window_is_replaced_by_exactly_what_calendly_returned():
    writes.upsert_memberships(
        [membership("https://api.calendly.com/organization_memberships/1", ME)]
    )
    first, second = (
        Window(T0, T0 + timedelta(days=7), first=True),
        Window(T0 + timedelta(days=7), T0 + timedelta(days=14), last=True),
    )
    straddling = busy(T0 + timedelta(days=7) - timedelta(minutes=30), event="s")
    me = writes.user_ids([ME])[ME]
    writes.replace_busy_window(
        me,
        first,
        [
            busy(T0 - timedelta(minutes=10), event="now"),
            busy(T0 + timedelta(days=1), event="a"),
            straddling,
        ],
    )
    writes.replace_busy_window(me, second, [straddling, busy(T0 + timedelta(days=8), event="b")])
    assert sorted(m.BusyBlock.objects.values_list("event_uri", flat=True)) == [
        f"https://api.calendly.com/scheduled_events/{e}" for e in ("a", "b", "now", "s")
    ]
    # Calendly no longer lists "a" (cancelled): the next sync of the window drops it.
    writes.replace_busy_window(me, first, [straddling])
    assert m.BusyBlock.objects.count() == 2  # "s" (owned by the first window) and "b"


def test_windows_written_together_take_the_same_statements_however_many():
    """Busy windows that land together are replaced by one lookup of names, one delete and
    one insert, and end as if each had been replaced alone."""
    people = [f"https://api.calendly.com/users/P{i}" for i in range(30)]
    writes.upsert_memberships(
        [membership(f"https://api.calendly.com/organization_memberships/{i}", user)
         for i, user in enumerate(people)]
    )
    ids = writes.user_ids(people)
    windows = [Window(T0 + timedelta(days=7 * k), T0 + timedelta(days=7 * (k + 1)),
                      first=k == 0, last=k == 3) for k in range(4)]
    stale = [((ids[p], w), [busy(w.start + timedelta(hours=1), event=f"old{i}")])
             for i, p in enumerate(people) for w in windows]
    writes.replace_busy_windows(stale)
    fresh = [((ids[p], w), [busy(w.start + timedelta(hours=2), event=f"{i}-{w.start:%d}")])
             for i, p in enumerate(people[:3]) for w in windows]
    with CaptureQueriesContext(connection) as few:
        assert writes.replace_busy_windows(fresh[:2]) == 2
    with CaptureQueriesContext(connection) as many:
        assert writes.replace_busy_windows(fresh) == 12
    assert len(many) == len(few)
    kept = m.BusyBlock.objects.filter(user_id__in=[ids[p] for p in people[:3]])
    assert sorted(kept.values_list("event_uri", flat=True)) == sorted(
        b[0].event_uri for _, b in fresh
    )
    assert m.BusyBlock.objects.filter(event_uri__contains="/old").count() == 27 * 4


def test_schedules_written_together_become_exactly_those_listed_for_each():
    people = [f"https://api.calendly.com/users/S{i}" for i in range(3)]
    writes.upsert_memberships(
        [membership(f"https://api.calendly.com/organization_memberships/s{i}", user)
         for i, user in enumerate(people)]
    )
    ids = [writes.user_ids(people)[p] for p in people]

    def schedule(name: str) -> r.AvailabilitySchedule:
        return r.AvailabilitySchedule(
            f"https://api.calendly.com/user_availability_schedules/{name}", "", name, True,
            "Europe/Paris", True, [],
        )

    writes.replace_schedules_of([(ids[0], [schedule("a1"), schedule("a2")]),
                                (ids[1], [schedule("b1")])])
    writes.replace_schedules_of([(ids[0], [schedule("a2")]), (ids[2], [schedule("c1")])])
    owned = m.AvailabilitySchedule.objects.values_list("user_id", "name")
    assert sorted(owned) == sorted([(ids[0], "a2"), (ids[1], "b1"), (ids[2], "c1")])


def test_blocks_written_before_their_events_names_are_named_when_the_run_ends():
    writes.upsert_memberships(
        [membership("https://api.calendly.com/organization_memberships/1", ME)]
    )
    me = writes.user_ids([ME])[ME]
    window = Window(T0, T0 + timedelta(days=7), first=True, last=True)
    writes.replace_busy_window(me, window, [busy(T0 + timedelta(days=1), event="late"),
                                           busy(T0 + timedelta(days=2), event="never")])
    # Another process stored the name after this block was written, before it committed.
    m.ScheduledEvent.objects.create(
        uri="https://api.calendly.com/scheduled_events/late", name="Review", start=T0,
        synced_at=T0,
    )
    assert writes.name_busy_blocks(ORG) == 1
    names = dict(m.BusyBlock.objects.values_list("event_uri", "event_name"))
    assert sorted(names.values()) == ["", "Review"]


def test_event_types_calendly_no_longer_lists_are_kept_as_deleted():
    org = m.Organization.objects.create(uri=ORG)
    for name in ("kept", "gone"):
        et = m.EventType.objects.create(
            uri=f"https://api.calendly.com/event_types/{name}", organization=org, synced_at=T0
        )
        m.AvailableSlot.objects.create(event_type=et, start=T0, synced_at=T0)
    writes.retire_event_types(ORG, {"https://api.calendly.com/event_types/kept"})
    gone = m.EventType.objects.get(uri__endswith="gone")
    assert gone.deleted_at and not gone.active and not gone.slots.exists()
    assert m.EventType.objects.get(uri__endswith="kept").deleted_at is None


def event(name: str, start: datetime, uri: str) -> r.ScheduledEvent:
    return r.ScheduledEvent(f"https://api.calendly.com/scheduled_events/{uri}", name, start, "active")


def test_event_names_reach_busy_blocks_whichever_is_written_first():
    writes.upsert_memberships(
        [membership("https://api.calendly.com/organization_memberships/1", ME)]
    )
    me = writes.user_ids([ME])[ME]
    window = Window(T0, T0 + timedelta(days=7), first=True, last=True)
    writes.upsert_scheduled_events([event("Kickoff", T0 + timedelta(days=2), "k")])
    writes.replace_busy_window(me, window, [busy(T0 + timedelta(days=1), event="a"),
                                           busy(T0 + timedelta(days=2), event="k")])
    names = dict(m.BusyBlock.objects.values_list("event_uri", "event_name"))
    assert list(names.values()) == ["", "Kickoff"]  # "a": its name is not read yet
    writes.upsert_scheduled_events([event("Product demo" + "!" * 300, T0, "a")])
    names = dict(m.BusyBlock.objects.values_list("event_uri", "event_name"))
    assert sorted(names.values()) == ["Kickoff", "Product demo" + "!" * 243]  # cut to 255
    # Names of events that started before the span a run reads are forgotten.
    assert writes.forget_past_events(T0 + timedelta(days=1)) == 1
    assert list(m.ScheduledEvent.objects.values_list("name", flat=True)) == ["Kickoff"]
