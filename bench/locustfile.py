"""Load of section 5: each simulated client asks for the bench's pages in turn, back to back.

Started by ``bench.pages`` as ``locust -f bench/locustfile.py --headless ...`` with
``BENCH_PAGES`` holding ``[{"name", "path", "cookie"}]``; a page answered other than 200
(a redirect to sign-in, say) counts as a failure.
"""

from __future__ import annotations

import itertools
import json
import os

from locust import FastHttpUser, constant, task

PAGES = json.loads(os.environ.get("BENCH_PAGES", "[]"))


class DashboardUser(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        self.pages = itertools.cycle(PAGES)

    @task
    def page(self) -> None:
        page = next(self.pages)
        headers = {"Cookie": page["cookie"]}
        with self.client.get(
            page["path"], headers=headers, name=page["name"], allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"answered {response.status_code}")
