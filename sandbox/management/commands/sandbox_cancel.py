"""Cancel a scheduled event in the running sandbox: fires invitee.canceled."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from sandbox.management.commands._control import add_url_argument, call


class Command(BaseCommand):
    help = "Cancel a scheduled event (URI or uuid) of the running sandbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("event", help="scheduled event URI or uuid")
        parser.add_argument("--reason", default="Canceled from the command line")
        add_url_argument(parser)

    def handle(self, *args: object, **options: object) -> None:
        uuid = str(options["event"]).rstrip("/").rsplit("/", 1)[-1]
        data = call(str(options["url"]), "POST", f"/_sandbox/bookings/{uuid}/cancel",
                    {"reason": options["reason"]})
        self.stdout.write(f"Canceled {data['event']['uri']}")
