"""The sync panel of "My week": start a sync, follow its run, say what went wrong in words."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.timesince import timesince

from accounts.models import CalendlyCredential
from availability.intervals import resolve_zone
from availability.models import SyncRun
from sync.scopes import enable_advice

log = logging.getLogger(__name__)


class SyncUnavailable(RuntimeError):
    """No sync task to start (the worker side is not installed)."""


class AlreadySyncing(RuntimeError):
    """A sync of this user is queued or running: "Sync now" follows it, sends nothing."""

    def __init__(self, run: SyncRun) -> None:
        super().__init__("A sync is already running; its progress is shown here.")
        self.run = run


def start_sync(credential: CalendlyCredential) -> SyncRun:
    """Queues a sync of the credential's user; ``AlreadySyncing`` with the run already queued
    or running, so a hundred clicks send one task."""
    try:
        from sync import tasks  # Imported late: it pulls in the whole sync.
    except ImportError as error:
        log.warning("Sync now: no sync task to start (%s)", error)
        raise SyncUnavailable("Syncing is not available on this server yet.") from error
    run, created = tasks.ask_user_sync(credential.pk, "manual")
    if not created:
        raise AlreadySyncing(run)
    return run


def latest_run(credential: CalendlyCredential, run_id: int | None = None) -> SyncRun | None:
    """The run asked for, else the user's latest sync run."""
    runs = SyncRun.objects.filter(kind=SyncRun.Kind.USER, subject_uri=credential.calendly_user_uri)
    asked = runs.filter(pk=run_id).first() if run_id is not None else None
    return asked or runs.order_by("-created_at", "-pk").first()


@dataclass(frozen=True, slots=True)
class SyncStatus:
    last_synced_at: datetime | None
    run: SyncRun | None
    error: str  # In words, empty when all is well.
    needs_reconnect: bool
    # The person's data came from their organization's sync, not one of their own.
    by_organization: bool = False

    @property
    def running(self) -> bool:
        return self.run is not None and self.run.status in SyncRun.ACTIVE

    @property
    def synced_ago(self) -> str:
        """ "just now", "7 minutes ago", "2 hours, 5 minutes ago"; empty when never synced."""
        if self.last_synced_at is None:
            return ""
        now = timezone.now()
        if now - self.last_synced_at < timedelta(minutes=1):
            return "just now"
        return f"{timesince(self.last_synced_at, now)} ago"

    @property
    def percent(self) -> int:
        return self.run.progress_percent if self.run else 0

    @property
    def progress_words(self) -> str:
        """ "Waiting for a worker…", "Syncing… 40%", and at 100% of the listed work, while
        the run still names its bookings and ends, "Finishing…" (never "Syncing… 100%")."""
        if self.run is None or self.run.status == SyncRun.Status.QUEUED:
            return "Waiting for a worker…"
        percent = self.percent
        return "Finishing…" if percent >= 100 else f"Syncing… {percent}%"


Kind = SyncRun.ErrorKind


def error_words(run: SyncRun | None, zone: str = "UTC") -> str:
    """What went wrong with the last run, in words a person can act on; the retry time is the
    one the task scheduled (``retry_at``), never a guess."""
    if run is None or run.status not in (SyncRun.Status.FAILED, SyncRun.Status.PARTIAL):
        return ""
    later = "the next scheduled sync will try again"
    if run.retry_at:
        later = f"retrying at {_clock(run.retry_at, zone)}"
    if run.missing_scopes:  # failed, or partly done: either way the fix is the app's scopes
        failed = run.status == SyncRun.Status.FAILED
        done = "The last sync failed" if failed else "Some of your data could not be synced"
        return f"{done}. {enable_advice(run.missing_scopes)}"
    if run.error_kind == Kind.RATE_LIMITED:
        return f"Calendly rate limited this dashboard — {later}."
    if run.error_kind == Kind.NEEDS_RECONNECT:
        return "Calendly needs reconnecting: sign in with Calendly again."
    if run.error_kind == Kind.CALENDLY_UNAVAILABLE:
        return f"Calendly is unavailable — {later}."
    if run.error_kind == Kind.PERMISSION:
        return "Calendly refused access: " + (run.error or "permission denied.")
    if run.status == SyncRun.Status.PARTIAL:
        named = list(run.member_errors.values())
        detail = run.error or "; ".join(str(problem) for problem in named[:3])
        more = f" (and {len(named) - 3} more)" if not run.error and len(named) > 3 else ""
        return f"Some of your data could not be synced: {detail or 'see the team page.'}{more}"
    return "The last sync failed: " + (run.error or "no reason given.")


def _clock(moment: datetime, zone: str) -> str:
    return f"{moment.astimezone(resolve_zone(zone)):%H:%M}"


def sync_status(
    credential: CalendlyCredential, run_id: int | None = None, zone: str = "UTC"
) -> SyncStatus:
    run = latest_run(credential, run_id)
    reconnect = credential.state != CalendlyCredential.State.ACTIVE
    error = "Calendly needs reconnecting." if reconnect else error_words(run, zone)
    if reconnect and credential.state_reason:
        error = f"Calendly needs reconnecting: {credential.state_reason}"
    synced_at, by_organization = credential.last_synced_at, False
    if synced_at is None:
        synced_at = _organization_synced_at(credential.organization_uri)
        by_organization = synced_at is not None
    return SyncStatus(synced_at, run, error, reconnect, by_organization)


def _organization_synced_at(organization_uri: str) -> datetime | None:
    """When an admin's sync of the organization last ended with data: a member who never
    synced on their own sees their week from it, so it is when their week was read."""
    if not organization_uri:
        return None
    done = (SyncRun.Status.SUCCEEDED, SyncRun.Status.PARTIAL)
    runs = SyncRun.objects.filter(
        kind=SyncRun.Kind.ORGANIZATION, subject_uri=organization_uri, status__in=done
    )
    return (
        runs.exclude(finished_at=None)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
