"""Book a slot in the running sandbox, as an invitee would: fires invitee.created."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import urlencode

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sandbox.management.commands._control import add_url_argument, call
from sandbox.timefmt import iso, utcnow


class Command(BaseCommand):
    help = "Book an event type at a start time (default: its first available time)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("event_type", help="event type URI or uuid")
        parser.add_argument("--start", help="ISO start time; default: first available slot")
        parser.add_argument("--email", default="guest@guests.example")
        parser.add_argument("--name", default="Sandbox Guest")
        parser.add_argument("--token", help="access token used to find the first free slot")
        add_url_argument(parser)

    def handle(self, *args: object, **options: object) -> None:
        url = str(options["url"])
        start = options["start"] or self.first_slot(url, str(options["event_type"]),
                                                    options["token"])
        data = call(url, "POST", "/_sandbox/bookings", {
            "event_type": options["event_type"], "start_time": start,
            "invitee_email": options["email"], "invitee_name": options["name"]})
        self.stdout.write(f"Booked {data['event']['uri']} at {data['event']['start_time']}")

    def first_slot(self, url: str, event_type: str, token: object) -> str:
        if not token:
            raise CommandError("give --start, or --token so the first free slot can be found")
        uri = event_type if "/" in event_type else f"{url.rstrip('/')}/event_types/{event_type}"
        now = utcnow() + timedelta(minutes=1)
        for day in range(8):
            window = {"event_type": uri, "start_time": iso(now + timedelta(days=7 * day)),
                      "end_time": iso(now + timedelta(days=7 * day + 7))}
            request = urllib.request.Request(  # noqa: S310 - the sandbox's own URL
                f"{url.rstrip('/')}/event_type_available_times?{urlencode(window)}",
                headers={"Authorization": f"Bearer {token}"},
            )
            try:
                with urllib.request.urlopen(request, timeout=15) as found:  # noqa: S310
                    slots = json.loads(found.read()).get("collection", [])
            except urllib.error.HTTPError:
                slots = []
            if slots:
                return slots[0]["start_time"]
        raise CommandError("no available time in the next eight weeks")
