"""Keyset pagination as Calendly describes it: a page token names the last (or first) row
seen, never an offset, so a walk returns each row once even while rows are being added."""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cmp_to_key
from typing import Any
from urllib.parse import urlencode

from sandbox.errors import invalid_argument

DEFAULT_COUNT = 20
MAX_COUNT = 100
Key = list[Any]


@dataclass(frozen=True)
class SortSpec:
    """Fields in order with their direction; the row's uuid always breaks ties last."""

    fields: tuple[tuple[str, bool], ...]  # (field, descending)

    def compare(self, left: Key, right: Key) -> int:
        for (_, descending), a, b in zip(self.fields, left, right, strict=False):
            if a != b:
                ordered = -1 if a < b else 1
                return -ordered if descending else ordered
        tail_a, tail_b = left[-1], right[-1]
        return (tail_a > tail_b) - (tail_a < tail_b)


def parse_sort(raw: str | None, allowed: Sequence[str], default: str) -> SortSpec:
    fields = []
    for part in (raw or default).split(","):
        name, _, direction = part.strip().partition(":")
        direction = direction or "asc"
        if name not in allowed or direction not in ("asc", "desc"):
            raise invalid_argument("sort", f"{part.strip()!r} is not a supported sort")
        fields.append((name, direction == "desc"))
    return SortSpec(tuple(fields))


def parse_count(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_COUNT
    try:
        count = int(raw)
    except ValueError:
        raise invalid_argument("count", "must be an integer") from None
    if not 1 <= count <= MAX_COUNT:
        raise invalid_argument("count", f"must be between 1 and {MAX_COUNT}")
    return count


def encode_token(direction: str, key: Key) -> str:
    raw = json.dumps({"d": direction, "k": key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str) -> tuple[str, Key]:
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        direction, key = data["d"], data["k"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise invalid_argument("page_token", "is not a valid page token") from None
    if direction not in ("next", "prev") or not isinstance(key, list):
        raise invalid_argument("page_token", "is not a valid page token")
    return direction, key


@dataclass
class Page:
    rows: list[Any]
    pagination: dict[str, Any]


def paginate(
    rows: list[Any],
    key_of: Callable[[Any], Key],
    sort: SortSpec,
    params: dict[str, str],
    page_url: str,
) -> Page:
    """One page of `rows` for the request's `count` and `page_token`.

    `key_of` returns the sort fields' values followed by the row's uuid; `page_url` is the
    absolute URL of the collection, to which the request's other parameters are added.
    """
    count = parse_count(params.get("count"))
    as_key = cmp_to_key(sort.compare)
    keyed = sorted(((key_of(row), row) for row in rows), key=lambda pair: as_key(pair[0]))
    keys = [as_key(key) for key, _ in keyed]
    first, last = _bounds(keys, params.get("page_token"), count, as_key)
    page = keyed[first:last]
    next_token = encode_token("next", page[-1][0]) if page and last < len(keyed) else None
    prev_token = encode_token("prev", page[0][0]) if page and first > 0 else None
    return Page(
        [row for _, row in page],
        {
            "count": len(page),
            "next_page": _url(page_url, params, next_token),
            "previous_page": _url(page_url, params, prev_token),
            "next_page_token": next_token,
            "previous_page_token": prev_token,
        },
    )


def _bounds(keys: list, token: str | None, count: int, as_key: Callable) -> tuple[int, int]:
    if not token:
        return 0, min(count, len(keys))
    direction, cursor = decode_token(token)
    if direction == "next":
        first = bisect.bisect_right(keys, as_key(cursor))
        return first, min(first + count, len(keys))
    last = bisect.bisect_left(keys, as_key(cursor))
    return max(0, last - count), last


def _url(page_url: str, params: dict[str, str], token: str | None) -> str | None:
    if token is None:
        return None
    kept = {k: v for k, v in params.items() if k != "page_token"}
    return f"{page_url}?{urlencode({**kept, 'page_token': token})}"
