"""Run-time knobs for tests and benchmarks: latency, rate limits, injected 500s and stalls,
token lifetimes, window limits and webhook disabling; plus the per-path faults of the
hardening suite."""

from __future__ import annotations

import json
import math
import threading
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

# Malformed bodies, on any path.
FAULT_KINDS = ("non_json", "truncated", "wrong_types", "missing_fields", "invalid_timezone",
               "huge_page", "override")
# "override" sets the given fields (dotted for nested objects: "user.name") on every record
# of the answer: odd but schema-valid values, made by a test, through a real answer.
# Error answers, each only on the paths whose spec documents it.
ERROR_FAULTS = {"external_calendar": ("/user_busy_times",)}  # 424 External Calendar Error
RATE_LIMIT_SCOPES = ("token", "user")
COERCE = {"int": int, "float": float, "str": str}
HUGE_PAGE_ROWS = 5000
BAD_TIMEZONE = "Mars/Olympus_Mons"


@dataclass(frozen=True)
class Knobs:
    latency_ms: int = 0
    rate_limit_per_minute: int = 0  # 0: no limit
    rate_limit_scope: str = "token"  # "user": a user's tokens share one window, as Calendly's
    # Calendly's minute; a test of the wait for a reset shortens it instead of sleeping one.
    rate_limit_window_seconds: float = 60.0
    token_rate_limit_per_minute: int = 0  # /oauth/token requests per user; 0: no limit
    error_rate: float = 0.0
    stall_rate: float = 0.0
    stall_seconds: float = 30.0
    token_ttl: int = 7200
    code_ttl: int = 600
    max_window_days: float = 31.0  # event_type_available_times: 31 days since 2026-07-09
    busy_max_window_days: float = 7.0  # user_busy_times: still 7
    webhook_timeout: float = 5.0
    webhook_disable_after: int = 10  # consecutive failed deliveries; 0: never disable

    def changed(self, changes: dict[str, Any]) -> Knobs:
        """A copy with `changes` applied, each coerced to the knob's type; unknown names and
        out-of-range values raise ValueError."""
        types = {f.name: f.type for f in fields(self)}
        unknown = set(changes) - set(types)
        if unknown:
            raise ValueError(f"unknown knobs: {', '.join(sorted(unknown))}")
        coerced = {name: COERCE[types[name]](value) for name, value in changes.items()}
        knobs = replace(self, **coerced)
        knobs.check()
        return knobs

    def check(self) -> None:
        for name in ("error_rate", "stall_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if min(self.latency_ms, self.rate_limit_per_minute, self.token_rate_limit_per_minute,
               self.stall_seconds, self.webhook_disable_after) < 0:
            raise ValueError("latency, rate limits, stall and webhook_disable_after must not "
                             "be negative")
        if self.rate_limit_scope not in RATE_LIMIT_SCOPES:
            raise ValueError(f"rate_limit_scope must be one of {', '.join(RATE_LIMIT_SCOPES)}")
        if min(self.token_ttl, self.code_ttl, self.max_window_days,
               self.busy_max_window_days, self.rate_limit_window_seconds) <= 0:
            raise ValueError("lifetimes and windows must be positive")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int
    early_retry: bool

    def headers(self) -> dict[str, str]:
        headers = {"X-RateLimit-Limit": str(self.limit),
                   "X-RateLimit-Remaining": str(self.remaining),
                   "X-RateLimit-Reset": str(self.reset_seconds)}
        if not self.allowed:
            headers["Retry-After"] = str(self.reset_seconds)
        return headers


class RateLimiter:
    """A fixed one-minute window per key (a token, or a user when tokens share one), opened
    by the key's first request."""

    WINDOW = 60.0

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.windows: dict[str, list[float]] = {}  # key -> [window start, requests]
        self.blocked_until: dict[str, float] = {}  # retry key -> reset its last 429 announced

    def check(self, key: str, limit: int, now: float, retry_key: str | None = None,
              length: float = WINDOW) -> Decision:
        """Count a request against `key`'s window of `length` seconds. An early retry is a
        request of `retry_key` (default `key`: the one that was told) before the reset
        announced to it by a 429; a client cannot be faulted for a reset it was never told."""
        retry_key = key if retry_key is None else retry_key
        with self.lock:
            window = self.windows.setdefault(key, [now, 0])
            if now >= window[0] + length:
                window[:] = [now, 0]
            early = now < self.blocked_until.get(retry_key, 0.0)
            reset = max(1, math.ceil(window[0] + length - now))
            if window[1] >= limit:
                self.blocked_until[retry_key] = window[0] + length
                return Decision(False, limit, 0, reset, early)
            window[1] += 1
            return Decision(True, limit, int(limit - window[1]), reset, early)

    def reset(self) -> None:
        with self.lock:
            self.windows.clear()
            self.blocked_until.clear()


class Faults:
    """Malformed or error responses queued per path ("/event_types" or "/users/{uuid}")."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pending: dict[str, list[list]] = {}

    def add(self, path: str, kind: str, count: int, fields: dict | None = None) -> None:
        if kind not in FAULT_KINDS and kind not in ERROR_FAULTS:
            raise ValueError(f"kind must be one of {', '.join(FAULT_KINDS + tuple(ERROR_FAULTS))}")
        if kind in ERROR_FAULTS and path not in ERROR_FAULTS[kind]:
            raise ValueError(f"{kind} applies to {', '.join(ERROR_FAULTS[kind])} only, where "
                             "Calendly documents it")
        if (kind == "override") != isinstance(fields, dict):
            raise ValueError("fields (an object) go with kind override, and only with it")
        with self.lock:
            self.pending.setdefault(path, []).append([kind, count, fields])

    def take(self, *paths: str, ok: bool = True) -> tuple[str, dict | None] | None:
        """The next queued kind of the first path that has one. An error fault waits for a
        successful answer (`ok`): a request refused anyway (400, 403) does not use it up."""
        with self.lock:
            for path in paths:
                queue = self.pending.get(path)
                if queue:
                    if queue[0][0] in ERROR_FAULTS and not ok:
                        return None
                    queue[0][1] -= 1
                    kind, fields = queue[0][0], queue[0][2]
                    if queue[0][1] <= 0:
                        queue.pop(0)
                    return kind, fields
        return None

    def clear(self) -> None:
        with self.lock:
            self.pending.clear()


def malformed(kind: str, body: Any, fields: dict | None = None) -> tuple[bytes, str]:
    """The body of a malformed response of `kind` built from the real `body`."""
    if kind == "non_json":
        return b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html"
    raw = json.dumps(body).encode()
    if kind == "truncated":
        return raw[: len(raw) // 2], "application/json"
    mangled = json.loads(raw)
    rows = _rows(mangled)
    if kind == "wrong_types":
        for row in rows:
            row.update({key: _wrong_type(value) for key, value in row.items()})
    elif kind == "missing_fields":
        mangled.pop("pagination", None)
        for row in rows:
            for key in list(row)[::2]:
                row.pop(key)
    elif kind == "invalid_timezone":
        _set_timezones(mangled)
    elif kind == "override":
        # A body that is neither a collection nor a resource (a token answer) is the record.
        for row in rows or ([mangled] if isinstance(mangled, dict) else []):
            for dotted, value in (fields or {}).items():
                _set_field(row, dotted.split("."), value)
    elif kind == "huge_page" and isinstance(mangled.get("collection"), list) and rows:
        mangled["collection"] = (rows * (HUGE_PAGE_ROWS // len(rows) + 1))[:HUGE_PAGE_ROWS]
    return json.dumps(mangled).encode(), "application/json"


def _set_field(row: dict, path: list[str], value: Any) -> None:
    for key in path[:-1]:
        row = row.get(key) if isinstance(row.get(key), dict) else row.setdefault(key, {})
    row[path[-1]] = value


def _rows(body: Any) -> list[dict]:
    if not isinstance(body, dict):
        return []
    if isinstance(body.get("resource"), dict):
        return [body["resource"]]
    return [row for row in body.get("collection", []) if isinstance(row, dict)]


def _wrong_type(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return 12345
    return "not-an-object"


def _set_timezones(node: Any) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "timezone":
                node[key] = BAD_TIMEZONE
            else:
                _set_timezones(value)
    elif isinstance(node, list):
        for item in node:
            _set_timezones(item)
