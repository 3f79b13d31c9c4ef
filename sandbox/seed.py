"""Deterministic demo data, relative to today so the demo never goes stale.

Same seed and same date give the same data. Ids of lasting things (organizations,
users, memberships, schedules, event types) depend on the seed only, so a dashboard
keeps its references across restarts; bookings and calendar blocks also depend on
the date, since they are laid out over the coming weeks.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sandbox import seed_groups
from sandbox.ids import derived_uuid
from sandbox.increments import check_increment_and_buffers
from sandbox.records import (
    ROLE_ADMIN,
    ROLE_OWNER,
    ROLE_USER,
    EventType,
    Membership,
    Organization,
    Rule,
    Schedule,
    User,
)
from sandbox.seed_bookings import lay_out_bookings
from sandbox.store import State

DEMO_ORG_NAME = "Acme Demo"
OTHER_ORG_NAME = "Globex"
LARGE_ORG_NAME = "Large Org"
DEMO_OWNER_EMAIL = "owner@acme.example"
DEMO_ADMIN_EMAIL = "admin@acme.example"
DEMO_MEMBER_EMAIL = "ana@acme.example"
OTHER_ORG_OWNER_EMAIL = "owner@globex.example"
OTHER_ORG_MEMBER_EMAIL = "member@globex.example"
HORIZON_DAYS = 56
# Fixed, so that creation times (and hence default orderings) do not move with the date.
EPOCH = datetime(2024, 1, 8, 9, 0, tzinfo=UTC)
PALETTE = ("#0069ff", "#8247f5", "#e55cff", "#17e885", "#ffa600", "#ff4f00", "#0ae8f0")


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    timezone: str
    role: str = ROLE_USER
    time_notation: str = "12h"
    locale: str = "en"


# Several continents; New York, Berlin, London and Los Angeles change clocks in March and
# October/November, Sydney in April and October, so one of them crosses a change within
# eight weeks on most dates. In the weeks where none does, Ben's zone floats to one that
# does (see `demo_people`); from mid-November to early January no zone on earth changes.
DEMO_PEOPLE = (
    Person(DEMO_OWNER_EMAIL, "Olivia Owens", "America/New_York", ROLE_OWNER),
    Person(DEMO_ADMIN_EMAIL, "Adam Becker", "Europe/Berlin", ROLE_ADMIN, "24h", "de"),
    Person(DEMO_MEMBER_EMAIL, "Ana Souza", "America/Sao_Paulo", time_notation="24h",
           locale="pt"),
    Person("ben@acme.example", "Ben Tanaka", "Asia/Tokyo", time_notation="24h"),
    Person("chloe@acme.example", "Chloe Nguyen", "Australia/Sydney"),
    Person("dev@acme.example", "Dev Sharma", "Asia/Kolkata"),
    Person("emma@acme.example", "Emma Clarke", "Europe/London", time_notation="24h"),
    Person("finn@acme.example", "Finn Walker", "America/Los_Angeles"),
)
FLOATING_PERSON = 3
DST_FALLBACK_ZONES = ("Africa/Casablanca", "America/Santiago", "Pacific/Auckland",
                      "America/Asuncion", "America/Havana", "America/Nuuk", "Asia/Gaza",
                      "Antarctica/Troll", "Pacific/Chatham", "Pacific/Norfolk")
OTHER_PEOPLE = (
    Person(OTHER_ORG_OWNER_EMAIL, "Gina Grant", "Europe/Paris", ROLE_OWNER, "24h", "fr"),
    Person(OTHER_ORG_MEMBER_EMAIL, "Hank Hill", "America/Chicago"),
)
LARGE_ZONES = ("America/New_York", "Europe/Berlin", "Asia/Tokyo", "Australia/Sydney", "UTC")
SPLIT_DAY = [("09:00", "12:00"), ("13:00", "17:00")]
LONG_DAY = [("08:00", "16:00")]
EVENING = [("18:00", "21:00")]
WORKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
# The large organization's four one-on-ones of every member: name, minutes, buffers.
LARGE_EVENT_TYPES = (("15 Minute Chat", 15, (5, 5)), ("30 Minute Meeting", 30, (0, 0)),
                     ("45 Minute Review", 45, (0, 10)), ("60 Minute Deep Dive", 60, (10, 0)))


def build(seed: int, today: date | None = None, large_org_members: int = 0) -> State:
    """The whole sandbox state for `seed` as of `today` (UTC date by default)."""
    # A large organization is some 200,000 objects that all live on: garbage collections
    # while they are made find nothing and cost a quarter of the time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(seed, today or datetime.now(UTC).date(), large_org_members)
    finally:
        if collecting:
            gc.enable()


def _build(seed: int, today: date, large_org_members: int) -> State:
    seeder = _Seeder(seed, today)
    acme = seeder.organization(DEMO_ORG_NAME, demo_people(today))
    globex = seeder.organization(OTHER_ORG_NAME, OTHER_PEOPLE, plan="standard", stage="trial")
    seeder.team_event_types(acme)
    seed_groups.demo_structure(seeder, seeder.state.organizations[acme[0].org_uuid])
    seed_groups.organise(seeder, seeder.state.organizations[globex[0].org_uuid],
                         seed_groups.OTHER_GROUPS, seed_groups.OTHER_TEAMS)
    if large_org_members:
        seeder.large_organization(large_org_members)
    lay_out_bookings(seeder.state, seed, today, acme + globex, HORIZON_DAYS)
    return seeder.state


def changes_clocks(zone_name: str, today: date, days: int = HORIZON_DAYS) -> bool:
    zone = ZoneInfo(zone_name)
    start = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
    offsets = {(start + timedelta(hours=12 * step)).astimezone(zone).utcoffset()
               for step in range(2 * days + 1)}
    return len(offsets) > 1


def demo_people(today: date) -> tuple[Person, ...]:
    """The demo members, one of whose zones changes its clocks within the data's horizon
    whenever any zone in DST_FALLBACK_ZONES does."""
    if any(changes_clocks(p.timezone, today) for p in DEMO_PEOPLE):
        return DEMO_PEOPLE
    zone = next((z for z in DST_FALLBACK_ZONES if changes_clocks(z, today)), None)
    if zone is None:
        return DEMO_PEOPLE
    people = list(DEMO_PEOPLE)
    people[FLOATING_PERSON] = replace(people[FLOATING_PERSON], timezone=zone)
    return tuple(people)


class _Seeder:
    def __init__(self, seed: int, today: date) -> None:
        self.seed = seed
        self.today = today
        self.state = State()
        self.rank = 0  # creation order, so created_at is distinct and stable
        self.positions: dict[str, int] = {}  # event types per owner so far

    def uid(self, kind: str, *parts: object) -> str:
        return derived_uuid(self.seed, kind, *parts)

    def next_created_at(self) -> datetime:
        self.rank += 1
        return EPOCH + timedelta(minutes=self.rank)

    def organization(self, name: str, people: tuple[Person, ...], **plan: str) -> list[User]:
        org = Organization(self.uid("org", name), name, self.next_created_at(), **plan)
        self.state.add_organization(org)
        users = [self.member(org, person, index) for index, person in enumerate(people)]
        for index, user in enumerate(users):
            self.personal_event_types(user, index)
        return users

    def member(self, org: Organization, person: Person, index: int) -> User:
        slug = person.name.lower().replace(" ", "-")
        created = self.next_created_at()
        user = User(self.uid("user", person.email), person.name, slug, person.email,
                    person.timezone, org.uuid, created, person.locale, person.time_notation)
        membership = Membership(self.uid("membership", person.email), user.uuid, org.uuid,
                                person.role, created)
        self.state.add_user(user, membership)
        hours = SPLIT_DAY if index % 2 == 0 else LONG_DAY
        self.state.add_schedule(Schedule(self.uid("schedule", person.email, "default"),
                                         user.uuid, "Working Hours", True, person.timezone,
                                         self.working_rules(hours, index)))
        if index % 3 == 1:
            evening = [Rule(EVENING, wday=day) for day in WORKDAYS[:4]]
            self.state.add_schedule(Schedule(self.uid("schedule", person.email, "evening"),
                                             user.uuid, "Evening Hours", False,
                                             person.timezone, evening))
        return user

    def working_rules(self, hours: list[tuple[str, str]], index: int) -> list[Rule]:
        """Weekdays at `hours`, weekends off, plus two overrides: a day off and a short day."""
        rules = [Rule(hours if day in WORKDAYS else [], wday=day)
                 for day in ("sunday", *WORKDAYS, "saturday")]
        day_off = self.today + timedelta(days=9 + index % 5)
        short_day = self.today + timedelta(days=16 + index % 3)
        rules.append(Rule([], date=day_off))
        rules.append(Rule([("10:00", "14:00")], date=short_day))
        return rules

    def event_type(self, owner: User, name: str, duration: int, **extra: object) -> EventType:
        hosts = extra.pop("hosts", [owner.uuid])
        position = self.positions.get(owner.uuid, 0)
        self.positions[owner.uuid] = position + 1
        event_type = EventType(
            uuid=self.uid("event_type", owner.email, name), org_uuid=owner.org_uuid,
            owner_uuid=owner.uuid, hosts=hosts, name=name,
            slug=name.lower().replace(" ", "-").replace("(", "").replace(")", ""),
            duration=duration, created_at=self.next_created_at(), profile_name=owner.name,
            color=PALETTE[self.rank % len(PALETTE)], position=position,
            location={"type": "physical", "location": "Acme HQ, room 4"},
            description=f"{name} with {owner.name}",
        )
        for key, value in extra.items():
            setattr(event_type, key, value)
        check_increment_and_buffers(event_type)
        self.state.add_event_type(event_type)
        return event_type

    def personal_event_types(self, user: User, index: int) -> None:
        self.event_type(user, "30 Minute Meeting", 30)
        # Starts every 15 minutes, 5 minutes free before and 10 after.
        self.event_type(user, "15 Minute Chat", 15, buffer_before=5, buffer_after=10,
                        start_time_increment=15)
        evening = [s for s in self.state.schedules_by_user[user.uuid] if not s.default]
        if evening:  # on a schedule other than the owner's default, on the hour, 15 after
            self.event_type(user, "60 Minute Evening Session", 60,
                            schedule_by_host={user.uuid: evening[0].uuid},
                            start_time_increment=60, buffer_after=15)
        membership = self.state.membership_by_user[user.uuid]
        if membership.role == ROLE_OWNER:
            self.event_type(user, "Secret Interview", 45, secret=True)
            self.event_type(user, "Old Intro Call", 20, active=False)
        if membership.role == ROLE_ADMIN:
            self.event_type(user, "Team Workshop", 90, kind="group", kind_description="Group",
                            invitees_limit=5)

    def team_event_types(self, members: list[User]) -> None:
        by_email = {user.email: user for user in members}
        owner, admin, ana = (by_email[e] for e in (DEMO_OWNER_EMAIL, DEMO_ADMIN_EMAIL,
                                                    DEMO_MEMBER_EMAIL))
        team = {"kind": "group", "profile_type": "Team", "profile_name": "Acme Sales"}
        self.event_type(owner, "Sales Round Robin", 30, pooling_type="round_robin",
                        kind_description="Round Robin",
                        hosts=[ana.uuid, by_email["ben@acme.example"].uuid,
                               by_email["finn@acme.example"].uuid], **team)
        self.event_type(owner, "Panel Interview", 60, pooling_type="collective",
                        kind_description="Collective",
                        hosts=[owner.uuid, admin.uuid, by_email["emma@acme.example"].uuid],
                        **team)
        self.event_type(ana, "Acme Onboarding (managed)", 30, admin_managed=True)
        self.event_type(owner, "Support Escalation", 30, pooling_type="multi_pool",
                        kind_description=None, kind="group", profile_type="Team",
                        profile_name="Acme Support",
                        # Kolkata, London and Berlin: their working hours meet mid-morning UTC.
                        hosts=[by_email[e].uuid for e in ("dev@acme.example", "emma@acme.example",
                                                          DEMO_ADMIN_EMAIL)])

    def large_organization(self, size: int) -> None:
        """Many plain members, for benchmarks: each has "Working Hours" on workdays (split or
        long days, zones from LARGE_ZONES), every third also "Evening Hours", and five event
        types (LARGE_EVENT_TYPES); their bookings and blocks are laid out in seed_bookings."""
        org = Organization(self.uid("org", LARGE_ORG_NAME, size), LARGE_ORG_NAME,
                           self.next_created_at(), plan="enterprise")
        self.state.add_organization(org)
        # Shared rule lists: members of the same hours share them (nothing mutates rules).
        week = ("sunday", *WORKDAYS, "saturday")
        working = [[Rule(hours if day in WORKDAYS else [], wday=day) for day in week]
                   for hours in (SPLIT_DAY, LONG_DAY)]
        evening = [Rule(EVENING, wday=day) for day in WORKDAYS[:4]]
        members = []
        for index in range(size):
            role = (ROLE_OWNER, ROLE_ADMIN)[index] if index < 2 else ROLE_USER
            person = Person(f"user{index:05d}@large.example", f"Member {index:05d}",
                            LARGE_ZONES[index % len(LARGE_ZONES)], role)
            created = self.next_created_at()
            user = User(self.uid("user", person.email), person.name, f"member-{index:05d}",
                        person.email, person.timezone, org.uuid, created)
            self.state.add_user(user, Membership(self.uid("membership", person.email),
                                                 user.uuid, org.uuid, role, created))
            members.append(user)
            self.state.add_schedule(Schedule(self.uid("schedule", person.email, "default"),
                                             user.uuid, "Working Hours", True,
                                             person.timezone, working[index % 2]))
            extra = None
            if index % 3 == 1:
                extra = Schedule(self.uid("schedule", person.email, "evening"), user.uuid,
                                 "Evening Hours", False, person.timezone, evening)
                self.state.add_schedule(extra)
            self.large_event_types(user, extra)
        seed_groups.large_groups(self, org, members)

    def large_event_types(self, user: User, evening: Schedule | None) -> None:
        """Four one-on-ones on the working hours and a fifth: an evening session on the
        evening schedule for those who have one, a long focus session for the others."""
        for name, duration, buffers in LARGE_EVENT_TYPES:
            self.event_type(user, name, duration, buffer_before=buffers[0],
                            buffer_after=buffers[1])
        if evening is not None:
            self.event_type(user, "60 Minute Evening Session", 60,
                            schedule_by_host={user.uuid: evening.uuid})
        else:
            self.event_type(user, "90 Minute Focus Session", 90, buffer_after=15)
