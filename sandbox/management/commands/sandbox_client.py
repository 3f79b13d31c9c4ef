"""Register an OAuth client with the running sandbox (runsandbox registers the dashboard's
client from settings at start; this adds one later, e.g. after changing settings)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from sandbox.management.commands._control import add_url_argument, call


class Command(BaseCommand):
    help = "Register an OAuth client (default: the dashboard's, from settings)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--client-id", default=settings.CALENDLY_CLIENT_ID)
        parser.add_argument("--client-secret", default=settings.CALENDLY_CLIENT_SECRET)
        parser.add_argument("--redirect-uri", action="append", default=None)
        parser.add_argument("--scopes", default=None,
                            help='granted scopes, space-separated, or "legacy" for an app made '
                            "before scopes (default: CALENDLY_WANTED_SCOPES, the dashboard's)")
        add_url_argument(parser)

    def handle(self, *args: object, **options: object) -> None:
        uris = options["redirect_uri"] or list(settings.SANDBOX_REDIRECT_URIS)
        scopes = options["scopes"]
        scopes = " ".join(settings.CALENDLY_WANTED_SCOPES) if scopes is None else str(scopes)
        data = call(str(options["url"]), "POST", "/_sandbox/clients", {
            "client_id": options["client_id"], "client_secret": options["client_secret"] or None,
            "redirect_uris": uris, "scopes": scopes})
        kind = "public" if data["public"] else "confidential"
        granted = "legacy, full access" if data["scopes"] is None else data["scope"] or "none"
        self.stdout.write(f"Registered {kind} client {data['client_id']}: {', '.join(uris)} "
                          f"(scopes: {granted})")
