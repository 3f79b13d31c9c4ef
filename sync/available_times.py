"""One window of an event type's available times, read as Calendly allows: in one request
of up to ``SYNC_AVAILABLE_TIMES_WINDOW_DAYS`` (31 since 2026-07-09), or 7 days at a time
once Calendly refused the longer window with a 400 (``sync.windows`` remembers that for the
process). Only the refusal of the window's length does that: any other 400 is raised."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import partial

from calendly import AvailableTime, BadRequest, CalendlyClient, CalendlyError
from sync import windows
from sync.windows import Window, request_start

WINDOW_PARAMETERS = {"start_time", "end_time"}
# "the range can be no greater than 7 days", "date range can be no greater than 1 week (7
# days)": Calendly does not publish the words, so the meaning is matched, not the text.
SPAN_WORDS = re.compile(r"\b(range|window|span|period|week|weeks|days?)\b", re.IGNORECASE)
TOO_LONG_WORDS = re.compile(
    r"\b(greater|longer|more|larger)\s+than\b|\bexceed|\bat most\b|\bmaximum\b|\btoo long\b",
    re.IGNORECASE,
)


def refuses_window_length(error: CalendlyError) -> bool:
    """A 400 that says the requested time range is too long, and says nothing else is wrong:
    not a start in the past, an end before the start, a bad event type or date format."""
    if error.status != 400:
        return False
    details = [d for d in error.details if isinstance(d, dict)]
    if any(d.get("parameter") not in (None, *WINDOW_PARAMETERS) for d in details):
        return False
    texts = [str(d.get("message") or "") for d in details] or [error.message]
    return all(_says_too_long(text) for text in texts)


def _says_too_long(text: str) -> bool:
    return bool(SPAN_WORDS.search(text) and TOO_LONG_WORDS.search(text))


def read_window(client: CalendlyClient, event_type: str, window: Window) -> list[AvailableTime]:
    """The event type's available times in ``window``: one request while Calendly takes its
    length, else 7-day pieces of it. Only the requests in flight when the first refusal
    comes back are refused; later windows go to pieces straight away."""
    short = timedelta(days=windows.FALLBACK_AVAILABLE_TIMES_DAYS)
    if window.end - window.start <= short or not windows.reads_short_windows():
        try:
            return _read(client, event_type, window)
        except BadRequest as error:
            if window.end - window.start <= short or not refuses_window_length(error):
                raise
            windows.fall_back_to_short_windows(error)
    return [time for piece in pieces(window, short) for time in _read(client, event_type, piece)]


def pieces(window: Window, length: timedelta) -> list[Window]:
    bounds = [window.start]
    while bounds[-1] + length < window.end:
        bounds.append(bounds[-1] + length)
    return [Window(a, b) for a, b in zip(bounds, [*bounds[1:], window.end], strict=True)]


def _read(client: CalendlyClient, event_type: str, window: Window) -> list[AvailableTime]:
    return client.available_times(event_type, partial(request_start, window), window.end)
