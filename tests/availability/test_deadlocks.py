"""A sync's write that PostgreSQL picks as a deadlock's victim is written again, not lost."""

from __future__ import annotations

import threading
from collections import Counter
from functools import partial

import pytest
from django.db import connection, connections
from django.utils import timezone

from availability.models import Organization
from sync.parallel import retrying_deadlocks
from tests.needs import unavailable

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_write_chosen_as_a_deadlocks_victim_is_written_again():
    if connection.vendor != "postgresql":
        unavailable("SQLite runs one writer at a time: no deadlock to recover from (DATABASE_URL)")
    a, b = (Organization.objects.create(uri=f"https://api.calendly.com/organizations/{n}").pk
            for n in "AB")
    both_hold_one = threading.Barrier(2)
    attempts: Counter[str] = Counter()
    written: dict[str, str] = {}
    failures: list[BaseException] = []

    def write(first: int, second: int, name: str) -> str:
        attempts[name] += 1
        Organization.objects.filter(pk=first).update(synced_at=timezone.now())
        if attempts[name] == 1:
            both_hold_one.wait(timeout=10)  # each holds one row and wants the other's
        Organization.objects.filter(pk=second).update(synced_at=timezone.now())
        return name

    def run(first: int, second: int, name: str) -> None:
        try:
            written[name] = retrying_deadlocks(partial(write, first, second, name))
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(a, b, "ab")),
               threading.Thread(target=run, args=(b, a, "ba"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    assert written == {"ab": "ab", "ba": "ba"}
    assert sorted(attempts.values()) == [1, 2]  # PostgreSQL aborted one; it was written again
