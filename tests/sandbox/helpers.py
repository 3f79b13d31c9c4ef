"""Small helpers of the sandbox tests: time windows and slot arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def utc_in(**delta: float) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(**delta)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def window(days: float = 7, start_in_hours: float = 1) -> dict[str, str]:
    start = utc_in(hours=start_in_hours)
    return {"start_time": stamp(start), "end_time": stamp(start + timedelta(days=days))}


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
