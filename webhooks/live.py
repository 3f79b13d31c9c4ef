"""What an open week page polls: a version of a member's calendar that changes whenever a
webhook re-sync (``CalendarChange``) or a full sync (``CalendlyUser.synced_at``) wrote it.

Polling rather than server-sent events: a poll is one indexed query answered 204, it
works through every proxy and on gunicorn's sync workers (an SSE stream would hold a
worker per open tab), and the week page already speaks HTMX.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone

from availability.models import CalendlyUser
from webhooks.models import CalendarChange


def poll_seconds() -> int:
    return max(1, int(getattr(settings, "WEBHOOK_LIVE_POLL_SECONDS", 3)))


def version(member: CalendlyUser) -> str:
    changed = (
        CalendarChange.objects.filter(user_uri=member.uri)
        .values_list("changed_at", flat=True)
        .first()
    )
    moments = [m for m in (changed, member.synced_at) if m is not None]
    return str(int(max(moments).timestamp() * 1_000_000)) if moments else "0"


def note_changed(user_uris: Iterable[str]) -> None:
    now = timezone.now()
    rows = [CalendarChange(user_uri=uri, changed_at=now) for uri in set(user_uris) if uri]
    CalendarChange.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["user_uri"], update_fields=["changed_at"]
    )
