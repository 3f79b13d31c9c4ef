"""Section 3's baseline: the organization sync's data fetched one request at a time, the
way a script built on a published Calendly client would fetch it.

The model is PyPI's ``pycalendly`` (1.1.0, "Python wrapper for Calendly API v2"): its list
helpers put their query in a JSON body of the GET, which the API does not read, and it has
no call for memberships, schedules or busy times, so a script drives its request layer,
``CalendlyAPI(token).request.get(url)``: a plain ``requests.get`` with the bearer header, a
new connection each time. The script here makes that same call itself (the package's
import name, ``calendly``, is this project's Calendly package), with absolute URLs on the
sandbox and the query in the URL, and walks ``pagination.next_page``. Nothing in flight
at once, no retries.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import requests
from django.conf import settings

PACKAGE = "one requests.get a call, as pycalendly 1.1.0"


def _api_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class NaiveScript:
    def __init__(self, base_url: str, token: str) -> None:
        self.base = base_url.rstrip("/")
        self.headers = {"authorization": f"Bearer {token}"}
        self.calls = 0

    def get(self, url: str) -> dict:
        self.calls += 1
        return requests.get(url, headers=self.headers, timeout=60).json()

    def collection(self, path: str, **query: str) -> list[dict]:
        rows: list[dict] = []
        url: str | None = f"{self.base}{path}?{urlencode({**query, 'count': 100})}"
        while url:
            page = self.get(url)
            rows += page["collection"]
            url = page["pagination"]["next_page"]
        return rows

    def windows(self) -> list[tuple[str, str]]:
        """The sync's windows (horizon cut in windows of at most 7 days), from now."""
        start = datetime.now(UTC) + timedelta(seconds=5)
        end = start + timedelta(days=settings.SYNC_HORIZON_DAYS)
        step = timedelta(days=settings.SYNC_WINDOW_DAYS)
        bounds = [start]
        while bounds[-1] + step < end:
            bounds.append(bounds[-1] + step)
        bounds.append(end)
        return [(_api_time(a), _api_time(b)) for a, b in zip(bounds, bounds[1:], strict=False)]

    def organization(self, org_uri: str) -> dict[str, int]:
        members = self.collection("/organization_memberships", organization=org_uri)
        event_types = self.collection("/event_types", organization=org_uri)
        windows = self.windows()
        # The booked events' names, over the horizon the sync reads them for.
        events = self.collection("/scheduled_events", organization=org_uri, status="active",
                                 min_start_time=windows[0][0], max_start_time=windows[-1][1])
        busy = 0
        for membership in members:
            user = membership["user"]["uri"]
            self.get(f"{self.base}/user_availability_schedules?{urlencode({'user': user})}")
            for start, end in windows:
                query = urlencode({"user": user, "start_time": start, "end_time": end})
                busy += len(self.get(f"{self.base}/user_busy_times?{query}")["collection"])
        return {"members": len(members), "event_types": len(event_types),
                "scheduled_events": len(events), "busy_times": busy}


def fetch_organization(sandbox, token: str, org_uri: str) -> dict:
    sandbox.reset_stats()
    script = NaiveScript(sandbox.url, token)
    started = time.perf_counter()
    fetched = script.organization(org_uri)
    wall = time.perf_counter() - started
    stats = sandbox.stats()
    return {
        "package": PACKAGE,
        "wall_s": round(wall, 3),
        "calls": script.calls,
        "api_requests": stats["api_total"],
        "fetched": fetched,
        "ms_per_call": round(1000 * wall / max(1, script.calls), 2),
    }
