"""Time helpers: Calendly's timestamp format, parsing of request times, and the clock."""

from __future__ import annotations

from datetime import UTC, datetime

UTC_SUFFIX = "Z"


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """Calendly writes UTC with six fractional digits and a Z, e.g. 2020-01-02T03:04:05.678123Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str) -> datetime:
    """Parse an ISO 8601 instant; a naive value is taken as UTC, as Calendly documents UTC inputs.

    Raises ValueError on anything else, which callers turn into a 400.
    """
    value = text.strip()
    if value.endswith(UTC_SUFFIX) or value.endswith("z"):
        value = value[:-1] + "+00:00"
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def unix(moment: datetime) -> int:
    return int(moment.timestamp())
