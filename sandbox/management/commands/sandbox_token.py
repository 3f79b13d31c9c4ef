"""Print an access token of a seeded user, minted by the running sandbox without a browser."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandParser

from sandbox.management.commands._control import add_url_argument, call


class Command(BaseCommand):
    help = "Print an access token for a seeded user of the running sandbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--json", action="store_true",
                            help="print the whole token response (refresh token, owner...)")
        parser.add_argument("--scopes", help="a token of only these scopes (space-separated); "
                            "default: a legacy token with full access")
        parser.add_argument("--client-id", help="a token of this registered client's scopes")
        add_url_argument(parser)

    def handle(self, *args: object, **options: object) -> None:
        body = {"email": options["email"]}
        if options["scopes"] is not None:
            body["scopes"] = str(options["scopes"])
        if options["client_id"]:
            body["client_id"] = str(options["client_id"])
        data = call(str(options["url"]), "POST", "/_sandbox/tokens", body)
        self.stdout.write(json.dumps(data, indent=2) if options["json"] else data["access_token"])
