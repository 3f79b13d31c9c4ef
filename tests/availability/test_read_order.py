"""The order a run's member reads start in (issue #18: the next 7 days before later weeks).
Jobs start in list order (``sync/parallel.py`` submits them to a FIFO pool), so the list is
the priority: when the rate budget makes a run wait, everyone's schedule and next 7 days
are stored before anyone's later weeks."""

from __future__ import annotations

import pytest

from availability.models import CalendlyUser
from calendly import CalendlyClient, StaticTokenSource
from sync import reads, writes
from sync.windows import sync_windows

pytestmark = pytest.mark.django_db


def test_everyones_next_days_are_read_before_anyones_later_weeks(settings):
    settings.SYNC_HORIZON_DAYS, settings.SYNC_WINDOW_DAYS = 28, 7
    people = [f"https://api.calendly.com/users/P{i}" for i in range(3)]
    CalendlyUser.objects.bulk_create(CalendlyUser(uri=uri) for uri in people)
    client = CalendlyClient(StaticTokenSource("unused", "order-test"))
    jobs = reads.member_jobs(client, people)

    windows = sync_windows()
    assert len(windows) >= 4
    schedules = [job for job in jobs if job.write_many is writes.replace_schedules_of]
    busy = [job for job in jobs if job.write_many is writes.replace_busy_windows]
    assert jobs[: len(people)] == schedules  # every schedule first
    # Then window by window, nearest first, each member once in every window.
    starts = [key[1].start for key in (job.key for job in busy)]
    assert starts == sorted(starts) and busy[0].key[1].first  # the window from now
    first_window = busy[: len(people)]
    assert {job.owner for job in first_window} == set(people)
    assert len(busy) == len(people) * len(windows)
