"""Counters of what the sandbox served, for tests and benchmarks to read."""

from __future__ import annotations

import threading
from collections import Counter, deque
from typing import Any

MAX_DELIVERIES = 500


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.by_route: Counter[str] = Counter()
        self.by_status: Counter[str] = Counter()
        self.by_token: Counter[str] = Counter()
        self.total = 0
        self.rate_limited = 0
        self.early_retries = 0
        self.injected_errors = 0
        self.stalls = 0
        self.faults = 0
        self.deliveries: deque[dict[str, Any]] = deque(maxlen=MAX_DELIVERIES)

    def served(self, route: str, status: int, token: str | None) -> None:
        with self.lock:
            self.total += 1
            self.by_route[route] += 1
            self.by_status[str(status)] += 1
            if token:
                self.by_token[token] += 1

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
                "requests": dict(self.by_route),
                "statuses": dict(self.by_status),
                "per_token": dict(self.by_token),
                "rate_limited": self.rate_limited,
                "early_retries": self.early_retries,
                "injected_errors": self.injected_errors,
                "stalls": self.stalls,
                "faults": self.faults,
                "webhook_deliveries": list(self.deliveries),
            }
