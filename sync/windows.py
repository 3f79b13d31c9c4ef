"""The windows a sync reads busy and available times in: [now, now + horizon) cut into
requests of at most ``SYNC_WINDOW_DAYS`` (``SYNC_AVAILABLE_TIMES_WINDOW_DAYS`` for available
times), each window owning the stored rows it replaces."""

from __future__ import annotations

import itertools
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

log = logging.getLogger(__name__)

# Calendly read available times 7 days at a time until 2026-07-09. One that still refuses a
# longer window (sync.available_times) sends this process back to 7 days, until it restarts.
FALLBACK_AVAILABLE_TIMES_DAYS = 7
_short_windows = threading.Event()
_short_windows_lock = threading.Lock()


@dataclass(frozen=True)
class Window:
    """[start, end) of one request; stored rows it owns extend past the ends at the edges."""

    start: datetime
    end: datetime
    first: bool = False
    last: bool = False

    def owns(self, field: str = "start") -> Q:
        """Rows this window replaces: the first also owns the past, the last the far future."""
        q = Q()
        if not self.first:
            q &= Q(**{f"{field}__gte": self.start})
        if not self.last:
            q &= Q(**{f"{field}__lt": self.end})
        return q

    def contains(self, moment: datetime) -> bool:
        return (self.first or moment >= self.start) and (self.last or moment < self.end)


def plan_windows(start: datetime, horizon_days: int, window_days: int) -> list[Window]:
    """[start, start + horizon) cut into windows of at most ``window_days``."""
    end = start + timedelta(days=horizon_days)
    step = timedelta(days=max(1, window_days))
    bounds = [start]
    while bounds[-1] + step < end:
        bounds.append(bounds[-1] + step)
    pairs = list(itertools.pairwise([*bounds, end]))
    return [Window(a, b, first=i == 0, last=i == len(pairs) - 1) for i, (a, b) in enumerate(pairs)]


def available_times_window_days() -> int:
    """Days per available-times request: the setting, or 7 once Calendly refused more."""
    days = getattr(settings, "SYNC_AVAILABLE_TIMES_WINDOW_DAYS", None) or settings.SYNC_WINDOW_DAYS
    if _short_windows.is_set():
        return min(days, FALLBACK_AVAILABLE_TIMES_DAYS)
    return days


def fall_back_to_short_windows(refusal: Exception) -> None:
    """From now on this process reads available times 7 days at a time; said once."""
    with _short_windows_lock:
        if _short_windows.is_set():
            return
        _short_windows.set()
    log.warning(
        "Calendly refused %s-day windows of available times (%s): this process reads them "
        "%s days at a time until it restarts; set SYNC_AVAILABLE_TIMES_WINDOW_DAYS=%s to "
        "stop asking",
        getattr(settings, "SYNC_AVAILABLE_TIMES_WINDOW_DAYS", None),
        refusal,
        FALLBACK_AVAILABLE_TIMES_DAYS,
        FALLBACK_AVAILABLE_TIMES_DAYS,
    )


def reads_short_windows() -> bool:
    return _short_windows.is_set()


def forget_short_windows() -> None:
    """Back to the setting's window length, as a fresh process starts (for tests)."""
    _short_windows.clear()


def sync_windows(available_times: bool = False) -> list[Window]:
    margin = timedelta(seconds=getattr(settings, "SYNC_START_MARGIN_SECONDS", 30))
    days = available_times_window_days() if available_times else settings.SYNC_WINDOW_DAYS
    return plan_windows(timezone.now() + margin, settings.SYNC_HORIZON_DAYS, days)


# Events that started up to this long before the horizon may still be going on: busy times
# from "now" return them, so their names are read too.
EVENT_LOOKBACK = timedelta(days=1)


def event_span() -> tuple[datetime, datetime]:
    """The start times whose events' names a run reads: the whole horizon, in one listing."""
    windows = sync_windows()
    return windows[0].start - EVENT_LOOKBACK, windows[-1].end


def request_start(window: Window) -> datetime:
    """Calendly wants a start in the future: a window planned before a long wait moves up."""
    return max(window.start, timezone.now() + timedelta(seconds=2))
