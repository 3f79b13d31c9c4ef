"""Never two runs of the same thing at once; a run whose worker died is taken over.

The lock is the ``SyncRun`` row itself. A partial unique index allows one
``running`` run per (kind, subject), so two workers racing to start the same
sync cannot both succeed, on SQLite and PostgreSQL alike. A running run holds a
lease: its heartbeat is renewed by a thread while its worker lives. The next run
takes over a run whose lease ran out (``SYNC_LEASE_SECONDS``), or at once when
the run's worker process is on this machine and no longer exists (SIGKILL).
Taking over is a conditional update, so only one claimant wins it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.db.models import F
from django.utils import timezone

from availability.models import SyncRun

log = logging.getLogger(__name__)
Status = SyncRun.Status


def lease_seconds() -> float:
    return float(getattr(settings, "SYNC_LEASE_SECONDS", 90))


def this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _worker_gone(worker: str) -> bool:
    """True only when the run's process was on this machine and exists no more."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return _is_zombie(int(pid))


def _is_zombie(pid: int) -> bool:
    """A killed worker child whose parent died too lingers as a zombie until init reaps it,
    and some container inits never do: it answers signals but runs nothing."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def take_over_dead_runs(kind: str, subject_uri: str) -> int:
    """Marks this subject's dead running runs failed; returns how many."""
    cutoff = timezone.now() - timedelta(seconds=lease_seconds())
    taken = 0
    for run in SyncRun.objects.filter(kind=kind, subject_uri=subject_uri, status=Status.RUNNING):
        dead = run.heartbeat_at is None or run.heartbeat_at < cutoff or _worker_gone(run.worker)
        if dead:
            taken += SyncRun.objects.filter(
                pk=run.pk, status=Status.RUNNING, heartbeat_at=run.heartbeat_at
            ).update(
                status=Status.FAILED,
                finished_at=timezone.now(),
                error="The worker running this sync stopped; the next run took over.",
                error_kind=SyncRun.ErrorKind.FAILED,
            )
    return taken


def claim(
    kind: str, subject_uri: str, *, credential_id: int | None = None, trigger: str = "schedule"
) -> SyncRun | None:
    """Starts a run of (kind, subject), or returns None while a live run holds it."""
    take_over_dead_runs(kind, subject_uri)
    now = timezone.now()
    fields = {
        "status": Status.RUNNING,
        "started_at": now,
        "heartbeat_at": now,
        "worker": this_worker(),
        "credential_id": credential_id,
    }
    queued = SyncRun.objects.filter(kind=kind, subject_uri=subject_uri, status=Status.QUEUED)
    try:
        with transaction.atomic():
            first = queued.order_by("created_at").first()
            if first is None:
                return SyncRun.objects.create(
                    kind=kind, subject_uri=subject_uri, trigger=trigger, **fields
                )
            if not SyncRun.objects.filter(pk=first.pk, status=Status.QUEUED).update(**fields):
                return None
            # Requests queued meanwhile are served by this run.
            queued.exclude(pk=first.pk).delete()
    except IntegrityError:
        return None
    return SyncRun.objects.get(pk=first.pk)


# A request no worker has claimed in this long lost its message (a broker wiped, a queue
# purged): the next request replaces it instead of waiting behind it for ever.
QUEUED_FOR_TOO_LONG = timedelta(minutes=30)


def request(
    kind: str, subject_uri: str, *, credential_id: int | None, trigger: str
) -> tuple[SyncRun, bool]:
    """(run, created): a new queued run for the UI to show at once, or the one already
    queued or running, which the caller must not send again (at most one of each)."""
    take_over_dead_runs(kind, subject_uri)
    _give_up_lost_requests(kind, subject_uri)
    active = SyncRun.objects.filter(
        kind=kind, subject_uri=subject_uri, status__in=SyncRun.ACTIVE
    ).first()
    if active is not None:
        return active, False
    run = SyncRun.objects.create(
        kind=kind, subject_uri=subject_uri, credential_id=credential_id, trigger=trigger
    )
    return run, True


def _give_up_lost_requests(kind: str, subject_uri: str) -> int:
    stale = timezone.now() - QUEUED_FOR_TOO_LONG
    return SyncRun.objects.filter(
        kind=kind, subject_uri=subject_uri, status=Status.QUEUED, created_at__lt=stale
    ).update(
        status=Status.FAILED,
        finished_at=timezone.now(),
        error="No worker picked this sync up; a new one was requested.",
        error_kind=SyncRun.ErrorKind.FAILED,
    )


def not_sent(run: SyncRun, reason: str) -> None:
    """A queued run whose task could not be sent (the broker is down) ends failed, in words,
    instead of waiting for a worker that will never hear of it."""
    now = timezone.now()
    SyncRun.objects.filter(pk=run.pk, status=Status.QUEUED).update(
        status=Status.FAILED,
        started_at=now,
        finished_at=now,
        error=reason,
        error_kind=SyncRun.ErrorKind.FAILED,
    )
    run.refresh_from_db()


def refuse(
    kind: str,
    subject_uri: str,
    reason: str,
    trigger: str = "schedule",
    error_kind: str = SyncRun.ErrorKind.FAILED,
) -> SyncRun:
    """Records a run that could not start (queued requests included), so the UI shows why."""
    now = timezone.now()
    ended = {
        "status": Status.FAILED,
        "started_at": now,
        "finished_at": now,
        "error": reason,
        "error_kind": error_kind,
    }
    queued = SyncRun.objects.filter(kind=kind, subject_uri=subject_uri, status=Status.QUEUED)
    if queued.update(**ended):
        return SyncRun.objects.filter(kind=kind, subject_uri=subject_uri).latest("pk")
    return SyncRun.objects.create(kind=kind, subject_uri=subject_uri, trigger=trigger, **ended)


def finish(run: SyncRun, status: str, error: str = "", **fields) -> bool:
    """Ends a running run; False when it was no longer running (taken over meanwhile)."""
    return bool(
        SyncRun.objects.filter(pk=run.pk, status=Status.RUNNING).update(
            status=status, error=error[:5000], finished_at=timezone.now(), **fields
        )
    )


def beat(run_id: int, **increments: int) -> bool:
    """Renews the lease (and adds to counters); False when the run is no longer running."""
    changes = {name: F(name) + amount for name, amount in increments.items() if amount}
    return bool(
        SyncRun.objects.filter(pk=run_id, status=Status.RUNNING).update(
            heartbeat_at=timezone.now(), **changes
        )
    )


class Lease:
    """Renews a run's heartbeat from a thread while the work goes on in the caller."""

    def __init__(self, run_id: int, interval: float | None = None) -> None:
        self.run_id = run_id
        self.interval = interval or max(0.5, lease_seconds() / 6)
        self.lost = threading.Event()
        self._stop = threading.Event()

    def _loop(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                if not beat(self.run_id):
                    self.lost.set()
                    return
        except Exception:  # a heartbeat that cannot write must not kill the run; log it
            log.exception("Heartbeat of sync run %s failed", self.run_id)
        finally:
            connections.close_all()

    @contextlib.contextmanager
    def held(self) -> Iterator[Lease]:
        thread = threading.Thread(target=self._loop, name=f"lease-{self.run_id}", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join(timeout=self.interval + 30)
