"""Applies migrations from one process at a time, however many replicas start together.

On PostgreSQL the run holds an advisory lock for its whole length; on SQLite (one
machine) a lock file next to the database does the same. A replica that waited
finds nothing left to apply. Workers and beat never migrate: they wait for it
(``wait_for_database --migrated``).
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections

# Any constant shared by every replica; the digits spell nothing.
ADVISORY_LOCK_KEY = 7_462_201_907


class Command(BaseCommand):
    help = "Run `migrate` under a lock, so replicas starting together migrate once."

    def handle(self, *args, **options):
        with migration_lock():
            call_command("migrate", interactive=False, verbosity=options["verbosity"])


@contextlib.contextmanager
def migration_lock() -> Iterator[None]:
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
            try:
                yield
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])
        return
    with open(settings.VAR_DIR / "migrate.lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)
