"""What a run reads from Calendly, as jobs: each a fetch (one request, or one listing's
pages) and the write of what it brought. ``sync.parallel`` runs them, the fetches in
flight side by side, the writes one after the other."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import partial
from typing import Any

from calendly import CalendlyClient
from sync import available_times, hosts, organization_name, slow_refresh, writes
from sync.parallel import Job
from sync.windows import Window, event_span, request_start, sync_windows


def chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def event_name_job(client: CalendlyClient, user: str) -> Job:
    """The names of the user's booked events over the horizon: one listing, not per window."""
    min_start, max_start = event_span()
    fetch = partial(
        _all, client.scheduled_events, user=user, min_start=min_start, max_start=max_start
    )
    return Job(user, fetch, partial(_write_event_names, min_start))


def _write_event_names(min_start: datetime, events) -> int:
    writes.forget_past_events(min_start)
    return writes.upsert_scheduled_events(events)


# A listing is read page after page (keyset pagination), so a long one is the longest
# chain of a run. The organization's booked events are read in as many slices of the
# horizon, walked side by side, as their pages fill this many each (expected from the
# last run's data): each slice may end on a part page, so slicing costs up to one
# request per extra slice, worth it only when the chain is long.
PAGES_PER_EVENT_SLICE = 5


def organization_listing_jobs(client: CalendlyClient, organization: str) -> list[Job]:
    """The organization's name, its event types (then the hosts of the team ones), and the
    names of its booked events over the horizon (one listing for everyone: fewer requests
    than one per member), as jobs that run beside the members' own."""
    min_start, max_start = event_span()
    writes.forget_past_events(min_start)
    event_types = Job(
        organization,
        partial(_all, client.event_types, organization=organization),
        partial(_write_event_types, organization),
        then=partial(hosts.host_jobs, client, organization=organization),
    )
    slices = event_slices(min_start, max_start, writes.expected_events(organization, min_start))
    names = [
        Job(
            organization,
            partial(
                _all, client.scheduled_events, organization=organization, min_start=a, max_start=b
            ),
            _write_events,
        )
        for a, b in slices
    ]
    return [organization_name.job(client, organization), event_types, *names]


def event_slices(
    min_start: datetime, max_start: datetime, expected: int
) -> list[tuple[datetime, datetime]]:
    """[min_start, max_start) cut at the sync windows' bounds into at most one slice per
    ``PAGES_PER_EVENT_SLICE`` expected pages."""
    windows = sync_windows()
    count = max(1, min(len(windows), int(expected / (100 * PAGES_PER_EVENT_SLICE))))
    cuts = [windows[round(i * len(windows) / count)].start for i in range(1, count)]
    return list(itertools.pairwise([min_start, *cuts, max_start]))


class Read(list):
    """A listing's records, read to the end, and the names of those it had to skip."""

    def __init__(self, records: Iterable, rejected: Iterable[str] = ()) -> None:
        super().__init__(records)
        self.rejected = list(rejected)


def _all(listing: Callable[..., Iterable], **filters: Any) -> Read:
    """Every page of a listing, read one after the other: a job's fetch."""
    records = listing(**filters)
    return Read(records, getattr(records, "rejected", ()))


def _write_event_types(organization: str, event_types: Read) -> int:
    written = sum(
        writes.upsert_event_types(page, organization) for page in chunks(event_types, 100)
    )
    if not event_types.rejected:  # one that could not be read may still exist
        writes.retire_event_types(organization, {et.uri for et in event_types})
    return written


def _write_events(events: list) -> int:
    pages = chunks(events, 100)
    return sum(writes.upsert_scheduled_events(page, name_blocks=False) for page in pages)


def member_jobs(
    client: CalendlyClient, users: Iterable[str], trigger: str = slow_refresh.PERIODIC
) -> list[Job]:
    """People's schedules (those due, ``sync.slow_refresh``) and busy times: one request per
    person, one per window each; the results that land together are written together.

    Nearest first (jobs start in this order): everyone's schedule and next 7 days before
    anyone's later weeks, so when the rate budget makes a run wait, what pages open on
    (this week, the next days) is what is already stored."""
    ids = writes.user_ids(users)
    due = slow_refresh.schedules_due(ids.values(), trigger)
    jobs = []
    for user, user_id in ids.items():
        if user_id not in due:  # a job all the same: runs count each member's jobs ahead
            jobs.append(Job(user, _still_stored, write=_nothing_written))
            continue
        schedules = partial(client.availability_schedules, user)
        jobs.append(Job(user, schedules, write_many=writes.replace_schedules_of, key=user_id))
    for window, (user, user_id) in itertools.product(sync_windows(), ids.items()):
        fetch = partial(_busy, client, user, window)
        key = (user_id, window)
        jobs.append(Job(user, fetch, write_many=writes.replace_busy_windows, key=key))
    return jobs


def _still_stored() -> None:
    return None


def _nothing_written(_: None) -> int:
    return 0


def _busy(client: CalendlyClient, user: str, window: Window):
    return client.busy_times(user, partial(request_start, window), window.end)


def slot_jobs(client: CalendlyClient, event_types: Iterable[str]) -> list[Job]:
    ids = writes.event_type_ids(event_types)
    windows = sync_windows(available_times=True)
    jobs = []
    for (event_type, event_type_id), window in itertools.product(ids.items(), windows):
        fetch = partial(_slots, client, event_type, window)
        write = partial(writes.replace_slot_window, event_type_id, window)
        jobs.append(Job(event_type, fetch, write))
    return jobs


def _slots(client: CalendlyClient, event_type: str, window: Window):
    return available_times.read_window(client, event_type, window)
