"""Run the Calendly-compatible sandbox server (OAuth + API v2) in its own process."""

from __future__ import annotations

import gc
import logging
import random
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sandbox import seed
from sandbox.core import Sandbox
from sandbox.knobs import Knobs
from sandbox.scopes import LEGACY, parse_grant
from sandbox.server import start_server
from sandbox.tokens import Client

KNOB_FLAGS = {
    "latency_ms": ("--latency-ms", int, "added latency per response, in milliseconds"),
    "rate_limit_per_minute": ("--rate-limit-per-minute", int,
                              "API requests per token per minute before 429 (0: no limit)"),
    "rate_limit_scope": ("--rate-limit-scope", str,
                         "token: a window per access token; user: a user's tokens share one"),
    "token_rate_limit_per_minute": ("--token-rate-limit-per-minute", int,
                                    "/oauth/token requests per user per minute (0: no limit)"),
    "error_rate": ("--error-rate", float, "share of API requests answered with a 500"),
    "stall_rate": ("--stall-rate", float, "share of API requests that stall first"),
    "stall_seconds": ("--stall-seconds", float, "how long a stalled response waits"),
    "token_ttl": ("--token-ttl", int, "access-token lifetime in seconds"),
    "max_window_days": ("--max-window-days", float, "longest available-times window"),
    "webhook_disable_after": ("--webhook-disable-after", int,
                              "consecutive failed deliveries that disable a subscription "
                              "(0: never)"),
}


class Command(BaseCommand):
    help = "Serve the Calendly sandbox: OAuth at /oauth/, API v2, control at /_sandbox/."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8001, help="0 picks a free port")
        parser.add_argument("--public-url", help="base URL of the URIs it returns, behind a proxy")
        parser.add_argument("--webhook-connect-to", default=None,
                            help="origin to send webhook deliveries to, keeping the callback "
                            "URL's Host header (e.g. http://web:8000 in the compose demo)")
        parser.add_argument("--seed", type=int, default=None, help="default: SANDBOX_SEED")
        parser.add_argument("--large-org-members", type=int, default=0,
                            help="add a generated organization of this many members")
        for name, (flag, kind, text) in KNOB_FLAGS.items():
            parser.add_argument(flag, dest=name, type=kind, default=None, help=text)
        parser.add_argument("--client-id", help="register this OAuth client too")
        parser.add_argument("--client-secret", help="its secret (none: a public client)")
        parser.add_argument("--redirect-uri", action="append", default=[],
                            help="an allowed redirect URI of --client-id (repeatable)")
        parser.add_argument("--scopes", default=None,
                            help="the scopes granted to the clients registered here, "
                            f'space-separated, or "{LEGACY}" for an app made before scopes '
                            "(default: CALENDLY_WANTED_SCOPES, the dashboard's)")

    def handle(self, *args: object, **options: object) -> None:
        started = time.monotonic()
        if int(options["verbosity"]) < 2:
            logging.getLogger("werkzeug").setLevel(logging.WARNING)
        chosen = options["seed"]
        seed_value = int(chosen if chosen is not None else settings.SANDBOX_SEED)
        knobs = _knobs(options)
        state = seed.build(seed_value, large_org_members=int(options["large_org_members"]))
        gc.freeze()  # the seeded data lives as long as the process: keep it out of collections
        sandbox = Sandbox(state, "", knobs=knobs, seed=seed_value,
                          rng=random.Random(seed_value))
        sandbox.webhooks.connect_to = options["webhook_connect_to"] or None
        for client in _clients(options):
            sandbox.tokens.register(client)
        try:
            server = start_server(sandbox, str(options["host"]), int(options["port"]),
                                  options["public_url"] or None)
        except OSError as error:
            raise CommandError(f"cannot listen on {options['host']}:{options['port']}: "
                               f"{error}") from error
        signal.signal(signal.SIGTERM, _stop)
        counts = state.counts()
        self.stdout.write(f"Sandbox ready at {sandbox.base_url} ({counts['users']} users, "
                          f"{counts['organizations']} organizations) in "
                          f"{time.monotonic() - started:.2f} s")
        self.stdout.flush()
        server.serve_forever()  # returns on Ctrl-C or SIGTERM, closing the socket


def _stop(signum: int, frame: object) -> None:
    # werkzeug's serve_forever ends cleanly on KeyboardInterrupt; SIGTERM takes the same path.
    raise KeyboardInterrupt


def _knobs(options: dict) -> Knobs:
    changes = {name: options[name] for name in KNOB_FLAGS if options.get(name) is not None}
    try:
        return Knobs().changed(changes)
    except ValueError as error:
        raise CommandError(str(error)) from error


def _clients(options: dict) -> list[Client]:
    """The dashboard's client from settings, and one from the flags, if given, both granted
    --scopes (by default the scopes the dashboard wants: a modern app set up as
    docs/calendly-app.md says)."""
    scopes = _granted(options.get("scopes"))
    found = []
    if settings.CALENDLY_CLIENT_ID:
        found.append(Client(settings.CALENDLY_CLIENT_ID, settings.CALENDLY_CLIENT_SECRET or None,
                            list(settings.SANDBOX_REDIRECT_URIS), "Calendly availability dashboard",
                            scopes))
    if options.get("client_id"):
        if not options["redirect_uri"]:
            raise CommandError("--client-id needs at least one --redirect-uri")
        found.append(Client(options["client_id"], options.get("client_secret") or None,
                            list(options["redirect_uri"]), scopes=scopes))
    return found


def _granted(flag: object) -> frozenset[str] | None:
    value = " ".join(settings.CALENDLY_WANTED_SCOPES) if flag is None else str(flag)
    try:
        return parse_grant(value)
    except ValueError as error:
        raise CommandError(f"--scopes: {error}") from error
