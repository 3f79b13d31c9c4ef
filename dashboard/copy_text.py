"""The "Copy available times" text, written the way people paste times into an email:
the event type and the zone once, a line a day with its times, and one scheduling link.

A link per time (Calendly's per-slot URLs) made every line a long URL; the event type's
one link lets the recipient pick any of the times listed, or another."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime

from availability.intervals import resolve_zone
from dashboard.week_grid import day_label


def grouped_text(
    name: str,
    duration: int,
    starts: Iterable[datetime],
    zone_name: str,
    link: str,
    time_of_day: Callable[[datetime], str],
) -> str:
    """``Intro call (30 min), times in Asia/Tokyo:`` then ``Tue 28 Oct: 09:00, 14:30`` a
    day, then ``Book a time: <link>``; empty when there is no time."""
    zone = resolve_zone(zone_name)
    days: dict[date, list[str]] = {}
    for start in sorted(starts):
        if start.utcoffset() is None:
            raise ValueError("slot start times must be time-zone-aware")
        local = start.astimezone(zone)
        days.setdefault(local.date(), []).append(time_of_day(local))
    if not days:
        return ""
    length = f" ({duration} min)" if duration else ""
    lines = [f"{name}{length}, times in {zone.key}:", ""]
    lines += [f"{day_label(day)}: {', '.join(times)}" for day, times in days.items()]
    if link:
        lines += ["", f"Book a time: {link}"]
    return "\n".join(lines)
