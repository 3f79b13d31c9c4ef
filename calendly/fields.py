"""Readers of one field of a Calendly record, each holding the value to what its column and
the pages can hold (``calendly.resources`` says why each rule is what it is): the parsers'
building blocks."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings

from calendly.errors import UnexpectedResponse


class MalformedResource(UnexpectedResponse):
    """A resource lacking a field we cannot do without."""


INT_MAX = 2**31 - 1  # the integer columns' range, on SQLite and PostgreSQL alike
MAX_DURATION_MINUTES = 7 * 24 * 60
ROLES = ("user", "admin", "owner")
BUSY_TYPES = ("calendly", "external")
TIME_NOTATIONS = ("12h", "24h")
MAX_MEETING_LIMIT = 9999  # api-2026.md §2: each cap is 1-9999 or null
_UNSAFE_IN_URI = re.compile(r"[\x00-\x20\x7f\\]")
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def malformed(message: str) -> MalformedResource:
    return MalformedResource(message[:300], title="Malformed resource")


def clean(value: str) -> str:
    """Text as a database can store it: PostgreSQL refuses NUL in text."""
    return value.replace("\x00", "")


def required(data: dict[str, Any], key: str) -> Any:
    value = data.get(key)
    if value is None or value == "":
        raise MalformedResource(f"a Calendly resource lacks {key!r}", title="Malformed resource")
    return value


def uri(data: dict[str, Any], key: str = "uri") -> str:
    """A reference: an http(s) URI, since it is what every later request is made with."""
    value = required(data, key)
    if (
        not isinstance(value, str)
        or not value.startswith(("https://", "http://"))
        or len(value) > 500  # the URI columns' length: a cut reference names nothing
        or _UNSAFE_IN_URI.search(value)
    ):
        raise malformed(f"{key!r} is not a URI: {value!r}")
    return value


def optional_uri(data: dict[str, Any], key: str) -> str | None:
    try:
        return uri(data, key) if data.get(key) not in (None, "") else None
    except MalformedResource:
        return None


def link(value: Any) -> str:
    """A URL to put in front of a person (a scheduling page, an avatar): https, or http on
    this machine (the sandbox); anything else (``javascript:``, ``data:``) is no link."""
    if not isinstance(value, str) or len(value) > 500 or _UNSAFE_IN_URI.search(value):
        return ""
    if value.startswith("https://"):
        return value
    if value.startswith("http://"):
        host = value[len("http://"):].split("/", 1)[0].rsplit(":", 1)[0].lower()
        if host in _LOOPBACK_HOSTS and "@" not in value.split("/", 3)[2]:
            return value
    return ""


def avatar(value: Any) -> str | None:
    """An avatar URL to load in pages: a link on one of ``CALENDLY_AVATAR_HOSTS`` (or on
    this machine, the sandbox's), else none: a page loading any host's image would tell
    that host who looks at whom."""
    url = link(value)
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    if host in ("127.0.0.1", "localhost", "::1"):
        return url
    allowed = getattr(settings, "CALENDLY_AVATAR_HOSTS", [])
    return url if any(_host_matches(host, pattern.lower()) for pattern in allowed) else None


def _host_matches(host: str, pattern: str) -> bool:
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and len(host) > len(pattern) - 1
    return host == pattern


def text(data: dict[str, Any], key: str, default: str = "") -> str:
    value = data.get(key)
    return default if value is None else clean(str(value))


def optional_text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return None if value is None or value == "" else clean(str(value))


def choice(data: dict[str, Any], key: str, choices: tuple[str, ...], default: str) -> str:
    """A documented enum value; anything else is ``default``, the safest meaning."""
    value = data.get(key)
    return value if value in choices else default


def number(data: dict[str, Any], key: str, default: int = 0) -> int:
    """A whole number within the integer columns' range (clamped); ``default`` when absent
    or not a number."""
    value = data.get(key)
    if isinstance(value, bool) or value is None:
        return default
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return default
    return max(-INT_MAX, min(INT_MAX, number))


def meeting_limit(data: dict[str, Any], key: str) -> int | None:
    """A meeting cap: null (no cap), else a whole number from 1 to 9999. Calendly always
    sends all three; a missing one cannot be read as "no cap"."""
    if key not in data:
        raise malformed(f"the meeting limits lack {key!r}")
    value = data[key]
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_MEETING_LIMIT:
        raise malformed(f"{key!r} is not a meeting limit (null or 1-9999): {value!r}")
    return value


def duration(data: dict[str, Any]) -> int:
    """Minutes: a whole number from 1 to a week, else the event type cannot be shown."""
    value = data.get("duration")
    if value is None:
        return 0
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or value != int(value)
        or not 1 <= value <= MAX_DURATION_MINUTES
    ):
        raise malformed(f"an event type's duration is not a whole number of minutes: {value!r}")
    return int(value)


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 instant as an aware datetime; None for null or unreadable text."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
        # In UTC, within years every later step can add a week to: 9999-12-31 with an
        # offset overflows the moment it is converted.
        moment = moment.astimezone(UTC) if moment.tzinfo else None
    except (ValueError, OverflowError):
        return None
    return moment if moment is not None and 1970 <= moment.year <= 2999 else None


def required_time(data: dict[str, Any], key: str) -> datetime:
    moment = parse_time(data.get(key))
    if moment is None:
        raise malformed(f"a Calendly resource lacks a valid {key!r}")
    return moment


def timezone_known(name: str) -> bool:
    """True only for a name zoneinfo knows as written: unknown names are shown as such."""
    if not name or name != name.strip() or " " in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True
