"""Section 5: server time of the pages under load, and SQL queries per page.

Load: gunicorn as in production (``config/gunicorn.py``) on the bench database, and
locust in a second process, ``USERS`` clients asking back to back for ``SECONDS``.
Server time is what the access log records for each request (the time inside Django);
locust's own figures (client time, which adds queueing for a free gunicorn thread)
are kept beside it. Queries: one request per page in this process, each SQL statement counted, after
one request to warm caches.
"""

from __future__ import annotations

import csv
import json
import math
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from django.db import connection

from availability.models import CalendlyUser
from bench.procs import Processes, start_gunicorn
from bench.signin import SignedIn
from tests.sandbox_process import free_port

FIND_MEMBERS = 50


def pages(admin: SignedIn, member: SignedIn, org_uri: str) -> list[dict]:
    """"My week" of a plain member, the team page and find-a-time (50 members, this week)."""
    chosen = (
        CalendlyUser.objects.filter(memberships__organization__uri=org_uri)
        .order_by("name", "email")
        .values_list("pk", flat=True)[:FIND_MEMBERS]
    )
    find = "/team/find-a-time/?" + urlencode([("duration", 30), *(("member", pk) for pk in chosen)])
    return [
        {"name": "my_week", "path": "/week/", "who": member},
        {"name": "team", "path": "/team/", "who": admin},
        {"name": "find_a_time", "path": find, "who": admin},
    ]


class QueryCounter:
    """Counts the SQL statements run on a connection (``connection.execute_wrapper``)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def query_counts(page_list: list[dict], repeat: int = 5) -> dict[str, dict]:
    """Queries of one request per page, and its uncontended time in this process."""
    counts = {}
    for page in page_list:
        client = page["who"].client
        client.get(page["path"])
        queries = QueryCounter()
        with connection.execute_wrapper(queries):
            answer = client.get(page["path"])
        if answer.status_code != 200:
            raise RuntimeError(f"{page['name']} answered {answer.status_code}")
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(page["path"])
            times.append(1000 * (time.perf_counter() - started))
        counts[page["name"]] = {
            "queries": queries.count,
            "uncontended_ms": round(statistics.median(times), 1),
            "bytes": len(answer.content),
        }
    return counts


def load(procs: Processes, env: dict, page_list: list[dict], out: Path, *, users: int,
         seconds: int, web_workers: int) -> dict[str, dict]:
    port = free_port()
    web, web_log = start_gunicorn(procs, env, port, web_workers)
    spec = [{"name": p["name"], "path": p["path"], "cookie": p["who"].session_cookie}
            for p in page_list]
    try:
        offset = web_log.stat().st_size
        prefix = out / "locust"
        args = [sys.executable, "-m", "locust", "-f", str(Path(__file__).with_name("locustfile.py")),
                "--headless", "-u", str(users), "-r", str(users), "-t", f"{seconds}s",
                "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary",
                "--loglevel", "WARNING", "--stop-timeout", "5"]
        proc, _ = procs.start("locust", args, {**env, "BENCH_PAGES": json.dumps(spec)})
        proc.wait(timeout=seconds + 60)
        procs.stop(proc)
        client = _locust_stats(prefix.with_name(prefix.name + "_stats.csv"))
        server = _server_times(web_log, offset, {p["path"].split("?")[0]: p["name"] for p in page_list})
    finally:
        procs.stop(web)
    return {name: {**client.get(name, {}), **server.get(name, {})} for name in client | server}


def _locust_stats(path: Path) -> dict[str, dict]:
    rows = {}
    with path.open() as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == "Aggregated":
                continue
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "client_p50_ms": float(row["50%"]),
                "client_p95_ms": float(row["95%"]),
                "rps": round(float(row["Requests/s"]), 1),
            }
    return rows


def _server_times(log: Path, offset: int, names: dict[str, str]) -> dict[str, dict]:
    """p50/p95 of ``duration_ms`` in the access log lines (ops.logs) of the run."""
    times: dict[str, list[float]] = {}
    with log.open("rb") as handle:
        handle.seek(offset)
        for line in handle:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            name = names.get(record.get("path"))
            if name and record.get("logger") == "ops.access" and record.get("status") == 200:
                times.setdefault(name, []).append(float(record["duration_ms"]))
    return {name: {"server_p50_ms": _percentile(values, 50), "server_p95_ms": _percentile(values, 95),
                   "server_samples": len(values)} for name, values in times.items()}


def _percentile(values: list[float], pct: int) -> float:
    """Nearest rank: the smallest value with at least ``pct`` % of the values at or below it."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return round(ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)], 1)


def profile(page_list: list[dict], out: Path, repeat: int = 5) -> dict[str, str]:
    """pyinstrument's view of ``repeat`` requests per page in this process, kept as text."""
    from pyinstrument import Profiler

    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for page in page_list:
        profiler = Profiler(interval=0.0005)
        with profiler:
            for _ in range(repeat):
                page["who"].client.get(page["path"])
        path = out / f"{page['name']}.txt"
        path.write_text(profiler.output_text(unicode=False, color=False, show_all=False))
        written[page["name"]] = str(path)
    return written
