"""Sections 1-4 measured on one organization sync or user sync at a time.

A run is requested as "Sync now" requests it (``sync.tasks``), carried out by
the worker pool, and read back from its ``SyncRun`` row and the sandbox's counters,
which are zeroed first. The minimum a run could make is worked out from the
sandbox's data (``/_sandbox/dump``) and the sync's own windows.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime

from bench.signin import wait_finished
from sync import tasks, windows

MEMBERSHIPS = "GET /organization_memberships"
EVENT_TYPES = "GET /event_types"
SCHEDULES = "GET /user_availability_schedules"
BUSY = "GET /user_busy_times"
SLOTS = "GET /event_type_available_times"
EVENTS = "GET /scheduled_events"
ME = "GET /users/me"
LIMITS = "GET /user_meeting_limits"
HOSTS = "GET /event_type_memberships"
ORGANIZATION = "GET /organizations/{uuid}"
GROUPS = "GET /groups"
GROUP_RELATIONSHIPS = "GET /group_relationships"
TEAMS = "GET /teams"
PAGE = 100  # Calendly's largest page


@dataclass
class Measured:
    wall_s: float  # from the request to the run's end: queueing, fan-out and all
    status: str
    api_requests: int  # as the sandbox counted them, 429s included
    by_route: dict[str, int]
    rate_limited: int
    early_retries: int
    client_calls: int  # as the run counted them
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def _pages(rows: int) -> int:
    return max(1, math.ceil(rows / PAGE))


def _event_type_org(event_type: dict, org_of_user: dict[str, str]) -> str | None:
    owner = (event_type.get("profile") or {}).get("owner") or ""
    return org_of_user.get(owner, owner if "/organizations/" in owner else None)


def _hosts_pages(event_types: list[dict]) -> int:
    """The pages of hosts the sync reads: those of each bookable team event type."""
    team = [
        e for e in event_types
        if e["active"] and not e.get("deleted_at")
        and (e.get("pooling_type") or e.get("kind", "solo") != "solo")
    ]
    return sum(_pages(len(e.get("hosts", []))) for e in team)


def minimum_calls(
    dump: dict, org_uri: str, user_uri: str, name_due: bool = False, teams_due: bool = False
) -> dict[str, dict[str, int]]:
    """The fewest requests a full organization sync and a full user sync can make for this
    data: each page of a collection (100 rows) and each window once, nothing else. An
    organization sync reads the organization's name, groups and list of teams every time,
    and each member's teams when due (``teams_due``: a first sync, or a day on) if the
    organization has a team; a user sync reads the name only when it is due
    (``name_due``: nobody asked for a day, as on a first sync)."""
    busy_windows = len(windows.sync_windows())
    slot_windows = len(windows.sync_windows(available_times=True))
    org_of_user = {m["user"]["uri"]: m["organization"] for m in dump["memberships"]}
    members = [m for m in dump["memberships"] if m["organization"] == org_uri]
    org_types = [e for e in dump["event_types"] if _event_type_org(e, org_of_user) == org_uri]
    user_types = [e for e in org_types if user_uri in e.get("hosts", [])]
    bookable = [e for e in user_types if e["active"] and not e.get("deleted_at")]
    own = [m for m in dump["memberships"] if m["user"]["uri"] == user_uri]
    minimum = {
        "organization": {
            MEMBERSHIPS: _pages(len(members)),
            EVENT_TYPES: _pages(len(org_types)),
            SCHEDULES: len(members),
            BUSY: len(members) * busy_windows,
            HOSTS: _hosts_pages(org_types),
            ORGANIZATION: 1,
            GROUPS: _pages(sum(1 for g in dump.get("groups", []) if g["organization"] == org_uri)),
            GROUP_RELATIONSHIPS: _pages(sum(1 for r in dump.get("group_relationships", [])
                                            if r["organization"] == org_uri)),
            TEAMS: 1 + (len(members) if teams_due and any(
                t["organization"] == org_uri for t in dump.get("teams", [])) else 0),
        },
        "user": {
            MEMBERSHIPS: _pages(len(own)),
            EVENT_TYPES: _pages(len(user_types)),
            SCHEDULES: 1,
            BUSY: busy_windows,
            SLOTS: len(bookable) * slot_windows,
            HOSTS: _hosts_pages(user_types),
            # What only the user may read: their time notation and meeting limits.
            ME: 1,
            LIMITS: 1,
        } | ({ORGANIZATION: 1} if name_due else {}),
    }
    # The sync reads booked events' names in one listing.
    everyone = {m["user"]["uri"] for m in members}
    hosts = [{m["user"] for m in e.get("event_memberships", [])}
             for e in _events_in_span(dump, *windows.event_span())]
    minimum["organization"][EVENTS] = _pages(sum(1 for h in hosts if h & everyone))
    minimum["user"][EVENTS] = _pages(sum(1 for h in hosts if user_uri in h))
    return minimum


def _events_in_span(dump: dict, start: datetime, end: datetime) -> list[dict]:
    """Active events starting in [start, end): what ``/scheduled_events`` lists for the sync."""
    return [
        e for e in dump["scheduled_events"]
        if e["status"] == "active" and start <= _instant(e["start_time"]) < end
    ]


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def rate_for(calls: int) -> int:
    """Section 2's R: the sync then needs one full one-minute window and a short second
    (a little over a minute), so calls / R is close to the window arithmetic
    ((windows - 1) x 60 s + the last few requests)."""
    return max(5, calls - max(1, calls // 50))


def data_shape(dump: dict, org_uri: str) -> dict[str, float]:
    """What the generated organization holds, per member: the figures the issue fixes."""
    members = {m["user"]["uri"] for m in dump["memberships"] if m["organization"] == org_uri}
    schedules = Counter(s["user"] for s in dump["schedules"] if s["user"] in members)
    types = Counter(
        h for e in dump["event_types"] for h in e.get("hosts", []) if h in members
    )
    events = sum(
        1 for e in dump["scheduled_events"]
        if any(m["user"] in members for m in e.get("event_memberships", []))
    )
    blocks = sum(1 for b in dump["external_blocks"] if b["user"] in members)
    n = max(1, len(members))
    return {
        "members": len(members),
        "schedules_per_member": round(sum(schedules.values()) / n, 2),
        "event_types_per_member": round(sum(types.values()) / n, 2),
        "bookings_per_member": round(events / n, 2),
        "external_blocks_per_member": round(blocks / n, 2),
    }


def _measure(sandbox, request, timeout: float) -> Measured:
    sandbox.reset_stats()
    started = time.time()
    run = wait_finished(request().pk, timeout)
    stats = sandbox.stats()
    return Measured(
        wall_s=round(run.finished_at.timestamp() - started, 3),
        status=run.status,
        api_requests=stats["api_total"],
        by_route={k: v for k, v in sorted(stats["requests"].items()) if not k.startswith("POST /oauth")},
        rate_limited=stats["rate_limited"],
        early_retries=stats["early_retries"],
        client_calls=run.api_calls,
        extra={"run_id": run.pk, "error": run.error[:300], "member_errors": len(run.member_errors)},
    )


def organization_sync(sandbox, org_uri: str, timeout: float = 600) -> Measured:
    return _measure(sandbox, lambda: tasks.request_organization_sync(org_uri), timeout)


def user_sync(sandbox, credential_id: int, timeout: float = 300) -> Measured:
    return _measure(sandbox, lambda: tasks.request_user_sync(credential_id), timeout)
