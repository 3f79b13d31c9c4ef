"""Reading query parameters the way Calendly does: resources by URI, 400 with details."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sandbox.core import Ctx
from sandbox.errors import invalid_argument, not_found
from sandbox.records import Organization, User
from sandbox.timefmt import parse_iso

START_GRACE = timedelta(minutes=1)


def required(ctx: Ctx, name: str) -> str:
    value = ctx.args.get(name, "").strip()
    if not value:
        raise invalid_argument(name, "is required")
    return value


def uuid_from_uri(value: str, collection: str, name: str) -> str:
    """The uuid of a `.../{collection}/{uuid}` URI, on whatever host the caller stored it."""
    parts = urlsplit(value)
    segments = [s for s in parts.path.split("/") if s]
    if parts.scheme not in ("http", "https") or len(segments) < 2 or segments[-2] != collection:
        raise invalid_argument(name, f"must be a URI of a resource in /{collection}")
    return segments[-1]


def user_param(ctx: Ctx, name: str = "user") -> User | None:
    value = ctx.args.get(name)
    if not value:
        return None
    user = ctx.state.users.get(uuid_from_uri(value, "users", name))
    if user is None:
        raise not_found()
    return user


def org_param(ctx: Ctx, name: str = "organization") -> Organization | None:
    value = ctx.args.get(name)
    if not value:
        return None
    org = ctx.state.organizations.get(uuid_from_uri(value, "organizations", name))
    if org is None:
        raise not_found()
    return org


def bool_param(ctx: Ctx, name: str) -> bool | None:
    value = ctx.args.get(name)
    if value is None:
        return None
    if value.lower() not in ("true", "false"):
        raise invalid_argument(name, "must be true or false")
    return value.lower() == "true"


def time_param(ctx: Ctx, name: str, needed: bool = True) -> datetime | None:
    value = ctx.args.get(name)
    if not value:
        if needed:
            raise invalid_argument(name, "is required")
        return None
    try:
        return parse_iso(value)
    except ValueError:
        raise invalid_argument(name, "must be an ISO 8601 date-time") from None


def future_window(ctx: Ctx, max_days: float) -> tuple[datetime, datetime]:
    """`start_time`..`end_time`, which must start in the future and span at most `max_days`.

    A start up to a minute old counts as the future: a client asking "from now" computes
    now a moment before the request arrives, maybe across a minute boundary.
    """
    start = time_param(ctx, "start_time")
    end = time_param(ctx, "end_time")
    assert start is not None and end is not None
    if start < ctx.now - START_GRACE:
        raise invalid_argument("start_time", "must be in the future")
    if end <= start:
        raise invalid_argument("end_time", "must be after start_time")
    if end - start > timedelta(days=max_days):
        raise invalid_argument("end_time", f"the range can be no greater than {max_days:g} days")
    return start, end
