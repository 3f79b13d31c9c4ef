"""The generated data: deterministic, relative to today, shaped as the issue asks."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest

from sandbox import seed, seed_groups
from sandbox.availability import schedule_intervals
from sandbox.records import ADMIN_ROLES
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
    """Issue #9: each member has 1-2 schedules, 5 event types, and four weeks of bookings
    and external calendar blocks, consistent with their schedules."""
    state = seed.build(7, TODAY, large_org_members=2000)
    large = next(o for o in state.organizations.values() if o.name == seed.LARGE_ORG_NAME)
    members = [state.users[m.user_uuid] for m in state.members_by_org[large.uuid]]
    assert len(members) == 2000
    assert [state.role_of(u.uuid, large.uuid) for u in members[:3]] == ["owner", "admin", "user"]
    assert {u.timezone for u in members} == set(seed.LARGE_ZONES)
    schedule_counts = Counter(len(state.schedules_by_user[u.uuid]) for u in members)
    assert set(schedule_counts) == {1, 2}
    for user in members:
        default = state.default_schedule(user.uuid)
        assert default.name == "Working Hours" and default.timezone == user.timezone
        open_days = {rule.wday for rule in default.rules if rule.intervals}
        assert open_days == set(seed.WORKDAYS)
    event_types = [e for e in state.event_types.values() if e.org_uuid == large.uuid]
    assert Counter(e.owner_uuid for e in event_types) == dict.fromkeys(
        (u.uuid for u in members), 5)
    assert all(e.active and e.hosts == [e.owner_uuid] for e in event_types)
    evening = [e for e in event_types if e.schedule_by_host]
    assert len(evening) == schedule_counts[2]
    assert all(not state.schedules[e.schedule_by_host[e.owner_uuid]].default
               and state.schedules[e.schedule_by_host[e.owner_uuid]].user_uuid == e.owner_uuid
               for e in evening)

    events = [e for e in state.events.values() if e.org_uuid == large.uuid]
    blocks = [b for u in members for b in state.blocks_by_user[u.uuid]]

    def week(moment: datetime, user_uuid: str) -> int:  # of the member's local dates
        local = moment.astimezone(ZoneInfo(state.users[user_uuid].timezone)).date()
        return (local - TODAY).days // 7

    # Four weeks from today, every one of them, and nothing outside.
    assert Counter(week(e.start, e.hosts[0]) for e in events).keys() == {0, 1, 2, 3}
    assert Counter(week(b.start, b.user_uuid) for b in blocks).keys() == {0, 1, 2, 3}
    workdays = sum(1 for d in range(28) if (TODAY + timedelta(d)).weekday() < 5)
    assert 0.6 < len(events) / (2000 * workdays) < 0.9  # about 0.75 a workday each
    assert 0.2 < len(blocks) / (2000 * 28) < 0.4  # about 0.3 a day each
    assert 0.03 < sum(e.status == "canceled" for e in events) / len(events) < 0.15
    booked = [state.event_types[e.event_type_uuid] for e in events]
    assert {e.name for e in booked} == {e.name for e in event_types}  # every kind, evenings too
    assert {e.owner_uuid for e in booked} == {u.uuid for u in members}
    for event in events:
        event_type = state.event_types[event.event_type_uuid]
        assert event.end - event.start == timedelta(minutes=event_type.duration)
        schedule = state.schedule_for(event_type, event.hosts[0])
        assert any(a <= event.start and event.end <= b
                   for a, b in schedule_intervals(schedule, event.start, event.end)), event
    for block in blocks:
        schedule = state.default_schedule(block.user_uuid)
        assert any(a <= block.start and block.end <= b
                   for a, b in schedule_intervals(schedule, block.start, block.end)), block
    _assert_no_clashes(state, members)


def _assert_no_clashes(state, members) -> None:
    """No member's active bookings (buffers included) and blocks overlap one another."""
    for user in members:
        spans = sorted([(e.start - timedelta(minutes=e.buffer_before),
                         e.end + timedelta(minutes=e.buffer_after))
                        for e in state.events_by_user[user.uuid] if e.status == "active"]
                       + [(b.start, b.end) for b in state.blocks_by_user[user.uuid]])
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False)), user.email


def test_large_organization_is_deterministic_too():
    assert snapshot(seed.build(7, TODAY, large_org_members=30)) == \
        snapshot(seed.build(7, TODAY, large_org_members=30))


def test_organizations_groups_and_teams():
    """Issue #16: named organizations, groups (one with a group admin, one empty, one
    naming a member who left and a pending invitee), teams, and people on 12h and 24h."""
    state = seed.build(7, TODAY)
    names = {o.name: o for o in state.organizations.values()}
    assert set(names) == {seed.DEMO_ORG_NAME, seed.OTHER_ORG_NAME}
    acme = names[seed.DEMO_ORG_NAME]
    groups = {g.name: g for g in state.groups_by_org[acme.uuid]}
    assert {"Sales", "Support", "Engineering"} <= set(groups)
    members = {name: {state.users[u].email for u in state.group_members(g.uuid)}
               for name, g in groups.items()}
    assert members[seed_groups.EMPTY_GROUP] == set()
    admin = state.user_by_email(seed_groups.DEMO_GROUP_ADMIN_EMAIL)
    assert state.role_of(admin.uuid, acme.uuid) == "user"
    assert admin.uuid in state.group_admins(groups["Sales"].uuid)
    rels = [r for r in state.relationships_by_org[acme.uuid] if r.role == "member"]
    named = [r.membership_uuid or r.invitation_uuid for r in rels]
    assert len(named) == len(set(named))  # one member relationship a person
    former = [r for r in rels if r.membership_uuid in state.former_memberships]
    assert [state.former_users[state.former_memberships[r.membership_uuid].user_uuid].email
            for r in former] == [seed_groups.FORMER_MEMBER[0]]
    assert state.user_by_email(seed_groups.FORMER_MEMBER[0]) is None
    assert [state.invitations[r.invitation_uuid].email for r in rels if r.invitation_uuid] == \
        [seed_groups.INVITED[0]]
    teams = {t.name: t for t in state.teams_by_org[acme.uuid]}
    assert len(teams) >= 3 and all(len(t.members) >= 3 for t in teams.values())
    people = [state.users[m.user_uuid] for m in state.members_by_org[acme.uuid]]
    assert {u.time_notation for u in people} == {"12h", "24h"}
    assert len(state.members_by_org[acme.uuid]) == 8  # the departed member is not counted


def test_team_event_types_of_every_pooling_have_several_hosts():
    state = seed.build(7, TODAY)
    pooled = [e for e in state.event_types.values() if e.pooling_type]
    assert {e.pooling_type for e in pooled} == {"round_robin", "collective", "multi_pool"}
    assert all(len(set(e.hosts)) >= 3 for e in pooled)
    assert all(any(event.event_type_uuid == e.uuid for event in state.events.values())
               for e in pooled)


def test_the_large_organization_has_groups():
    state = seed.build(7, TODAY, large_org_members=100)
    large = next(o for o in state.organizations.values() if o.name == seed.LARGE_ORG_NAME)
    groups = state.groups_by_org[large.uuid]
    assert [g.name for g in groups] == list(seed_groups.LARGE_GROUPS)
    placed = [state.group_members(g.uuid) for g in groups]
    assert sum(len(p) for p in placed) == 98  # everyone but the owner and the admin
    assert all(len(state.group_admins(g.uuid)) == 1 for g in groups)


@pytest.mark.parametrize("today", [date(2027, 1, 1), date(2027, 3, 27), date(2027, 10, 30),
                                   date(2027, 12, 31), date(2028, 2, 26)])
def test_a_daily_meeting_limit_is_reached_on_a_coming_day(today):
    """On the day after tomorrow or later (the limited member's local dates), a working
    day of theirs holds exactly their daily limit of active meetings; checked on a New
    Year's Eve, around DST changes and on weekend dates."""
    state = seed.build(7, today)
    user = state.user_by_email(seed_groups.LIMITED_EMAIL)
    limit = state.meeting_limits[user.uuid].daily
    zone = ZoneInfo(user.timezone)
    per_day = Counter(e.start.astimezone(zone).date() for e in state.events_by_user[user.uuid]
                      if e.status == "active")
    schedule = state.default_schedule(user.uuid)
    coming = [today + timedelta(days=d) for d in range(2, 20)]
    working = [d for d in coming if schedule_intervals(
        schedule, datetime.combine(d, datetime.min.time(), tzinfo=zone),
        datetime.combine(d + timedelta(days=1), datetime.min.time(), tzinfo=zone))]
    assert per_day[working[0]] >= limit, (today, working[0], per_day[working[0]])
    _assert_no_clashes(state, [user])
