"""Scheduled events and external calendar blocks over the coming weeks, consistent with the
schedules: every seeded booking sits inside its hosts' working hours and clashes with
nothing else its hosts have, buffers included, as a real booking page would ensure."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sandbox.availability import ONE_DAY, Interval, schedule_intervals
from sandbox.ids import derived_uuid
from sandbox.records import EventType, ExternalBlock, Invitee, ScheduledEvent, User
from sandbox.store import State

PAST_DAYS = 14
LARGE_ORG_DAYS = 28  # the large organization's bookings and blocks: four weeks from today
LARGE_ORG_BOOKINGS = (0, 0, 1, 1, 2)  # per member and workday, drawn: 0.8 on average
LARGE_ORG_BLOCK_SHARE = 0.42  # of a member's workdays with a block: 0.3 per calendar day
GUESTS = ("Jordan Lee", "Sam Rivera", "Priya Patel", "Lucas Martin", "Mia Rossi", "Noah Kim",
          "Zoe Dubois", "Omar Haddad", "Lena Fischer", "Kai Yamamoto")


def lay_out_bookings(
    state: State, seed: int, today: date, users: list[User], horizon_days: int
) -> None:
    planner = _Planner(state, seed, today, horizon_days)
    for user in users:
        planner.personal_events(user)
    for event_type in list(state.event_types.values()):
        if event_type.pooling_type or event_type.invitees_limit > 1:
            planner.team_events(event_type)
    for user in users:
        planner.external_blocks(user)
    seeded = {user.uuid for user in users}
    planner.large_org_bookings([u for u in state.users.values() if u.uuid not in seeded])
    for user in users:
        limits = state.meeting_limits.get(user.uuid)
        if limits is not None and limits.daily:
            planner.reach_daily_limit(user, limits.daily)


class _Planner:
    def __init__(self, state: State, seed: int, today: date, horizon_days: int) -> None:
        self.state = state
        self.seed = seed
        self.today = today
        self.horizon = horizon_days
        self.rng = random.Random(f"{seed}:{today.isoformat()}")
        # Spans each host already has (bookings with buffers, blocks), by the UTC date of
        # their start, so that a fit looks at a few spans only, not the host's whole horizon.
        self.taken: dict[str, dict[date, list[Interval]]] = {}
        self.working: dict[tuple[str, int, date], list[Interval]] = {}
        self.counter = 0

    def uid(self, kind: str) -> str:
        self.counter += 1
        return derived_uuid(self.seed, kind, self.today.isoformat(), self.counter)

    def intervals_on(self, event_type: EventType, host: str, day: date) -> list[Interval]:
        """The working intervals of the host's schedule for `event_type` on local `day`.

        Computed once per zone, rule list and day: schedules that share their rules (the
        large organization's members do) share the result, which nobody mutates.
        """
        schedule = self.state.schedule_for(event_type, host)
        if schedule is None:
            return []
        # The rule list lives as long as its schedule, so its id cannot be reused meanwhile.
        key = (schedule.timezone, id(schedule.rules), day)
        found = self.working.get(key)
        if found is None:
            zone = ZoneInfo(schedule.timezone)
            midnight = datetime.combine(day, datetime.min.time(), tzinfo=zone).astimezone(UTC)
            found = [(a, b) for a, b in schedule_intervals(schedule, midnight, midnight + ONE_DAY)
                     if a.astimezone(zone).date() == day]
            self.working[key] = found
        return found

    def fits(self, event_type: EventType, host: str, start: datetime) -> bool:
        end = start + timedelta(minutes=event_type.duration)
        local_day = start.astimezone(ZoneInfo(self.state.users[host].timezone)).date()
        inside = any(a <= start and end <= b for a, b in self.intervals_on(event_type, host,
                                                                             local_day))
        wanted = (start - timedelta(minutes=event_type.buffer_before),
                  end + timedelta(minutes=event_type.buffer_after))
        return inside and not self.clashes(host, wanted)

    def clashes(self, host: str, wanted: Interval) -> bool:
        """Whether `wanted` meets a span the host has; spans are shorter than a day, so only
        those starting from the day before `wanted` to its end's day can."""
        by_day = self.taken.get(host, {})
        day, last = wanted[0].date() - ONE_DAY, wanted[1].date()
        while day <= last:
            if any(a < wanted[1] and b > wanted[0] for a, b in by_day.get(day, ())):
                return True
            day += ONE_DAY
        return False

    def take(self, host: str, span: Interval) -> None:
        self.taken.setdefault(host, {}).setdefault(span[0].date(), []).append(span)

    def pick_start(self, event_type: EventType, hosts: list[str], day: date) -> datetime | None:
        length = timedelta(minutes=event_type.duration)
        candidates = [a + length * k for a, b in self.intervals_on(event_type, hosts[0], day)
                      for k in range(int((b - a) / length))]
        self.rng.shuffle(candidates)
        return next((s for s in candidates[:6] if all(self.fits(event_type, h, s)
                                                       for h in hosts)), None)

    def add_event(self, event_type: EventType, start: datetime, hosts: list[str],
                  guests: int = 1, keep_active: bool = False) -> None:
        created = min(start, datetime.combine(self.today, datetime.min.time(), tzinfo=UTC)) \
            - timedelta(days=self.rng.randint(1, 20))
        invitees = [self.invitee(created) for _ in range(guests)]
        event = ScheduledEvent(
            self.uid("event"), event_type.uuid, event_type.org_uuid, event_type.name, start,
            start + timedelta(minutes=event_type.duration), hosts, created, created, invitees,
            invitees_limit=event_type.invitees_limit, buffer_before=event_type.buffer_before,
            buffer_after=event_type.buffer_after, location=event_type.location)
        if event_type.invitees_limit == 1 and not keep_active and self.rng.random() < 0.08:
            self.cancel(event)
        self.state.add_event(event)
        if event.status == "active":
            for host in hosts:
                self.take(host, (start - timedelta(minutes=event.buffer_before),
                                 event.end + timedelta(minutes=event.buffer_after)))

    def invitee(self, created: datetime) -> Invitee:
        name = self.rng.choice(GUESTS)
        email = f"{name.split()[0].lower()}.{self.rng.randint(1, 999)}@guests.example"
        return Invitee(self.uid("invitee"), email, name, created, created, timezone="UTC")

    def cancel(self, event: ScheduledEvent) -> None:
        cancellation = {"canceled_by": event.invitees[0].name, "reason": "Conflict",
                        "canceler_type": "invitee"}
        event.status, event.cancellation = "canceled", cancellation
        for invitee in event.invitees:
            invitee.status, invitee.cancellation = "canceled", cancellation

    def days(self, first: int, step: int = 1):
        return (self.today + timedelta(days=d) for d in range(first, self.horizon, step))

    def personal_events(self, user: User) -> None:
        kinds = [e for e in self.state.event_types_by_org[user.org_uuid]
                 if e.owner_uuid == user.uuid and e.active and e.pooling_type is None
                 and e.invitees_limit == 1]
        for day in self.days(-PAST_DAYS):
            for _ in range(self.rng.choice((0, 1, 1, 2, 2, 3))):
                event_type = self.rng.choice(kinds)
                start = self.pick_start(event_type, [user.uuid], day)
                if start is not None:
                    self.add_event(event_type, start, [user.uuid])

    def team_events(self, event_type: EventType) -> None:
        step = 5 if event_type.invitees_limit > 1 else 3
        for day in self.days(1, step):
            hosts = list(event_type.hosts)
            if event_type.pooling_type == "round_robin":
                hosts = [self.rng.choice(hosts)]
            start = self.pick_start(event_type, hosts, day)
            if start is not None:
                guests = self.rng.randint(1, 3) if event_type.invitees_limit > 1 else 1
                self.add_event(event_type, start, hosts, guests)

    def external_blocks(self, user: User) -> None:
        meeting = self.state.event_types_by_org[user.org_uuid][0]
        for day in self.days(0):
            if self.rng.random() < 0.35:
                self.add_block(user, day, meeting, self.rng.choice((30, 60, 90)))

    def add_block(self, user: User, day: date, grid: EventType, minutes: int) -> None:
        intervals = self.intervals_on(grid, user.uuid, day)
        if not intervals:
            return
        begin, finish = self.rng.choice(intervals)
        start = begin + timedelta(minutes=30 * self.rng.randint(0, 3))
        end = min(start + timedelta(minutes=minutes), finish)
        if self.clashes(user.uuid, (start, end)):
            return  # A booking is there: Calendly would not have let it be booked.
        block = ExternalBlock(self.uid("block"), user.uuid, start, end)
        self.state.add_block(block)
        self.take(user.uuid, (block.start, block.end))

    def reach_daily_limit(self, user: User, limit: int) -> None:
        """Book the user up to `limit` on the first working day from the day after tomorrow
        (their local dates, so it is ahead at any instant of the seed's date): a day that
        their meeting limit closes although their calendar has room."""
        kinds = [e for e in self.state.event_types_by_org[user.org_uuid]
                 if e.owner_uuid == user.uuid and e.active and e.pooling_type is None
                 and e.invitees_limit == 1 and not e.schedule_by_host]
        zone = ZoneInfo(user.timezone)
        for day in self.days(2):
            if not self.intervals_on(kinds[0], user.uuid, day):
                continue
            booked = sum(1 for e in self.state.events_by_user.get(user.uuid, [])
                         if e.status == "active" and e.start.astimezone(zone).date() == day)
            for _ in range(200):
                if booked >= limit:
                    return
                start = self.pick_start(kinds[0], [user.uuid], day)
                if start is not None:
                    self.add_event(kinds[0], start, [user.uuid], keep_active=True)
                    booked += 1

    def large_org_bookings(self, users: list[User]) -> None:
        """Four weeks from today (no past) for every member of the large organization: on
        each workday, maybe an external block first, then 0 to 2 bookings of their event
        types, each placed by `pick_start` inside the schedule and around whatever the day
        already holds, as the demo people's are."""
        kinds: dict[str, list[EventType]] = {}
        for org_uuid in dict.fromkeys(user.org_uuid for user in users):
            for event_type in self.state.event_types_by_org[org_uuid]:
                kinds.setdefault(event_type.owner_uuid, []).append(event_type)
        days = [self.today + timedelta(days=offset) for offset in range(LARGE_ORG_DAYS)]
        days = [day for day in days if day.weekday() < 5]  # they have no weekend hours
        for user in users:
            own = [e for e in kinds.get(user.uuid, []) if e.active]
            if not own:
                continue
            grid = next((e for e in own if not e.schedule_by_host), own[0])
            for day in days:
                if self.rng.random() < LARGE_ORG_BLOCK_SHARE:
                    self.add_block(user, day, grid, self.rng.choice((30, 60, 90)))
                for _ in range(self.rng.choice(LARGE_ORG_BOOKINGS)):
                    event_type = self.rng.choice(own)
                    start = self.pick_start(event_type, [user.uuid], day)
                    if start is not None:
                        self.add_event(event_type, start, [user.uuid])
