"""The bench's own arithmetic and its command line; the figures themselves are measured
by `make bench`, never asserted here (docs/performance.md)."""

import subprocess
import sys

from bench import figures, report, syncs
from bench.services import PROJECT_ROOT

ORG = "https://api.example/organizations/O"
ME = "https://api.example/users/U0"


def _dump(members: int) -> dict:
    users = [f"https://api.example/users/U{i}" for i in range(members)]
    return {
        "memberships": [{"user": {"uri": u}, "organization": ORG} for u in users],
        "event_types": [
            {"profile": {"owner": u}, "hosts": [u], "active": i % 2 == 0, "deleted_at": None}
            for i, u in enumerate(users[:3])
        ]
        + [{"profile": {"owner": ME}, "hosts": [ME], "active": True, "deleted_at": "2024-01-01"}],
        "schedules": [{"user": u} for u in users],
        "scheduled_events": [],
        "external_blocks": [],
    }


def test_minimum_calls_count_each_page_and_window_once(settings):
    settings.SYNC_HORIZON_DAYS, settings.SYNC_WINDOW_DAYS = 28, 7
    settings.SYNC_AVAILABLE_TIMES_WINDOW_DAYS = 7  # Calendly before 2026-07-09
    minimum = syncs.minimum_calls(_dump(250), ORG, ME)
    # No booked events: when the sync reads their names, that is one empty page.
    events = {syncs.EVENTS: 1}
    # The organization's name once; no team event type, so no hosts to read.
    assert minimum["organization"] == {
        syncs.MEMBERSHIPS: 3, syncs.EVENT_TYPES: 1, syncs.SCHEDULES: 250, syncs.BUSY: 1000,
        syncs.HOSTS: 0, syncs.ORGANIZATION: 1,
        # No group: one empty page of each; no team: the list alone, nobody's teams.
        syncs.GROUPS: 1, syncs.GROUP_RELATIONSHIPS: 1, syncs.TEAMS: 1,
    } | events
    # Two of U0's event types are listed; one is active and not deleted: 4 windows of slots.
    # The name was read by the organization sync: a user sync does not ask for it.
    assert minimum["user"] == {
        syncs.MEMBERSHIPS: 1, syncs.EVENT_TYPES: 1, syncs.SCHEDULES: 1, syncs.BUSY: 4,
        syncs.SLOTS: 4, syncs.HOSTS: 0,
        # What only the user may read: /users/me (time notation) and their meeting limits.
        syncs.ME: 1, syncs.LIMITS: 1,
    } | events
    assert syncs.minimum_calls(_dump(250), ORG, ME, name_due=True)["user"][syncs.ORGANIZATION] == 1
    # Since Calendly takes 31 days of available times, the horizon is one window of slots.
    settings.SYNC_AVAILABLE_TIMES_WINDOW_DAYS = 31
    assert syncs.minimum_calls(_dump(250), ORG, ME)["user"][syncs.SLOTS] == 1


def test_minimum_calls_read_groups_by_the_page_and_teams_per_member_when_due():
    dump = _dump(250)
    dump["groups"] = [{"organization": ORG}] * 3 + [{"organization": "elsewhere"}]
    dump["group_relationships"] = [{"organization": ORG}] * 250 + [{"organization": "x"}] * 9
    minimum = syncs.minimum_calls(dump, ORG, ME)["organization"]
    assert (minimum[syncs.GROUPS], minimum[syncs.GROUP_RELATIONSHIPS]) == (1, 3)
    assert minimum[syncs.TEAMS] == 1
    assert syncs.minimum_calls(dump, ORG, ME, teams_due=True)["organization"][syncs.TEAMS] == 1
    dump["teams"] = [{"organization": ORG}]
    assert syncs.minimum_calls(dump, ORG, ME, teams_due=True)["organization"][syncs.TEAMS] == 251
    assert syncs.minimum_calls(dump, ORG, ME)["organization"][syncs.TEAMS] == 1


def test_minimum_calls_read_each_bookable_team_event_types_hosts_page_by_page(settings):
    dump = _dump(250)
    users = [m["user"]["uri"] for m in dump["memberships"]]
    team = {"active": True, "deleted_at": None, "kind": "solo"}
    dump["event_types"] += [
        team | {"profile": {"owner": ME}, "pooling_type": "round_robin", "hosts": users[:150]},
        team | {"profile": {"owner": ME}, "pooling_type": "collective", "hosts": [ME, users[1]]},
        team | {"profile": {"owner": ME}, "pooling_type": None, "kind": "group", "hosts": [ME]},
        team | {"profile": {"owner": ME}, "pooling_type": "multi_pool", "hosts": [users[2]],
                "active": False},
    ]
    minimum = syncs.minimum_calls(dump, ORG, ME)
    assert minimum["organization"][syncs.HOSTS] == 2 + 1 + 1  # 150 hosts are two pages
    assert minimum["user"][syncs.HOSTS] == 2 + 1 + 1  # ME hosts all three bookable ones


def test_rows_show_each_figure_beside_its_goal():
    size = {
        "minimum": {"organization": {"a": 10}, "user": {"a": 3}},
        "organization_syncs": [{"api_requests": 10}, {"api_requests": 11}],
        "user_sync": {"api_requests": 3},
        "organization_wall_s": 2.0,
        "latency_bound_s": 1.0,
        "naive": {"package": "p", "wall_s": 30.0},
        "memory": {"peak_mb": 120.0, "per_process_mb": {"1": 120.0}},
        "pages": {"team": {"client_p95_ms": 90, "rps": 10, "server_p50_ms": 20,
                           "server_p95_ms": 80, "failures": 0}},
        "queries": {"team": {"queries": 9}},
    }
    rows = {row.figure: row for row in figures.rows({"sizes": {"1000": size}})}
    assert rows["organization sync, 1000 members"].met is False  # 11 > 10: the worst run counts
    assert rows["user sync, 1000 members"].met is True
    assert rows["vs naive sequential (p), 1000 members"].value.endswith("15.0x faster")
    assert rows["team, 1000 members"].met is True
    text = report.table(list(rows.values()))
    assert "11 / 10 min = 1.10" in text and "NO" in text


def test_the_rate_limit_run_needs_one_full_window_and_a_short_second():
    for calls in (102, 502, 5002, 10002):
        rate = syncs.rate_for(calls)
        assert rate < calls <= rate + calls // 50 + 1


def test_help_runs_without_the_bench_extra():
    answer = subprocess.run([sys.executable, "-m", "bench", "--help"], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=60, check=False)
    assert answer.returncode == 0, answer.stderr
    assert "--quick" in answer.stdout
