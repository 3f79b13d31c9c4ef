"""Running a sync's requests concurrently while one thread writes, and counting as it goes.

Requests go out from a bounded thread pool (``SYNC_THREADS``), since a sync is
mostly waiting on the network; results are written by the calling thread only,
so database writes stay serial. The results that land together are written in one
transaction, one commit for several; results of the same kind (busy windows,
schedules) share their statements too, through a job's ``write_many``. Progress and
request counts reach the ``SyncRun`` row at most every ``FLUSH_SECONDS``, as
increments, so several tasks can feed one run.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from django.conf import settings
from django.db import OperationalError, connections, transaction

from availability.models import CalendlyUser
from calendly import (
    BadRequest,
    CallStats,
    ExternalCalendarError,
    InsufficientScope,
    NotFound,
    PermissionDenied,
    UnexpectedResponse,
)
from sync import lifecycle

log = logging.getLogger(__name__)
T = TypeVar("T")
FLUSH_SECONDS = 0.5
# After a result lands, others landing within this are written in the same transaction:
# a commit costs more than a window's rows (an fsync on SQLite).
GATHER_SECONDS = 0.05

# Errors about one person's or one event type's data: recorded on them, the run goes on.
# The first class that matches wins: InsufficientScope is also a PermissionDenied.
PROBLEMS: dict[type[Exception], str] = {
    InsufficientScope: CalendlyUser.Problem.INSUFFICIENT_SCOPE,
    PermissionDenied: CalendlyUser.Problem.PERMISSION_DENIED,
    ExternalCalendarError: CalendlyUser.Problem.EXTERNAL_CALENDAR,
    NotFound: CalendlyUser.Problem.NOT_FOUND,
    BadRequest: CalendlyUser.Problem.FAILED,
    UnexpectedResponse: CalendlyUser.Problem.FAILED,
}
SUBJECT_ERRORS = tuple(PROBLEMS)


def problem_kind(error: Exception) -> str:
    return next(kind for cls, kind in PROBLEMS.items() if isinstance(error, cls))


class RunLost(Exception):
    """The run was taken over or ended elsewhere while this worker was still on it."""


@dataclass(frozen=True)
class Job:
    """One request (``fetch``, in a pool thread) and the write of its result: ``write(result)``,
    or ``write_many([(key, result), ...])`` once for all the jobs of the same ``write_many``
    that land together (a statement costs more than its rows)."""

    owner: str  # the Calendly user whose data this is, for problems
    fetch: Callable[[], Any]
    write: Callable[[Any], int] | None = None
    write_many: Callable[[list[tuple[Any, Any]]], int] | None = None
    key: Any = None
    # The jobs its result leads to (the hosts of the team event types a listing named),
    # made once the result is written and run beside the others.
    then: Callable[[Any], list[Job]] | None = None


class Recorder:
    """Counts done steps, items written and requests, flushed as increments to a run."""

    def __init__(self, run_id: int, stats: CallStats) -> None:
        self.run_id = run_id
        self.stats = stats
        self._lock = threading.Lock()
        self._pending = {"progress_done": 0, "progress_total": 0, "items_written": 0}
        self._sent = {"calls": 0, "retries": 0, "rate_limited": 0}
        self._flushed_at = 0.0

    def add(self, *, done: int = 0, total: int = 0, items: int = 0) -> None:
        with self._lock:
            self._pending["progress_done"] += done
            self._pending["progress_total"] += total
            self._pending["items_written"] += items
        if time.monotonic() - self._flushed_at >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> bool:
        """Writes what changed since the last flush; False when the run is no longer running."""
        with self._lock:
            counts = self.stats.snapshot()
            increments = dict(self._pending)
            for name, field in (
                ("calls", "api_calls"),
                ("retries", "retries"),
                ("rate_limited", "rate_limited"),
            ):
                increments[field] = int(counts[name]) - self._sent[name]
                self._sent[name] = int(counts[name])
            self._pending = dict.fromkeys(self._pending, 0)
            self._flushed_at = time.monotonic()
        return lifecycle.beat(self.run_id, **increments)


def _fetch(job: Job) -> Any:
    try:
        return job.fetch()
    finally:
        connections.close_all()  # a token lookup may have opened this thread's connection


ProblemHook = Callable[[str, Exception], None]


def run_jobs(
    jobs: Iterable[Job],
    recorder: Recorder,
    lease: lifecycle.Lease,
    threads: int | None = None,
    on_problem: ProblemHook | None = None,
) -> dict[str, Exception]:
    """Runs every job; returns the first problem of each owner (``on_problem`` hears each
    one before its job counts as done). Other errors stop the run and propagate."""
    threads = threads or int(getattr(settings, "SYNC_THREADS", 8))
    problems: dict[str, Exception] = {}
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="calendly") as pool:
        pending: dict[Future, Job] = {pool.submit(_fetch, job): job for job in jobs}
        try:
            while pending:
                wait(pending, timeout=5, return_when=FIRST_COMPLETED)
                wait(pending, timeout=GATHER_SECONDS, return_when=ALL_COMPLETED)
                if lease.lost.is_set():
                    raise RunLost("This sync was taken over by another worker")
                finished = [(pending.pop(f), f) for f in list(pending) if f.done()]
                for job in _settle(finished, recorder, problems, on_problem):
                    pending[pool.submit(_fetch, job)] = job
        finally:
            for future in pending:
                future.cancel()
    return problems


def _settle(
    finished: list[tuple[Job, Future]],
    recorder: Recorder,
    problems: dict,
    on_problem: ProblemHook | None,
) -> list[Job]:
    """Writes what landed in one transaction, then counts it done (never the other way
    round: whoever sees the run complete must find every write committed); returns the
    jobs the results lead to, counted in the same step, so the run is never complete
    between a result and the jobs it leads to."""
    landed, failed = [], []
    for job, future in finished:
        try:
            landed.append((job, future.result()))
        except SUBJECT_ERRORS as error:
            failed.append((job, error))
    items = retrying_deadlocks(partial(_write, landed))
    follow = [next_job for job, result in landed if job.then for next_job in job.then(result)]
    for job, error in failed:
        if job.owner not in problems and on_problem:
            on_problem(job.owner, error)
        problems.setdefault(job.owner, error)
    recorder.add(done=len(finished), total=len(follow), items=items)
    return follow


def _write(landed: list[tuple[Job, Any]]) -> int:
    items = 0
    together: dict[Callable, list[tuple[Any, Any]]] = {}
    for job, result in landed:
        if job.write_many is not None:
            together.setdefault(job.write_many, []).append((job.key, result))
        else:
            items += job.write(result)
    for write_many, results in together.items():
        items += write_many(results)
    return items


DEADLOCK = "40P01"  # PostgreSQL's deadlock_detected
DEADLOCK_ATTEMPTS = 3


def retrying_deadlocks(write: Callable[[], T]) -> T:
    """``write()`` in one transaction, again when PostgreSQL chose it as a deadlock's victim
    (another process's writes took the same rows in another order). Every write of a
    sync is idempotent, so writing again is safe."""
    for attempt in range(1, DEADLOCK_ATTEMPTS):
        try:
            with transaction.atomic():
                return write()
        except OperationalError as error:
            if getattr(error.__cause__, "sqlstate", "") != DEADLOCK:
                raise
            log.info("Deadlock on attempt %s of a sync's write; writing again", attempt)
            time.sleep(0.05 * attempt)
    with transaction.atomic():  # The last attempt: a deadlock now fails the run.
        return write()
