"""The generated data: deterministic, relative to today, shaped as the issue asks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import available_timezones

from sandbox import seed
from sandbox.models import ADMIN_ROLES
from sandbox.render import Renderer

TODAY = date(2027, 3, 1)


def snapshot(state) -> dict:
    render = Renderer("http://sandbox.test", state)
    return {
        "users": [render.user(u) for u in state.users.values()],
        "schedules": [render.schedule(s) for s in state.schedules.values()],
        "event_types": [render.event_type(e) for e in state.event_types.values()],
        "events": [render.event(e) for e in state.events.values()],
        "blocks": [render.external_block(b) for v in state.blocks_by_user.values() for b in v],
    }


def test_same_seed_and_date_give_the_same_data():
    assert snapshot(seed.build(7, TODAY)) == snapshot(seed.build(7, TODAY))


def test_lasting_ids_depend_on_the_seed_only():
    first, next_day = seed.build(7, TODAY), seed.build(7, TODAY + timedelta(days=1))
    assert set(first.users) == set(next_day.users)
    assert set(first.event_types) == set(next_day.event_types)
    assert set(first.events) != set(next_day.events)
    assert set(seed.build(8, TODAY).users).isdisjoint(first.users)
    assert all(len(uuid) == 16 and uuid.isalnum() and uuid.isupper() for uuid in first.users)


def test_demo_organization_shape():
    state = seed.build(7, TODAY)
    acme = next(o for o in state.organizations.values() if o.name == seed.DEMO_ORG_NAME)
    roles = [m.role for m in state.members_by_org[acme.uuid]]
    assert len(roles) == 8 and roles.count("owner") == 1 and roles.count("admin") == 1
    emails = {state.users[m.user_uuid].email for m in state.members_by_org[acme.uuid]}
    assert {seed.DEMO_OWNER_EMAIL, seed.DEMO_ADMIN_EMAIL, seed.DEMO_MEMBER_EMAIL} <= emails
    continents = {state.users[m.user_uuid].timezone.split("/")[0]
                  for m in state.members_by_org[acme.uuid]}
    assert {"America", "Europe", "Asia", "Australia"} <= continents
    assert state.user_by_email(seed.OTHER_ORG_MEMBER_EMAIL).org_uuid != acme.uuid
    admin = state.user_by_email(seed.DEMO_ADMIN_EMAIL)
    assert state.role_of(admin.uuid, acme.uuid) in ADMIN_ROLES


def test_a_member_crosses_a_dst_change_within_eight_weeks_whenever_anyone_on_earth_does():
    """Checked on the first of every month for a year and today, against every zone."""
    first_days = [date(2027, month, 1) for month in range(1, 13)]
    for day in [*first_days, datetime.now(UTC).date()]:
        zones = {person.timezone for person in seed.demo_people(day)}
        if not any(seed.changes_clocks(zone, day) for zone in zones):
            assert not any(seed.changes_clocks(zone, day) for zone in available_timezones()), day


def test_bookings_cover_the_next_eight_weeks_and_never_clash():
    state = seed.build(7, TODAY)
    start = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC)
    for user_uuid, events in state.events_by_user.items():
        active = sorted((e for e in events if e.status == "active"), key=lambda e: e.start)
        spans = [(e.start - timedelta(minutes=e.buffer_before),
                  e.end + timedelta(minutes=e.buffer_after)) for e in active]
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False)), user_uuid
    future = [e.start for e in state.events.values() if e.start > start]
    assert max(future) > start + timedelta(weeks=7)
    assert any(e.status == "canceled" for e in state.events.values())
    assert sum(len(v) for v in state.blocks_by_user.values()) > 50


def test_large_organization_generator():
    state = seed.build(7, TODAY, large_org_members=2000)
    large = next(o for o in state.organizations.values() if o.name == seed.LARGE_ORG_NAME)
    assert len(state.members_by_org[large.uuid]) == 2000
