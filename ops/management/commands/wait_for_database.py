"""Waits, a bounded time, until the database answers (and, if asked, is fully migrated).

The image's entry script runs it before every role: a container started with its
database does not crash-loop while PostgreSQL is still starting, and a worker or
beat does not start on a schema that the web role has not migrated yet.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


class Command(BaseCommand):
    help = "Wait until the database answers; with --migrated, until no migration is pending."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=60.0, help="seconds (default 60)")
        parser.add_argument(
            "--migrated", action="store_true", help="also wait for pending migrations"
        )

    def handle(self, *args, timeout: float, migrated: bool, **options):
        deadline = time.monotonic() + timeout
        while True:
            last_problem = self._problem(migrated)
            if last_problem is None:
                self.stdout.write("database ready")
                return
            if time.monotonic() >= deadline:
                raise CommandError(f"database not ready after {timeout:.0f}s: {last_problem}")
            self.stderr.write(f"waiting for the database: {last_problem}")
            time.sleep(1)

    def _problem(self, migrated: bool) -> str | None:
        connection = connections[DEFAULT_DB_ALIAS]
        try:
            connection.ensure_connection()
            if migrated:
                pending = _pending_migrations(connection)
                if pending:
                    return f"{pending} migration(s) not applied yet (the web role applies them)"
        except Exception as exc:
            connection.close()
            return f"{type(exc).__name__}: {exc}".strip()
        return None


def _pending_migrations(connection) -> int:
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
