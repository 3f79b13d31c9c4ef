"""What the store should hold after a sync, computed from the sandbox's own data (`dump`)."""

from __future__ import annotations

import json
import math
from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings

from availability import models as m
from calendly.resources import parse_time

PAGE = 100


def pages(rows: int) -> int:
    """Requests to read a collection of `rows` at 100 a page (an empty one is one page)."""
    return max(1, math.ceil(rows / PAGE))


def org_of(dump: dict, email: str) -> str:
    user = next(u for u in dump["users"] if u["email"] == email)
    return user["current_organization"]


def user_uri(dump: dict, email: str) -> str:
    return next(u["uri"] for u in dump["users"] if u["email"] == email)


def members(dump: dict, org: str) -> list[dict]:
    return [ms for ms in dump["memberships"] if ms["organization"] == org]


def org_event_types(dump: dict, org: str) -> list[dict]:
    in_org = {ms["user"]["uri"] for ms in members(dump, org)}
    return [et for et in dump["event_types"] if et["profile"]["owner"] in in_org]


def bookable_team_types(rows: list[dict]) -> list[dict]:
    """The event types whose hosts a sync reads from /event_type_memberships."""
    return [
        et
        for et in rows
        if et["active"]
        and not et.get("deleted_at")
        and (et["pooling_type"] or et["kind"] != "solo")
    ]


def hosts_pages(rows: list[dict]) -> int:
    """Requests of /event_type_memberships for those event types: each one's pages."""
    return sum(pages(len(et["hosts"])) for et in bookable_team_types(rows))


def host_rows(uris) -> dict[str, set[str]]:
    """The stored hosts of each of the event types ``uris``, by URI."""
    return {
        uri: set(
            m.CalendlyUser.objects.filter(hosted_event_types__uri=uri).values_list("uri", flat=True)
        )
        for uri in uris
    }


def membership_rows(org: str) -> set[tuple]:
    return set(
        m.Membership.objects.filter(organization__uri=org).values_list(
            "uri", "role", "user__uri", "user__name", "user__email", "user__timezone"
        )
    )


def expected_memberships(dump: dict, org: str) -> set[tuple]:
    return {
        (
            ms["uri"],
            ms["role"],
            ms["user"]["uri"],
            ms["user"]["name"],
            ms["user"]["email"],
            ms["user"]["timezone"],
        )
        for ms in members(dump, org)
    }


ET_FIELDS = (
    "uri",
    "name",
    "slug",
    "active",
    "scheduling_url",
    "duration",
    "kind",
    "color",
    "secret",
    "admin_managed",
    "position",
)


def event_type_rows(uris=None) -> set[tuple]:
    rows = m.EventType.objects.all()
    if uris is not None:
        rows = rows.filter(uri__in=uris)
    return {
        (
            *(getattr(et, f) for f in ET_FIELDS),
            et.pooling_type,
            et.profile_owner_uri,
            et.profile_name,
            et.description_plain,
            et.deleted_at,
        )
        for et in rows
    }


def expected_event_types(rows: list[dict]) -> set[tuple]:
    return {
        (
            *(et[f] for f in ET_FIELDS),
            et["pooling_type"] or "",
            et["profile"]["owner"],
            et["profile"]["name"],
            et["description_plain"] or "",
            parse_time(et["deleted_at"]),
        )
        for et in rows
    }


def schedule_rows(user_uris) -> set[tuple]:
    return {
        (s.uri, s.user.uri, s.name, s.is_default, s.timezone, _frozen(s.rules))
        for s in m.AvailabilitySchedule.objects.filter(user__uri__in=user_uris).select_related(
            "user"
        )
    }


def expected_schedules(dump: dict, user_uris) -> set[tuple]:
    return {
        (s["uri"], s["user"], s["name"], s["default"], s["timezone"], _frozen(s["rules"]))
        for s in dump["schedules"]
        if s["user"] in user_uris
    }


def _frozen(rules: list[dict]) -> tuple:
    return tuple(sorted(json.dumps(rule, sort_keys=True) for rule in rules))  # jsonb reorders


def busy_rows(user: str, start: datetime, end: datetime) -> list[tuple]:
    """Stored busy blocks of `user` starting in [start, end), as comparable tuples; their
    buffers last, since the pages count a booking's buffers as busy."""
    blocks = m.BusyBlock.objects.filter(user__uri=user, start__gte=start, start__lt=end)
    return sorted(
        (b.type, b.start, b.end, b.event_uri, b.event_name, b.buffered_start, b.buffered_end)
        for b in blocks
    )


def expected_busy(dump: dict, user: str, start: datetime, end: datetime) -> list[tuple]:
    """Active Calendly events the user hosts and their external blocks, starting in range."""
    found = []
    # A booking's buffers are its event type's (the seed books none of changed buffers).
    buffers = {et["uri"]: et for et in dump["event_types"]}
    for event in dump["scheduled_events"]:
        hosts = {ms["user"] for ms in event["event_memberships"]}
        if event["status"] == "active" and user in hosts:
            event_start, event_end = parse_time(event["start_time"]), parse_time(event["end_time"])
            et = buffers[event["event_type"]]
            found.append(
                (
                    "calendly",
                    event_start,
                    event_end,
                    event["uri"],
                    event["name"],
                    event_start - timedelta(minutes=et.get("before_buffer") or 0),
                    event_end + timedelta(minutes=et.get("after_buffer") or 0),
                )
            )
    for block in dump["external_blocks"]:
        if block["user"] == user:
            start_time, end_time = parse_time(block["start_time"]), parse_time(block["end_time"])
            found.append(("external", start_time, end_time, "", "", None, None))
    return sorted(b for b in found if start <= b[1] < end)


def active_events(dump: dict, run: m.SyncRun, hosts: set[str], horizon_days: int) -> list[dict]:
    """Active events with one of `hosts` starting in the span a run reads names over
    (`sync.event_span`, from when the run started: seconds apart, and only a page count
    depends on it)."""
    from sync.windows import EVENT_LOOKBACK

    first = run.started_at - EVENT_LOOKBACK
    last = run.started_at + timedelta(days=horizon_days)
    return [
        e
        for e in dump["scheduled_events"]
        if e["status"] == "active"
        and hosts & {ms["user"] for ms in e["event_memberships"]}
        and first <= parse_time(e["start_time"]) < last
    ]


def comparable_range(run: m.SyncRun, horizon_days: int) -> tuple[datetime, datetime]:
    """Inside the synced horizon, away from its edges (where buffers decide what overlaps)."""
    return (
        run.started_at + timedelta(hours=1),
        run.started_at + timedelta(days=horizon_days) - timedelta(days=1),
    )


def assert_busy_matches(sandbox, run: m.SyncRun, people: list[str]) -> None:
    """Every person's stored busy blocks are exactly the sandbox's, none stored twice."""
    dump = sandbox.dump()
    start, end = comparable_range(run, settings.SYNC_HORIZON_DAYS)
    for person in people:
        assert busy_rows(person, start, end) == expected_busy(dump, person, start, end)
    keys = Counter(m.BusyBlock.objects.values_list("user", "type", "start", "end", "event_uri"))
    assert max(keys.values()) == 1


def org_groups(dump: dict, org: str) -> list[dict]:
    return [g for g in dump["groups"] if g["organization"] == org]


def org_relationships(dump: dict, org: str) -> list[dict]:
    return [r for r in dump["group_relationships"] if r["organization"] == org]


def expected_groups(dump: dict, org: str) -> dict[str, set[str]]:
    """Each group's members as the store should hold them: the users of its "member"
    relationships who are members of the organization (not invitees, not who left)."""
    people = {ms["user"]["uri"] for ms in members(dump, org)}
    found: dict[str, set[str]] = {g["uri"]: set() for g in org_groups(dump, org)}
    for rel in org_relationships(dump, org):
        user = (rel["owner"].get("user") or {}).get("uri")
        if rel["role"] == "member" and user in people:
            found[rel["group"]].add(user)
    return found


def group_rows(org: str) -> dict[str, set[str]]:
    return {
        g.uri: set(g.members.values_list("uri", flat=True))
        for g in m.Group.objects.filter(organization__uri=org)
    }


def expected_teams(dump: dict, org: str) -> dict[str, set[str]]:
    return {t["uri"]: set(t["members"]) for t in dump["teams"] if t["organization"] == org}


def team_rows(org: str) -> dict[str, set[str]]:
    return {
        t.uri: set(t.members.values_list("uri", flat=True))
        for t in m.Team.objects.filter(organization__uri=org)
    }


def structure_requests(dump: dict, org: str, teams_due: bool) -> int:
    """An organization sync's requests for groups and teams: the groups' and relationships'
    pages, the teams' list, and each member's teams when due (a first sync, or a day on)."""
    people = len(members(dump, org)) if teams_due and expected_teams(dump, org) else 0
    return pages(len(org_groups(dump, org))) + pages(len(org_relationships(dump, org))) + 1 + people
