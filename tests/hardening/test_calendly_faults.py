"""The sync against malformed Calendly answers, served by the sandbox over real HTTP: wrong
types, missing fields, invalid time zones, huge pages, non-JSON and truncated bodies, on
each endpoint a user sync reads. The Celery task never crashes, the run ends with its
error in words, and what an earlier sync stored is still there."""

from __future__ import annotations

import pytest

from availability.models import (
    SyncRun,
)
from tests.hardening.synced_owner import run_task, stored

pytestmark = pytest.mark.django_db(transaction=True)

PATHS = [
    "/organization_memberships",
    "/event_types",
    "/user_availability_schedules",
    "/user_busy_times",
    "/event_type_available_times",
    "/scheduled_events",
]
KINDS = ["non_json", "truncated", "wrong_types", "missing_fields", "invalid_timezone", "huge_page"]
# The listings everything else hangs on: unreadable, the run cannot go on.
FIRST_LISTINGS = ("/organization_memberships", "/event_types")


def expected_status(path: str, kind: str) -> str:
    """A huge page and an unknown zone are answers still read whole (the zone kept as text,
    flagged unknown); an unreadable first listing fails the run; anything else loses one
    part, named, and the run is partial."""
    if kind in ("huge_page", "invalid_timezone"):
        return SyncRun.Status.SUCCEEDED
    if kind in ("non_json", "truncated") and path in FIRST_LISTINGS:
        return SyncRun.Status.FAILED
    return SyncRun.Status.PARTIAL


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("path", PATHS)
def test_a_malformed_answer_ends_the_run_in_words_and_loses_nothing(sandbox, synced, path, kind):
    before = stored()
    sandbox.fault(path, kind, count=1000)  # every answer of that path, retries included
    run = run_task(synced.pk)
    sandbox.control("DELETE", "/faults")
    assert sandbox.stats()["faults"], "the malformed answer was served"
    assert run.status == expected_status(path, kind), (run.error, run.member_errors)
    if run.status != SyncRun.Status.SUCCEEDED:
        words = run.error or " ".join(run.member_errors.values())
        assert words.strip(), "a run that did not succeed says why"
        assert "Internal error" not in words and "Traceback" not in words, words
    after = stored()
    for table, rows in before.items():
        lost = rows - after[table]
        assert not lost, f"{path} {kind}: {len(lost)} {table} row(s) lost, e.g. {sorted(lost)[:2]}"
