"""Available times in windows of SYNC_AVAILABLE_TIMES_WINDOW_DAYS (31, as Calendly allows
since 2026-07-09), and the fall back to 7 days against a Calendly that refuses more: a
sandbox started with ``max_window_days=7`` plays one."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from availability.models import EventType, SyncRun
from calendly import BadRequest
from sandbox.seed import DEMO_OWNER_EMAIL
from sync import available_times, runs, windows
from sync.windows import Window
from tests.availability import expected as x
from tests.availability.conftest import aim_at, static_client, store_credential
from tests.availability.test_sync_live import api_slots, stored_slots
from tests.sandbox_process import running_sandbox

pytestmark = pytest.mark.django_db(transaction=True)
SLOTS = "GET /event_type_available_times"


@pytest.fixture(scope="module")
def week_only_calendly():
    """Calendly as it was before 2026-07-09: available times 7 days at a time."""
    with running_sandbox(max_window_days=7) as server:
        yield server


def bookable() -> list[str]:
    return list(EventType.objects.filter(active=True).values_list("uri", flat=True))


def test_a_user_sync_reads_each_event_type_s_horizon_in_one_request(calendly, connect):
    assert settings.SYNC_AVAILABLE_TIMES_WINDOW_DAYS == 31 and settings.SYNC_HORIZON_DAYS <= 31
    assert len(windows.sync_windows(available_times=True)) == 1
    assert len(windows.sync_windows()) == 4  # busy times stay at 7 days
    credential = connect(DEMO_OWNER_EMAIL)
    calendly.reset_stats()
    result = runs.sync_user(credential.pk)
    assert result.status == SyncRun.Status.SUCCEEDED, result.summary
    served = calendly.stats()
    types = bookable()
    assert len(types) > 1
    assert served["requests"][SLOTS] == len(types)
    assert "400" not in served["statuses"]
    run = SyncRun.objects.get(pk=result.run_id)
    start, end = x.comparable_range(run, settings.SYNC_HORIZON_DAYS)
    latest = []
    for event_type in types:
        stored = stored_slots(event_type, start, end)
        assert stored == api_slots(calendly, credential.access_token, event_type, start, end)
        latest += [datetime.fromisoformat(s[0].replace("Z", "+00:00")) for s in stored[-1:]]
    # The fourth week's slots came from the same single request as the first's.
    assert max(latest) > run.started_at + timedelta(days=21)


def test_a_refused_month_falls_back_to_weeks_for_the_process_and_says_so_once(
    week_only_calendly, settings, caplog
):
    aim_at(settings, week_only_calendly)
    credential = store_credential(week_only_calendly, DEMO_OWNER_EMAIL)
    week_only_calendly.reset_stats()
    with caplog.at_level(logging.WARNING, logger="sync.windows"):
        result = runs.sync_user(credential.pk)
    assert result.status == SyncRun.Status.SUCCEEDED, result.summary
    served = week_only_calendly.stats()
    types = bookable()
    refused = served["statuses"].get("400", 0)
    # One refused request per event type whose month was in flight before the first refusal
    # came back (at least one), then each month in 4 weeks.
    assert 1 <= refused <= len(types)
    assert served["requests"][SLOTS] == refused + 4 * len(types)
    warnings = [r for r in caplog.records if r.name == "sync.windows"]
    assert len(warnings) == 1 and "7 days at a time" in warnings[0].getMessage()
    assert windows.available_times_window_days() == 7
    run = SyncRun.objects.get(pk=result.run_id)
    start, end = x.comparable_range(run, settings.SYNC_HORIZON_DAYS)
    for event_type in types:
        stored = stored_slots(event_type, start, end)
        assert stored == api_slots(
            week_only_calendly, credential.access_token, event_type, start, end
        )

    # The next run of the process plans weeks from the start: nothing refused, nothing logged.
    caplog.clear()
    week_only_calendly.reset_stats()
    with caplog.at_level(logging.WARNING, logger="sync.windows"):
        assert runs.sync_user(credential.pk).status == SyncRun.Status.SUCCEEDED
    served = week_only_calendly.stats()
    assert "400" not in served["statuses"]
    assert served["requests"][SLOTS] == 4 * len(types)
    assert not [r for r in caplog.records if r.name == "sync.windows"]


def _month(days: float = 31) -> Window:
    start = timezone.now() + timedelta(minutes=5)
    return Window(start, start + timedelta(days=days))


def _refusal(client, event_type: str, start, end) -> BadRequest:
    with pytest.raises(BadRequest, match=r"^400 Invalid Argument: ") as refused:
        client.available_times(event_type, start, end)
    return refused.value


def test_only_the_refusal_of_the_window_s_length_reads_as_one(week_only_calendly, calendly):
    """Each 400 as the sandbox sends it over HTTP: the too-long window of a 7-day Calendly
    and of today's 31-day one read as the refusal; a start in the past, an end before the
    start and a bad event type do not, and leave the window length alone."""
    client, grant = static_client(calendly, DEMO_OWNER_EMAIL)
    event_type = next(iter(client.event_types(user=grant["owner"]))).uri
    now = timezone.now()
    assert available_times.refuses_window_length(
        _refusal(client, event_type, now + timedelta(minutes=5), now + timedelta(days=32))
    )
    week_client, week_grant = static_client(
        week_only_calendly, DEMO_OWNER_EMAIL, base_url=week_only_calendly.url
    )
    week_type = next(iter(week_client.event_types(user=week_grant["owner"]))).uri
    assert available_times.refuses_window_length(
        _refusal(week_client, week_type, now + timedelta(minutes=5), now + timedelta(days=10))
    )
    others = [
        _refusal(week_client, week_type, now - timedelta(hours=2), now + timedelta(days=10)),
        _refusal(week_client, week_type, now + timedelta(days=2), now + timedelta(days=1)),
        _refusal(
            week_client, f"{week_only_calendly.url}/users/AAAA", now, now + timedelta(days=10)
        ),
    ]
    assert [available_times.refuses_window_length(e) for e in others] == [False, False, False]

    # Through the sync's reader: another 400 on a month is raised, not taken for a refusal.
    with pytest.raises(BadRequest, match=r"^400 .*event_type: must be a URI of a resource in /event_types"):
        available_times.read_window(week_client, f"{week_only_calendly.url}/users/AAAA", _month())
    assert not windows.reads_short_windows()
    times = available_times.read_window(week_client, week_type, _month())
    assert windows.reads_short_windows() and times
    assert times == available_times.read_window(week_client, week_type, _month())
