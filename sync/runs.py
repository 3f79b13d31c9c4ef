"""The rules of a sync: what is read from Calendly, in which windows, and how a run ends.

A user sync reads the user's memberships, event types (the ones they own or host),
availability schedules, busy times, the names of their booked events, the available
times of their active event types, the hosts of the team ones (``sync.hosts``), what
only they may read: their time notation and meeting limits (``sync.own_settings``) and,
when due, the organization's name (``sync.organization_name``). An organization sync
reads all memberships, then fans the members' schedules and busy times out in batches
(``sync_members``) while its own task reads the organization's name, its event types
(then the hosts of the team ones), its groups and teams (``sync.org_structure``) and the
names of its booked events beside its first batch: no listing waits for another, so the
longest chain of requests is one listing's pages (and one page of hosts after the event
types), not all of them end to end.

Busy and available times are read in windows starting just after now, spanning
at most ``SYNC_WINDOW_DAYS`` (``SYNC_AVAILABLE_TIMES_WINDOW_DAYS`` for available
times) up to ``SYNC_HORIZON_DAYS``. Each collection page and each window is
requested exactly once per run: the fewest requests the API allows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import CalendlyCredential
from accounts.tokens import CredentialTokens, NeedsReconnect, RefreshDeferred, mark_needs_reconnect
from availability.models import Membership, Organization, SyncRun
from calendly import (
    CalendlyClient,
    CalendlyError,
    CallStats,
    InsufficientScope,
    PermissionDenied,
    RateLimited,
    ServerError,
    Unavailable,
)
from calendly import Unauthorized as CalendlyUnauthorized
from sync import (
    hosts,
    lifecycle,
    org_structure,
    organization_name,
    own_budget,
    priority,
    reads,
    writes,
)
from sync.own_settings import own_settings_jobs
from sync.parallel import Recorder, RunLost, problem_kind, retrying_deadlocks, run_jobs
from sync.reads import chunks
from sync.scopes import missing_scopes, problem_detail
from sync.windows import sync_windows

log = logging.getLogger(__name__)
Kind, Status, ErrorKind = SyncRun.Kind, SyncRun.Status, SyncRun.ErrorKind


@dataclass
class Result:
    """What a task reports: the run, a one-line summary, and when to try again if at all."""

    run_id: int | None
    status: str
    summary: str
    retry_in: float | None = None


# --- Running a run -----------------------------------------------------------------


@dataclass
class Context:
    run: SyncRun
    credential_id: int
    client: CalendlyClient
    recorder: Recorder
    lease: lifecycle.Lease
    problems: dict[str, Exception] = field(default_factory=dict)


ClientFactory = Callable[[int, CallStats], CalendlyClient]


def default_client(credential_id: int, stats: CallStats) -> CalendlyClient:
    return CalendlyClient(CredentialTokens(credential_id), stats=stats)


def _execute(run: SyncRun, credential_id: int, work, make_client: ClientFactory) -> Result:
    """Runs ``work(ctx)`` under the run's lease and ends the run by what happened."""
    stats = CallStats()
    recorder = Recorder(run.id, stats)
    try:
        client = make_client(credential_id, stats)
        with lifecycle.Lease(run.id).held() as lease:
            ctx = Context(run, credential_id, client, recorder, lease)
            handed_off = work(ctx)
    except Exception as error:
        recorder.flush()
        return _fail(run, credential_id, error)
    recorder.flush()
    if handed_off:
        return Result(run.id, Status.RUNNING, f"run {run.id}: {handed_off}")
    return _succeed(run, credential_id, ctx.problems, stats.rejected)


def _succeed(
    run: SyncRun,
    credential_id: int,
    problems: dict[str, Exception],
    rejected: Iterable[str] = (),
) -> Result:
    errors = {owner: str(error) for owner, error in problems.items()}
    # Records Calendly sent that could not be read, each named; the rest was stored.
    errors |= {f"record {i}": name for i, name in enumerate(rejected, 1)}
    status = Status.PARTIAL if errors else Status.SUCCEEDED
    lacking = missing_scopes(problems.values())
    lifecycle.finish(run, status, member_errors=errors, missing_scopes=lacking)
    CalendlyCredential.objects.filter(pk=credential_id).update(last_synced_at=timezone.now())
    return Result(run.id, status, f"run {run.id} {status}: {len(errors)} problem(s)")


# After Calendly's bounded retries of 5xx and timeouts, the task tries the run again later.
UNAVAILABLE_RETRY_SECONDS = 120.0


def _fail(run: SyncRun, credential_id: int, error: Exception) -> Result:
    retry_in, kind, fields = None, ErrorKind.FAILED, {}
    if isinstance(error, CalendlyUnauthorized):
        reason = "Calendly rejected the renewed access token; please reconnect."
        mark_needs_reconnect(credential_id, reason)
        message, kind = f"{reason} ({error})", ErrorKind.NEEDS_RECONNECT
    elif isinstance(error, NeedsReconnect):
        message, kind = f"Calendly needs reconnecting: {error}", ErrorKind.NEEDS_RECONNECT
    elif isinstance(error, RateLimited):
        # The wait Calendly announced (Retry-After / X-RateLimit-Reset), else a minute.
        message, kind = str(error), ErrorKind.RATE_LIMITED
        retry_in = error.retry_after or 60.0
    elif isinstance(error, RefreshDeferred | ServerError | Unavailable):
        message, kind = str(error), ErrorKind.CALENDLY_UNAVAILABLE
        retry_in = 60.0 if isinstance(error, RefreshDeferred) else UNAVAILABLE_RETRY_SECONDS
    elif isinstance(error, InsufficientScope):
        # Not retried: the token lacks the scope until the app has it and the person
        # signs in again.
        message, kind = str(error), ErrorKind.INSUFFICIENT_SCOPE
        known = SyncRun.objects.filter(pk=run.pk).values_list("missing_scopes", flat=True)
        fields["missing_scopes"] = missing_scopes([error], known.first() or [])
    elif isinstance(error, PermissionDenied):
        message, kind = str(error), ErrorKind.PERMISSION
    elif isinstance(error, CalendlyError | RunLost):
        message = str(error)
    else:
        log.exception("Sync run %s failed", run.id, exc_info=error)
        message = f"Internal error: {type(error).__name__}"
    lifecycle.finish(run, Status.FAILED, message, error_kind=kind, **fields)
    return Result(run.id, Status.FAILED, f"run {run.id} failed: {message}", retry_in)


# --- User sync ---------------------------------------------------------------------


def sync_user(
    credential_id: int, trigger: str = "schedule", make_client: ClientFactory = default_client
) -> Result:
    credential = CalendlyCredential.objects.filter(pk=credential_id).first()
    if credential is None:
        return Result(None, "skipped", f"credential {credential_id} no longer exists")
    if not credential.is_active:
        reason = f"Calendly is not connected: {credential.state_reason or credential.state}"
        run = lifecycle.refuse(
            Kind.USER, credential.calendly_user_uri, reason, trigger, ErrorKind.NEEDS_RECONNECT
        )
        return Result(run.pk, Status.FAILED, f"run {run.pk} refused: {reason}")
    run = lifecycle.claim(
        Kind.USER, credential.calendly_user_uri, credential_id=credential_id, trigger=trigger
    )
    if run is None:
        return Result(None, "skipped", f"{credential.calendly_user_uri} is already syncing")
    return _execute(run, credential_id, partial(_user_work, credential), make_client)


def _user_work(credential: CalendlyCredential, ctx: Context) -> None:
    user = credential.calendly_user_uri
    ctx.recorder.add(total=2)
    organization = _read_memberships(ctx, user=user) or credential.organization_uri or None
    ctx.recorder.add(done=1)
    active, listed = _read_event_types(ctx, organization, user=user)
    ctx.recorder.add(done=1)
    names = reads.event_name_job(ctx.client, user)
    jobs = reads.member_jobs(ctx.client, [user], ctx.run.trigger) + [names]
    jobs += reads.slot_jobs(ctx.client, active)
    jobs += own_settings_jobs(ctx.client, user)
    jobs += hosts.host_jobs(ctx.client, listed, organization)
    if organization_name.is_due(organization):
        jobs.append(organization_name.job(ctx.client, organization))
    ctx.recorder.add(total=len(jobs))
    ctx.problems.update(run_jobs(jobs, ctx.recorder, ctx.lease))
    organization_name.note_unanswered(organization, ctx.problems)
    _note_outcome([user], ctx.problems)


def _read_memberships(ctx: Context, **filters: str) -> str | None:
    """Stores the memberships (pages as they come), prunes the gone; returns an organization."""
    kept: set[str] = set()
    organization = None
    listing = ctx.client.memberships(**filters)
    for page in chunks(listing, 100):
        ctx.recorder.add(items=writes.upsert_memberships(page))
        kept.update(ms.uri for ms in page)
        organization = organization or page[0].organization
    if not listing.rejected:  # a record that could not be read may still be a member
        writes.prune_memberships(kept=kept, **filters)
    return organization


def _read_event_types(ctx: Context, home: str | None, **filters: str) -> tuple[list, list]:
    """Stores the event types (of organization ``home``); returns the bookable ones' URIs
    and every record listed."""
    bookable: list[str] = []
    listed: list = []
    for page in chunks(ctx.client.event_types(**filters), 100):
        ctx.recorder.add(items=writes.upsert_event_types(page, home))
        bookable.extend(et.uri for et in page if et.active and not et.deleted_at)
        listed.extend(page)
    return bookable, listed


def _note_outcome(users: Iterable[str], problems: dict[str, Exception]) -> None:
    for owner, error in problems.items():
        writes.note_problem(owner, problem_kind(error), problem_detail(error))
    writes.note_synced([user for user in users if user not in problems])


# --- Organization sync -------------------------------------------------------------

Dispatch = Callable[[int, int, list[list[str]]], None]


def admin_credential(
    organization_uri: str, excluding: CalendlyCredential | None = None
) -> CalendlyCredential | None:
    """An active credential of an owner or admin of the organization, as last synced (the
    most recently synced first), other than ``excluding``."""
    admins = Membership.objects.administering().filter(organization__uri=organization_uri)
    credentials = CalendlyCredential.objects.filter(
        state=CalendlyCredential.State.ACTIVE, calendly_user_uri__in=admins.values("user__uri")
    )
    if excluding is not None:
        credentials = credentials.exclude(pk=excluding.pk)
    return credentials.order_by("-last_synced_at", "pk").first()


NO_ADMIN = (
    "No connected owner or admin of this organization: reading every member's availability "
    "needs an owner's or admin's Calendly connection. Ask one of them to sign in here."
)


def sync_organization(
    organization_uri: str,
    dispatch: Dispatch,
    trigger: str = "schedule",
    make_client: ClientFactory = default_client,
) -> Result:
    credential = admin_credential(organization_uri)
    if credential is None:
        run = lifecycle.refuse(
            Kind.ORGANIZATION, organization_uri, NO_ADMIN, trigger, ErrorKind.PERMISSION
        )
        return Result(run.pk, Status.FAILED, f"run {run.pk} refused: {NO_ADMIN}")
    run = lifecycle.claim(
        Kind.ORGANIZATION, organization_uri, credential_id=credential.pk, trigger=trigger
    )
    if run is None:
        return Result(None, "skipped", f"{organization_uri} is already syncing")
    work = partial(_organization_work, credential, organization_uri, dispatch)
    result = _execute(run, credential.pk, work, make_client)
    if result.status != Status.RUNNING:
        return result
    return _finish_if_complete(run, credential.pk, result.summary)


def _organization_work(
    credential: CalendlyCredential, organization: str, dispatch: Dispatch, ctx: Context
) -> str:
    """Memberships first (they say who the members are); then the members' tasks, and this
    one reads the organization's listings beside its own share of the members."""
    ctx.recorder.add(total=1)
    _read_memberships(ctx, organization=organization)
    if not administers(credential.calendly_user_uri, organization):
        raise CalendlyError(NO_ADMIN, title="Not an admin")
    ctx.recorder.add(done=1)
    # Who signed in is read with their own token, by their own syncs (sync/own_budget.py).
    themselves = own_budget.read_by_themselves(organization)
    members = [
        uri
        for uri in Membership.objects.filter(organization__uri=organization)
        .order_by("pk")
        .values_list("user__uri", flat=True)
        if uri not in themselves
    ]
    members = priority.reading_order(organization, members)
    listings = reads.organization_listing_jobs(ctx.client, organization)
    listings += org_structure.jobs(ctx.client, credential, organization)
    ctx.recorder.add(total=len(listings) + len(members) * (1 + len(sync_windows())))
    ctx.recorder.flush()
    size = int(getattr(settings, "SYNC_MEMBERS_PER_TASK", 25))
    own, *others = list(chunks(members, size)) or [[]]
    if others:
        # From here the members' tasks keep the lease alive too; any of them may end it.
        SyncRun.objects.filter(pk=ctx.run.pk).update(worker="")
        dispatch(ctx.run.pk, credential.pk, others)
    on_problem = partial(_add_member_error, ctx.run.pk)
    jobs = listings + reads.member_jobs(ctx.client, own, ctx.run.trigger)
    problems = run_jobs(jobs, ctx.recorder, ctx.lease, on_problem=on_problem)
    organization_name.note_unanswered(organization, problems)
    _note_outcome(own, problems)
    _add_rejected(ctx.run.pk, ctx.client.stats.rejected)
    return (
        f"read the listings and {len(own)} member(s); {len(others)} batch(es) handed on; "
        f"{len(themselves)} member(s) read with their own connection"
    )


def administers(user_uri: str, organization: str) -> bool:
    return (
        Membership.objects.administering()
        .filter(organization__uri=organization, user__uri=user_uri)
        .exists()
    )


def sync_members(
    run_id: int, credential_id: int, members: list[str], make_client: ClientFactory = default_client
) -> Result:
    """One batch of an organization run: each member's schedules and busy times."""
    run = SyncRun.objects.filter(pk=run_id, status=Status.RUNNING).first()
    if run is None:
        return Result(run_id, "skipped", f"run {run_id} is no longer running")
    stats = CallStats()
    recorder = Recorder(run_id, stats)
    try:
        client = make_client(credential_id, stats)
        with lifecycle.Lease(run_id).held() as lease:
            jobs = reads.member_jobs(client, members, run.trigger)
            on_problem = partial(_add_member_error, run_id)
            problems = run_jobs(jobs, recorder, lease, on_problem=on_problem)
    except Exception as error:
        recorder.flush()
        return _fail(run, credential_id, error)
    recorder.flush()
    _note_outcome(members, problems)
    _add_rejected(run_id, stats.rejected)
    return _finish_if_complete(run, credential_id, f"run {run_id}: {len(members)} member(s)")


def _add_member_error(run_id: int, owner: str, error: Exception) -> None:
    """Written before the job counts as done, so whoever completes the run sees it."""
    with transaction.atomic():
        run = SyncRun.objects.select_for_update().get(pk=run_id)
        run.member_errors = {**run.member_errors, owner: str(error)}
        run.missing_scopes = missing_scopes([error], run.missing_scopes)
        run.save(update_fields=["member_errors", "missing_scopes"])


def _add_rejected(run_id: int, rejected: list[str]) -> None:
    """Names the records Calendly sent that could not be read among the run's problems."""
    if not rejected:
        return
    with transaction.atomic():
        run = SyncRun.objects.select_for_update().get(pk=run_id)
        known = len([key for key in run.member_errors if key.startswith("record ")])
        named = {f"record {known + i}": name for i, name in enumerate(rejected, 1)}
        run.member_errors = {**run.member_errors, **named}
        run.save(update_fields=["member_errors"])


def _finish_if_complete(run: SyncRun, credential_id: int, summary: str) -> Result:
    """Ends the run when every one of its steps is done, whichever task did the last."""
    run.refresh_from_db()
    summary = f"{summary}, {run.progress_done}/{run.progress_total}"
    if run.progress_done < run.progress_total or run.status != Status.RUNNING:
        return Result(run.pk, run.status, summary)
    status = Status.PARTIAL if run.member_errors else Status.SUCCEEDED
    # Busy blocks one task wrote while another was still reading their events' names.
    retrying_deadlocks(partial(writes.name_busy_blocks, run.subject_uri))
    if lifecycle.finish(run, status):
        Organization.objects.filter(uri=run.subject_uri).update(synced_at=timezone.now())
        CalendlyCredential.objects.filter(pk=credential_id).update(last_synced_at=timezone.now())
    return Result(run.pk, status, f"{summary}, {status}")
