"""Counters of what the sandbox served, for tests and benchmarks to read."""

from __future__ import annotations

import threading
from collections import Counter, deque
from typing import Any

MAX_DELIVERIES = 500


class Stats:
    """`total` counts every answer of a public route: the API, /oauth/* and the stand-in
    pages; `api_total` the API's alone. Control calls (/_sandbox/*) and unknown paths are
    not counted anywhere."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.by_route: Counter[str] = Counter()
        self.by_status: Counter[str] = Counter()
        self.by_token: Counter[str] = Counter()
        # The least X-RateLimit-Remaining each token's requests left its window: how far a
        # client went into the share a user's other integrations count on.
        self.lowest_remaining: dict[str, int] = {}
        self.total = 0
        self.api_total = 0
        self.rate_limited = 0
        self.token_rate_limited = 0
        self.token_early_retries = 0
        self.early_retries = 0
        self.injected_errors = 0
        self.stalls = 0
        self.faults = 0
        self.webhooks_disabled = 0
        self.webhooks_dropped = 0
        self.webhooks_gone = 0  # subscriptions deleted because their receiver answered 410
        self.deliveries: deque[dict[str, Any]] = deque(maxlen=MAX_DELIVERIES)

    def served(self, route: str, status: int, token: str | None, group: str = "api") -> None:
        with self.lock:
            self.total += 1
            if group == "api":
                self.api_total += 1
            self.by_route[route] += 1
            self.by_status[str(status)] += 1
            if token:
                self.by_token[token] += 1

    def left_remaining(self, token: str, remaining: int) -> None:
        with self.lock:
            self.lowest_remaining[token] = min(remaining, self.lowest_remaining.get(token, remaining))

    def bump(self, name: str) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + 1)

    def delivered(self, record: dict[str, Any]) -> None:
        with self.lock:
            self.deliveries.append(record)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "total": self.total,
                "api_total": self.api_total,
                "requests": dict(self.by_route),
                "statuses": dict(self.by_status),
                "per_token": dict(self.by_token),
                "lowest_remaining": dict(self.lowest_remaining),
                "rate_limited": self.rate_limited,
                "token_rate_limited": self.token_rate_limited,
                "token_early_retries": self.token_early_retries,
                "early_retries": self.early_retries,
                "injected_errors": self.injected_errors,
                "stalls": self.stalls,
                "faults": self.faults,
                "webhooks_disabled": self.webhooks_disabled,
                "webhooks_dropped": self.webhooks_dropped,
                "webhooks_gone": self.webhooks_gone,
                "webhook_deliveries": list(self.deliveries),
            }
