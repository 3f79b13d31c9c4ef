"""The order an organization run reads its members in (issue #18).

At Calendly's real limits a 2,000-member run takes many minutes, so what it reads first is
what people see first. Members on a team page someone has open (shown within
``SHOWN_SECONDS``) come first; then whoever's data is oldest: never read before the rest,
then by their last clean sync. Each member's own requests go nearest first
(``reads.member_jobs``). Page views are a hint kept in the cache: a lost one only costs
its members their place at the front.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable
from datetime import UTC, datetime

from django.core.cache import cache

from availability.models import CalendlyUser

SHOWN_SECONDS = 10 * 60
NEVER = datetime.min.replace(tzinfo=UTC)


def _key(organization_uri: str) -> str:
    return f"sync:shown:{hashlib.sha256(organization_uri.encode()).hexdigest()[:32]}"


def note_shown(organization_uri: str, user_ids: Iterable[int]) -> None:
    """The team page showed these members: their next run reads them first."""
    now = time.time()
    shown = {
        user_id: moment
        for user_id, moment in (cache.get(_key(organization_uri)) or {}).items()
        if now - moment < SHOWN_SECONDS
    }
    shown.update(dict.fromkeys(user_ids, now))
    cache.set(_key(organization_uri), shown, SHOWN_SECONDS)


def shown_recently(organization_uri: str) -> set[int]:
    now = time.time()
    shown = cache.get(_key(organization_uri)) or {}
    return {user_id for user_id, moment in shown.items() if now - moment < SHOWN_SECONDS}


def reading_order(organization_uri: str, members: list[str]) -> list[str]:
    """``members`` (URIs) in the order to read them: shown, then stalest, then as given."""
    shown = shown_recently(organization_uri)
    known = dict(
        (uri, (pk, synced_at))
        for uri, pk, synced_at in CalendlyUser.objects.filter(uri__in=members).values_list(
            "uri", "pk", "synced_at"
        )
    )

    def rank(item: tuple[int, str]) -> tuple:
        index, uri = item
        pk, synced_at = known.get(uri, (None, None))
        return (pk not in shown, synced_at is not None, synced_at or NEVER, index)

    return [uri for _, uri in sorted(enumerate(members), key=rank)]
