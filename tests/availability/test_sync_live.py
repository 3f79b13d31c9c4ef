"""Syncs against the sandbox, in this process: what is stored is exactly what the sandbox holds,
read with the fewest requests the API allows."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import timedelta

import pytest
import requests
from django.conf import settings
from django.utils import timezone

from accounts.models import CalendlyCredential
from availability.models import (
    AvailableSlot,
    BusyBlock,
    CalendlyUser,
    EventType,
    Organization,
    SyncRun,
)
from calendly import api_time
from dashboard import week_page
from sandbox.seed import (
    DEMO_ADMIN_EMAIL,
    DEMO_MEMBER_EMAIL,
    DEMO_OWNER_EMAIL,
    OTHER_ORG_MEMBER_EMAIL,
)
from sync import reads, runs, tasks, windows, writes
from tests.availability import expected as x
from tests.workers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def inline(run_id: int, credential_id: int, batches: list[list[str]]) -> None:
    """The organization fan-out, run here one batch after another instead of by workers."""
    for batch in batches:
        runs.sync_members(run_id, credential_id, batch)


def busy_windows() -> int:
    return len(windows.sync_windows())


def slot_windows() -> int:
    return len(windows.sync_windows(available_times=True))


def api_slots(sandbox, token: str, event_type: str, start, end) -> list[tuple]:
    """Available times straight from the sandbox, window by window, over all of [start, end):
    a range of whole days only would leave out its last hours' slots (the comparable range is
    26 days and 23 hours long), which the dashboard rightly stores."""
    found = []
    step = timedelta(days=settings.SYNC_WINDOW_DAYS)
    windows = [(at, min(at + step, end)) for at in itertools.takewhile(
        lambda at: at < end, (start + i * step for i in itertools.count()))]
    for window_start, window_end in windows:
        response = requests.get(
            f"{sandbox.url}/event_type_available_times",
            headers=sandbox.auth(token),
            timeout=10,
            params={
                "event_type": event_type,
                "start_time": api_time(window_start),
                "end_time": api_time(window_end),
            },
        )
        response.raise_for_status()
        found += [
            (s["start_time"], s["invitees_remaining"], s["scheduling_url"])
            for s in response.json()["collection"]
        ]
    return sorted(found)


def stored_slots(event_type: str, start, end) -> list[tuple]:
    slots = AvailableSlot.objects.filter(
        event_type__uri=event_type, start__gte=start, start__lt=end
    )
    return sorted((api_time(s.start), s.invitees_remaining, s.scheduling_url) for s in slots)


def test_user_sync_stores_the_sandbox_data_with_the_fewest_requests(calendly, connect):
    credential = connect(DEMO_OWNER_EMAIL)
    calendly.reset_stats()
    result = runs.sync_user(credential.pk)
    requests_made = calendly.stats()
    assert result.status == SyncRun.Status.SUCCEEDED, result.summary
    run = SyncRun.objects.get(pk=result.run_id)
    dump = calendly.dump()
    me, org = credential.calendly_user_uri, credential.organization_uri

    mine = {row for row in x.expected_memberships(dump, org) if row[2] == me}
    assert {row for row in x.membership_rows(org)} == mine
    stored_types = set(EventType.objects.values_list("uri", flat=True))
    listed = [et for et in dump["event_types"] if et["uri"] in stored_types]
    assert x.event_type_rows() == x.expected_event_types(listed)
    assert len(listed) == len(stored_types) > 0
    assert x.schedule_rows([me]) == x.expected_schedules(dump, [me])
    start, end = x.comparable_range(run, settings.SYNC_HORIZON_DAYS)
    assert x.busy_rows(me, start, end) == x.expected_busy(dump, me, start, end)
    assert x.busy_rows(me, start, end), "the seed books the owner: an empty week proves nothing"

    bookable = list(EventType.objects.filter(active=True).values_list("uri", flat=True))
    assert bookable and AvailableSlot.objects.exists()
    for event_type in bookable:
        assert stored_slots(event_type, start, end) == api_slots(
            calendly, credential.access_token, event_type, start, end
        )

    assert any(row[4] for row in x.busy_rows(me, start, end)), "bookings are named"

    # The hosts of the bookable team event types listed for the owner, as Calendly says.
    team = x.bookable_team_types(listed)
    assert team, "the seed has the owner host a team event type"
    assert x.host_rows(et["uri"] for et in team) == {et["uri"]: set(et["hosts"]) for et in team}
    name = next(o["name"] for o in dump["organizations"] if o["uri"] == org)
    assert Organization.objects.get(uri=org).name == name

    # Memberships, event types, schedules, busy windows, slot windows, the names of the
    # user's booked events (one listing of the whole horizon, however many windows), the
    # hosts of each team event type, first time, the organization's name, and what only
    # the user may read: /users/me (time notation) and their meeting limits.
    events = x.active_events(dump, run, {me}, settings.SYNC_HORIZON_DAYS)
    named = x.pages(len(events))
    hosts = x.hosts_pages(listed)
    fewest = (
        1 + 1 + 1 + busy_windows() + len(bookable) * slot_windows() + named + hosts + 1 + 2
    )
    assert requests_made["api_total"] == fewest, requests_made["requests"]
    assert requests_made["requests"]["GET /scheduled_events"] == named
    assert requests_made["requests"]["GET /event_type_memberships"] == hosts == len(team)
    assert requests_made["requests"]["GET /organizations/{uuid}"] == 1
    assert requests_made["requests"]["GET /users/me"] == 1
    assert requests_made["requests"]["GET /user_meeting_limits"] == 1
    assert run.api_calls == fewest and run.retries == 0
    # Two steps, then a job per request but one for however many pages of names or hosts.
    jobs = 1 + busy_windows() + len(bookable) * slot_windows() + 1 + len(team) + 1 + 2
    assert run.progress_done == run.progress_total == 2 + jobs
    assert CalendlyUser.objects.get(uri=me).timezone_known

    # The name is known and fresh, and so are the schedules (sync/slow_refresh.py): the
    # next periodic user sync asks for neither again.
    calendly.reset_stats()
    assert runs.sync_user(credential.pk).status == SyncRun.Status.SUCCEEDED
    again = calendly.stats()
    assert "GET /organizations/{uuid}" not in again["requests"]
    assert "GET /user_availability_schedules" not in again["requests"]
    assert again["api_total"] == fewest - 2, again["requests"]


def test_organization_sync_stores_every_member_with_the_fewest_requests(calendly, connect):
    admin = connect(DEMO_ADMIN_EMAIL)
    assert runs.sync_user(admin.pk).status == SyncRun.Status.SUCCEEDED
    org = admin.organization_uri
    calendly.reset_stats()
    result = runs.sync_organization(org, inline)
    requests_made = calendly.stats()
    run = SyncRun.objects.get(pk=result.run_id)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    dump = calendly.dump()

    people = [ms["user"]["uri"] for ms in x.members(dump, org)]
    assert x.membership_rows(org) == x.expected_memberships(dump, org)
    org_types = x.org_event_types(dump, org)
    assert x.event_type_rows([et["uri"] for et in org_types]) == x.expected_event_types(org_types)
    assert EventType.objects.filter(organization__uri=org).count() == len(org_types)
    assert x.schedule_rows(people) == x.expected_schedules(dump, people)
    start, end = x.comparable_range(run, settings.SYNC_HORIZON_DAYS)
    for person in people:
        assert x.busy_rows(person, start, end) == x.expected_busy(dump, person, start, end)

    # The names of every member's booked events: one walk of the organization's events, never
    # more pages than a walk per member would take (each member's is at least one page).
    events = x.active_events(dump, run, set(people), settings.SYNC_HORIZON_DAYS)
    per_member = sum(
        x.pages(len(x.active_events(dump, run, {p}, settings.SYNC_HORIZON_DAYS))) for p in people
    )
    assert x.pages(len(events)) <= per_member and len(people) > 1
    # Every bookable team event type's hosts, as Calendly lists them; the name, every run.
    team = x.bookable_team_types(org_types)
    assert {et["pooling_type"] for et in team} >= {"round_robin", "collective", "multi_pool"}
    assert x.host_rows(et["uri"] for et in team) == {et["uri"]: set(et["hosts"]) for et in team}
    # Groups and who is in them; teams, and each member's teams (Calendly lists no team's
    # members), these on a first sync only: they are read at most daily.
    assert x.group_rows(org) == x.expected_groups(dump, org) and x.group_rows(org)
    assert x.team_rows(org) == x.expected_teams(dump, org) and x.team_rows(org)
    fewest = (
        x.pages(len(people))
        + x.pages(len(org_types))
        + x.pages(len(events))
        # The admin signed in and their own sync just read them: their own token's budget,
        # so the organization's run reads every member but them (sync/own_budget.py).
        + (len(people) - 1) * (1 + busy_windows())
        + x.hosts_pages(org_types)
        + 1
        + x.structure_requests(dump, org, teams_due=True)
    )
    assert requests_made["api_total"] == fewest, requests_made["requests"]
    assert "1 member(s) read with their own connection" in result.summary
    assert requests_made["requests"]["GET /teams"] == 1 + len(people)
    assert requests_made["requests"]["GET /scheduled_events"] == x.pages(len(events))
    assert requests_made["requests"]["GET /organizations/{uuid}"] == 1
    assert run.api_calls == fewest
    assert run.progress_done == run.progress_total
    assert run.member_errors == {}

    # Within the day, a sync reads the teams' list but nobody's teams again, and within
    # SYNC_SLOW_REFRESH_HOURS nobody's schedules (sync/slow_refresh.py).
    calendly.reset_stats()
    assert runs.sync_organization(org, inline).status == SyncRun.Status.SUCCEEDED
    again = calendly.stats()
    assert again["api_total"] == fewest - len(people) - (len(people) - 1), again["requests"]
    assert again["requests"]["GET /teams"] == 1
    assert "GET /user_availability_schedules" not in again["requests"]


def test_a_long_listing_of_booked_events_is_read_in_slices_side_by_side(
    calendly, connect, monkeypatch
):
    """The organization's booked events, read in one slice of the horizon per window when
    the last run stored enough of them: every block is named as by one walk, for at most one
    request more per extra slice."""
    monkeypatch.setattr(reads, "PAGES_PER_EVENT_SLICE", 0.01)  # a slice per 1 event stored
    admin = connect(DEMO_ADMIN_EMAIL)
    org = admin.organization_uri
    assert runs.sync_user(admin.pk).status == SyncRun.Status.SUCCEEDED
    assert runs.sync_organization(org, inline).status == SyncRun.Status.SUCCEEDED
    min_start, max_start = windows.event_span()
    slices = reads.event_slices(min_start, max_start, writes.expected_events(org, min_start))
    assert len(slices) == busy_windows() > 1

    calendly.reset_stats()
    run = SyncRun.objects.get(pk=runs.sync_organization(org, inline).run_id)
    requests_made = calendly.stats()
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    dump = calendly.dump()
    people = [ms["user"]["uri"] for ms in x.members(dump, org)]
    start, end = x.comparable_range(run, settings.SYNC_HORIZON_DAYS)
    for person in people:
        assert x.busy_rows(person, start, end) == x.expected_busy(dump, person, start, end)
    events = x.active_events(dump, run, set(people), settings.SYNC_HORIZON_DAYS)
    listed = requests_made["requests"]["GET /scheduled_events"]
    assert x.pages(len(events)) <= listed <= x.pages(len(events)) + len(slices) - 1
    assert run.progress_done == run.progress_total


def only_the_name_refused(run: SyncRun, organization: str) -> bool:
    """The sandbox refuses a plain member the organization (its stricter reading): the
    organization's named problem; the run's data is whole."""
    problem = Organization.objects.get(uri=organization).name_problem
    return run.status == SyncRun.Status.SUCCEEDED and "name (403 Permission Denied" in problem


def test_a_member_hosts_the_team_event_types_calendly_lists_for_them(calendly, connect):
    """Ana hosts the seed's round robin, whose profile is the owner's: her user sync reads
    its hosts from /event_type_memberships, so it is hers to pick; an organization sync
    reads the same."""
    member = connect(DEMO_MEMBER_EMAIL)
    run = SyncRun.objects.get(pk=runs.sync_user(member.pk).run_id)
    assert only_the_name_refused(run, member.organization_uri), run.member_errors
    me = member.calendly_user_uri
    dump = calendly.dump()
    team = {et["uri"] for et in x.bookable_team_types(dump["event_types"]) if me in et["hosts"]}
    owned = {et["uri"] for et in dump["event_types"] if et["profile"]["owner"] == me}
    assert team - owned, "the seed has Ana host an event type she does not own"

    def stored_hosted() -> set[str]:
        return set(EventType.objects.filter(hosts__uri=me).values_list("uri", flat=True))

    assert stored_hosted() == team
    picker = {et.uri for et in week_page.event_types_of(CalendlyUser.objects.get(uri=me))}
    bookable = {et["uri"] for et in dump["event_types"] if et["active"] and not et["deleted_at"]}
    assert picker == (team | owned) & bookable and team & picker

    admin = connect(DEMO_ADMIN_EMAIL)
    assert runs.sync_user(admin.pk).status == SyncRun.Status.SUCCEEDED
    org = SyncRun.objects.get(pk=runs.sync_organization(admin.organization_uri, inline).run_id)
    assert org.status == SyncRun.Status.SUCCEEDED, org.error
    assert stored_hosted() == team


def test_a_plain_member_syncs_their_own_data_but_not_the_organization(calendly, connect):
    member = connect(DEMO_MEMBER_EMAIL)
    result = runs.sync_user(member.pk)
    assert only_the_name_refused(SyncRun.objects.get(pk=result.run_id), member.organization_uri)
    assert BusyBlock.objects.filter(user__uri=member.calendly_user_uri).exists()
    calendly.reset_stats()
    refused = runs.sync_organization(member.organization_uri, inline)
    run = SyncRun.objects.get(pk=refused.run_id)
    assert run.status == SyncRun.Status.FAILED
    assert "No connected owner or admin" in run.error
    assert calendly.stats()["api_total"] == 0  # refused before asking Calendly anything


def test_a_booking_and_its_cancellation_show_after_the_next_run(calendly, connect):
    owner = connect(DEMO_OWNER_EMAIL)
    assert runs.sync_user(owner.pk).status == SyncRun.Status.SUCCEEDED
    slot = (
        AvailableSlot.objects.filter(
            event_type__owner__uri=owner.calendly_user_uri,
            event_type__pooling_type="",
            event_type__kind="solo",
            start__gte=timezone.now() + timezone.timedelta(days=8),
        )
        .select_related("event_type")
        .order_by("start")
        .first()
    )
    assert slot is not None
    event = calendly.book(slot.event_type.uri, api_time(slot.start))["event"]
    try:
        assert runs.sync_user(owner.pk).status == SyncRun.Status.SUCCEEDED
        blocks = BusyBlock.objects.filter(event_uri=event["uri"])
        assert blocks.count() == 1 and blocks.get().start == slot.start
        assert not AvailableSlot.objects.filter(
            event_type=slot.event_type, start=slot.start
        ).exists()
    finally:
        calendly.cancel(event["uri"])
    assert runs.sync_user(owner.pk).status == SyncRun.Status.SUCCEEDED
    assert not BusyBlock.objects.filter(event_uri=event["uri"]).exists()
    assert AvailableSlot.objects.filter(event_type=slot.event_type, start=slot.start).exists()
    keys = Counter(BusyBlock.objects.values_list("user", "type", "start", "end", "event_uri"))
    assert max(keys.values()) == 1  # three runs, nothing duplicated


def test_an_unreachable_external_calendar_is_shown_as_such(calendly, connect):
    owner = connect(DEMO_OWNER_EMAIL)
    calendly.fault("/user_busy_times", "external_calendar", count=1)
    result = runs.sync_user(owner.pk)
    run = SyncRun.objects.get(pk=result.run_id)
    assert run.status == SyncRun.Status.PARTIAL
    assert "424 External Calendar Error" in run.member_errors[owner.calendly_user_uri]
    me = CalendlyUser.objects.get(uri=owner.calendly_user_uri)
    assert me.sync_problem == CalendlyUser.Problem.EXTERNAL_CALENDAR
    assert AvailableSlot.objects.exists()  # the rest of the run went on
    assert runs.sync_user(owner.pk).status == SyncRun.Status.SUCCEEDED
    me.refresh_from_db()
    assert me.sync_problem == ""  # cleared by the next good run


def test_a_run_again_changes_nothing(calendly, connect):
    owner = connect(DEMO_OWNER_EMAIL)
    runs.sync_user(owner.pk)
    before = (
        set(BusyBlock.objects.values_list("user", "type", "start", "end", "event_uri")),
        set(AvailableSlot.objects.values_list("event_type", "start")),
        x.event_type_rows(),
        BusyBlock.objects.count(),
        AvailableSlot.objects.count(),
    )
    assert runs.sync_user(owner.pk).status == SyncRun.Status.SUCCEEDED
    after = (
        set(BusyBlock.objects.values_list("user", "type", "start", "end", "event_uri")),
        set(AvailableSlot.objects.values_list("event_type", "start")),
        x.event_type_rows(),
        BusyBlock.objects.count(),
        AvailableSlot.objects.count(),
    )
    assert after == before


def test_a_run_through_500s_and_stalls_completes_and_records_its_retries(calendly, connect):
    calendly.configure(error_rate=0.2, stall_rate=0.05, stall_seconds=1.5)
    owner = connect(DEMO_OWNER_EMAIL)
    result = runs.sync_user(owner.pk)
    assert result.status == SyncRun.Status.SUCCEEDED, result.summary
    run = SyncRun.objects.get(pk=result.run_id)
    # A stalled request we gave up on is counted by the sandbox only once its stall ends.
    served = wait_for(
        lambda: (s := calendly.stats())["api_total"] == run.api_calls and s,
        10,
        what="the sandbox to finish serving stalled requests",
    )
    assert run.retries > 0
    assert run.retries == served["injected_errors"] + served["stalls"]
    calendly.reset_knobs()
    dump = calendly.dump()
    start, end = x.comparable_range(run, settings.SYNC_HORIZON_DAYS)
    me = owner.calendly_user_uri
    assert x.busy_rows(me, start, end) == x.expected_busy(dump, me, start, end)
    assert x.schedule_rows([me]) == x.expected_schedules(dump, [me])


@pytest.mark.slow
def test_an_organization_sync_keeps_under_the_announced_rate_limit(calendly, connect, settings):
    """Calendly announces 30 a minute (a Free plan's kind of limit) while we are configured for
    500: the budget learns it from the first answer, so the run waits instead of being refused."""
    admin = connect(DEMO_ADMIN_EMAIL)
    first = runs.sync_user(admin.pk)
    assert first.status == SyncRun.Status.SUCCEEDED, SyncRun.objects.get(pk=first.run_id).__dict__
    settings.CALENDLY_RATE_BUDGET_NAMESPACE += "-org"  # a fresh minute for the run below
    # Room for a loaded CI machine, where two lanes sync at once and a request may reach
    # the sandbox seconds after the budget let it go (the default margin is 1 s).
    settings.CALENDLY_RATE_WINDOW_MARGIN_SECONDS = 5.0
    # All of the limit ours: the learned limit is this test's subject, and a 0.6 share of 30
    # would stretch the run over four minutes (the share: tests/calendly/test_fair_share.py).
    settings.CALENDLY_BUDGET_SHARE = 1.0
    calendly.configure(rate_limit_per_minute=30, rate_limit_scope="user", error_rate=0.1)
    calendly.reset_stats()
    result = runs.sync_organization(admin.organization_uri, inline)
    run = SyncRun.objects.get(pk=result.run_id)
    assert run.status == SyncRun.Status.SUCCEEDED, (run.error, run.member_errors)
    served = calendly.stats()
    assert served["api_total"] > 30  # more than one minute's worth...
    assert served["rate_limited"] == 0 and served["early_retries"] == 0  # ...never refused
    assert run.api_calls == served["api_total"] and run.retries == served["injected_errors"]
    dump = calendly.dump()
    people = [ms["user"]["uri"] for ms in x.members(dump, admin.organization_uri)]
    assert x.schedule_rows(people) == x.expected_schedules(dump, people)


def test_a_member_calendly_refuses_is_recorded_on_them_and_the_run_goes_on(
    calendly, connect, settings
):
    """Someone listed a moment ago who is in another organization by the time their batch
    runs: Calendly answers 403 for them, and only for them."""
    settings.SYNC_MEMBERS_PER_TASK = 3  # 8 members: the organization's task hands on 2 batches
    admin = connect(DEMO_ADMIN_EMAIL)
    assert runs.sync_user(admin.pk).status == SyncRun.Status.SUCCEEDED
    outsider = connect(OTHER_ORG_MEMBER_EMAIL).calendly_user_uri
    CalendlyUser.objects.get_or_create(uri=outsider)

    def with_an_outsider(run_id, credential_id, batches):
        batches[-1][-1] = outsider  # same number of members, so the run's total still holds
        inline(run_id, credential_id, batches)

    run = SyncRun.objects.get(
        pk=runs.sync_organization(admin.organization_uri, with_an_outsider).run_id
    )
    assert run.status == SyncRun.Status.PARTIAL, run.error
    assert list(run.member_errors) == [outsider]
    assert (
        "403 Permission Denied: This user is not in your organization"
        in (run.member_errors[outsider])
    )
    refused = CalendlyUser.objects.get(uri=outsider)
    assert refused.sync_problem == CalendlyUser.Problem.PERMISSION_DENIED
    assert "not in your organization" in refused.sync_problem_detail
    others = CalendlyUser.objects.filter(memberships__organization__uri=admin.organization_uri)
    assert others.filter(sync_problem="").count() == others.count() > 1


def test_beat_schedules_every_active_credential_and_administered_organization(calendly, connect):
    from config.celery_app import app

    admin = connect(DEMO_ADMIN_EMAIL)
    member = connect(DEMO_MEMBER_EMAIL)
    asleep = connect(OTHER_ORG_MEMBER_EMAIL)
    CalendlyCredential.objects.filter(pk=asleep.pk).update(state="needs_reconnect")
    app.conf.task_always_eager = True
    try:
        assert tasks.schedule_periodic_syncs().startswith("scheduled 2 user(s), 0 organization")
        assert tasks.schedule_periodic_syncs().startswith("scheduled 2 user(s), 1 organization")
    finally:
        app.conf.task_always_eager = False
    succeeded = SyncRun.objects.filter(status=SyncRun.Status.SUCCEEDED)
    assert set(succeeded.values_list("subject_uri", flat=True)) == {
        admin.calendly_user_uri,
        member.calendly_user_uri,
        admin.organization_uri,
    }
    assert not SyncRun.objects.filter(subject_uri=asleep.calendly_user_uri).exists()
