"""What a periodic sync may leave alone (issue #18): a person's availability schedules.

Schedules change rarely and no webhook announces an edit, yet a periodic run read each
member's every ``SYNC_INTERVAL_MINUTES``: one request in five of an organization's steady
spend, from the budget the user shares with their other integrations. So a periodic
(``schedule``) run re-reads a person's schedules only once the stored ones are
``SYNC_SLOW_REFRESH_HOURS`` old; a sign-in, "Sync now" or any other trigger reads them,
and so does every run for someone with none stored yet. 0 reads them on every run.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from availability.models import AvailabilitySchedule

PERIODIC = "schedule"  # SyncRun.trigger of Celery beat's runs


def schedules_due(user_ids: Iterable[int], trigger: str) -> set[int]:
    """The users among ``user_ids`` whose schedules this run should read."""
    wanted = set(user_ids)
    hours = settings.SYNC_SLOW_REFRESH_HOURS
    if trigger != PERIODIC or hours <= 0 or not wanted:
        return wanted
    since = timezone.now() - timedelta(hours=hours)
    fresh = AvailabilitySchedule.objects.filter(user_id__in=wanted, synced_at__gte=since)
    return wanted - set(fresh.values_list("user_id", flat=True))
