"""Keyset pagination as Calendly describes it: a page token names the last (or first) row
seen, never an offset, so a walk returns each row once even while rows are being added."""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from collections.abc import Callable, Iterable, Sequence
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

    def ordered(self, rows: Iterable[Any], key_of: Callable[[Any], Key]) -> list[Any]:
        """`rows` in this order (as `compare` ranks their keys), by stable sorts from the
        last field to the first: native comparisons, no Python-level `compare` calls."""
        keyed = [(key_of(row), row) for row in rows]
        keyed.sort(key=lambda pair: pair[0][-1])
        for index in reversed(range(len(self.fields))):
            keyed.sort(key=lambda pair, at=index: pair[0][at], reverse=self.fields[index][1])
        return [row for _, row in keyed]

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
    rows: Iterable[Any],
    key_of: Callable[[Any], Key],
    sort: SortSpec,
    params: dict[str, str],
    page_url: str,
) -> Page:
    """One page of `rows` for the request's `count` and `page_token`.

    `key_of` returns the sort fields' values followed by the row's uuid; `page_url` is the
    absolute URL of the collection, to which the request's other parameters are added.
    """
    return paginate_ordered(sort.ordered(rows, key_of), key_of, sort, params, page_url)


def paginate_ordered(
    ordered: Sequence[Any],
    key_of: Callable[[Any], Key],
    sort: SortSpec,
    params: dict[str, str],
    page_url: str,
    keep: Callable[[Any], bool] | None = None,
    span: tuple[int, int] | None = None,
) -> Page:
    """As `paginate`, over rows already in `sort`'s order (a cached ordering), of which
    only those in `span` (a slice, e.g. found by bisection) that `keep` accepts count.

    The page token is found by bisection and rows are tested from there on, so a page
    costs about its own rows, not the collection's, when most rows are kept.
    """
    count = parse_count(params.get("count"))
    lo, hi = span or (0, len(ordered))
    keep = keep or _always
    token = params.get("page_token")
    direction, cursor = decode_token(token) if token else ("next", None)
    if cursor is None:
        indexes = _kept(ordered, keep, range(lo, hi), count)
    else:
        as_key = cmp_to_key(sort.compare)
        bisect_at = bisect.bisect_right if direction == "next" else bisect.bisect_left
        at = bisect_at(ordered, as_key(cursor), lo, hi, key=lambda row: as_key(key_of(row)))
        if direction == "next":
            indexes = _kept(ordered, keep, range(at, hi), count)
        else:
            indexes = _kept(ordered, keep, range(at - 1, lo - 1, -1), count)[::-1]
    page = [ordered[index] for index in indexes]
    more_after = bool(page and _kept(ordered, keep, range(indexes[-1] + 1, hi), 1))
    more_before = bool(page and _kept(ordered, keep, range(indexes[0] - 1, lo - 1, -1), 1))
    next_token = encode_token("next", key_of(page[-1])) if more_after else None
    prev_token = encode_token("prev", key_of(page[0])) if more_before else None
    return Page(
        page,
        {
            "count": len(page),
            "next_page": _url(page_url, params, next_token),
            "previous_page": _url(page_url, params, prev_token),
            "next_page_token": next_token,
            "previous_page_token": prev_token,
        },
    )


def first_where(ordered: Sequence[Any], test: Callable[[Any], bool]) -> int:
    """The index of the first row passing `test`, which must fail on a prefix of `ordered`
    and pass on the rest (e.g. "starts at or after T" over rows by start time)."""
    return bisect.bisect_left(ordered, True, key=test)


def _always(row: Any) -> bool:
    return True


def _kept(ordered: Sequence[Any], keep: Callable[[Any], bool], indexes: range,
          limit: int) -> list[int]:
    """The first `limit` of `indexes` whose rows `keep` accepts, in the order walked."""
    found = []
    for index in indexes:
        if keep(ordered[index]):
            found.append(index)
            if len(found) == limit:
                break
    return found


def _url(page_url: str, params: dict[str, str], token: str | None) -> str | None:
    if token is None:
        return None
    kept = {k: v for k, v in params.items() if k != "page_token"}
    return f"{page_url}?{urlencode({**kept, 'page_token': token})}"
