"""The whole bench: per organization size, a sandbox, a worker pool and the measurements.

For each size: a sandbox with the generated organization (50 ms latency), the bench
database emptied, a Celery worker pointed at both; the organization's admin signs in
(the real OAuth round trip), which runs the first user and organization syncs; a
plain member signs in too. Then the measured runs (sections 1, 3, 4), the pages
(section 5) and, at one size each, the naive baseline (3) and the rate-limited run
(2). The free-time arithmetic (6) needs no server. Every process is stopped on the
way out, Ctrl-C included.
"""

from __future__ import annotations

import math
import os
import platform
import statistics
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.management import call_command

from availability.models import SyncRun
from bench import arithmetic, naive, pages, syncs
from bench.procs import MemorySampler, Processes, cpu_seconds, start_worker
from bench.services import CALLBACK, CLIENT_ID, PROJECT_ROOT, Services, clear_rate_budget
from bench.signin import point_at, sign_in, wait_latest
from calendly import ratebudget
from sandbox.seed import LARGE_ORG_NAME
from tests.sandbox_process import running_sandbox

ADMIN = "user00001@large.example"
MEMBER = "user00002@large.example"
LATENCY_MS = 50


@dataclass
class Plan:
    sizes: tuple[int, ...] = (100, 1000, 2000)
    runs: int = 3  # measured organization syncs per size
    runs_largest: int = 2  # at the largest size, where one takes over a minute
    naive_size: int | None = 100
    rate_size: int | None = 1000
    concurrency: int = 2  # worker processes (SYNC_THREADS requests in flight each)
    web_workers: int = 2
    users: int = 20
    seconds: int = 30
    arithmetic_members: int = 1000
    arithmetic_repeat: int = 3


def log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


def environment(services: Services, plan: Plan) -> dict:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, check=False).stdout.strip()
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "services": services.describe(),
        "latency_ms": LATENCY_MS,
        "sync_threads": settings.SYNC_THREADS,
        "members_per_task": settings.SYNC_MEMBERS_PER_TASK,
        "plan": plan.__dict__,
    }


def run(services: Services, env: dict, plan: Plan) -> dict:
    procs = Processes(services.var_dir / "logs")
    results: dict = {"environment": environment(services, plan), "sizes": {}}
    started = time.monotonic()
    try:
        call_command("migrate", interactive=False, verbosity=0)
        for index, size in enumerate(plan.sizes):
            if index:
                call_command("flush", interactive=False, verbosity=0)
            log(f"{size} members: starting the sandbox and a worker")
            results["sizes"][str(size)] = one_size(size, services, env, plan, procs)
        if plan.arithmetic_members:
            log(f"free-time arithmetic over {plan.arithmetic_members} members x 4 weeks")
            results["arithmetic"] = arithmetic.run(plan.arithmetic_members, 4, plan.arithmetic_repeat)
    finally:
        procs.stop_all()
    results["elapsed_s"] = round(time.monotonic() - started, 1)
    return results


def one_size(size: int, services: Services, env: dict, plan: Plan, procs: Processes) -> dict:
    flags = {"large_org_members": size, "latency_ms": LATENCY_MS, "client_id": CLIENT_ID,
             "client_secret": services.client_secret, "redirect_uri": CALLBACK}
    with running_sandbox(start_timeout=120, **flags) as sandbox:
        log(f"sandbox of {size} members answered {sandbox.startup_seconds:.1f} s after start")
        point_at(sandbox.url)
        clear_rate_budget(services)
        size_env = {**env, "CALENDLY_AUTH_BASE_URL": sandbox.url,
                    "CALENDLY_API_BASE_URL": sandbox.url}
        worker = start_worker(procs, size_env, plan.concurrency)
        try:
            return _measure_size(size, sandbox, services, size_env, plan, procs, worker)
        finally:
            procs.stop(worker)


def _measure_size(size, sandbox, services, env, plan, procs, worker) -> dict:
    dump = sandbox.dump()
    org = next(o["uri"] for o in dump["organizations"] if o["name"] == LARGE_ORG_NAME)
    admin_uri = next(u["uri"] for u in dump["users"] if u["email"] == ADMIN)
    out: dict = {"shape": syncs.data_shape(dump, org),
                 "minimum": syncs.minimum_calls(dump, org, admin_uri)}
    with MemorySampler(worker.pid) as memory:
        log(f"{size} members: the admin signs in; first user and organization syncs")
        admin = sign_in(ADMIN)
        first_user = wait_latest(SyncRun.Kind.USER, admin_uri, 300)
        first_org = wait_latest(SyncRun.Kind.ORGANIZATION, org, 900)
        out["first_sync"] = {"user_s": _seconds(first_user), "organization_s": _seconds(first_org),
                             "organization_status": first_org.status}
        member = sign_in(MEMBER)
        wait_latest(SyncRun.Kind.USER, member.credential.calendly_user_uri, 300)
        out["user_sync"] = syncs.user_sync(sandbox, admin.credential.pk).as_dict()
        runs = []
        count = plan.runs_largest if size == max(plan.sizes) and len(plan.sizes) > 1 else plan.runs
        for number in range(count):
            log(f"{size} members: organization sync {number + 1}/{count}")
            before = _cpu(sandbox, worker)
            measured = syncs.organization_sync(sandbox, org).as_dict()
            after = _cpu(sandbox, worker)
            measured["cpu_s"] = {k: round(after[k] - before[k], 2) for k in before}
            runs.append(measured)
        out["organization_syncs"] = runs
    out["memory"] = {"peak_mb": round(memory.peak_mb(), 1), "per_process_mb": memory.per_process_mb()}
    out["organization_wall_s"] = statistics.median(r["wall_s"] for r in runs)
    out["latency_bound_s"] = _latency_bound(runs[-1]["api_requests"], plan.concurrency)
    if size == plan.naive_size:
        log(f"{size} members: naive sequential fetch ({naive.PACKAGE})")
        token = sandbox.mint_token(ADMIN)["access_token"]
        out["naive"] = naive.fetch_organization(sandbox, token, org)
    page_list = pages.pages(admin, member, org)
    out["queries"] = pages.query_counts(page_list)
    out["profiles"] = pages.profile(page_list, services.var_dir.parent / "profiles" / str(size))
    if plan.seconds:
        log(f"{size} members: pages, {plan.users} clients for {plan.seconds} s")
        out["pages"] = pages.load(procs, env, page_list, services.var_dir / f"pages-{size}",
                                  users=plan.users, seconds=plan.seconds,
                                  web_workers=plan.web_workers)
    if size == plan.rate_size:
        out["rate_limit"] = rate_limited(sandbox, services, org, out["minimum"]["organization"])
    return out


def _cpu(sandbox, worker) -> dict[str, float]:
    """CPU seconds used so far by the sandbox and by the worker pool (the machine's other
    processes, PostgreSQL included, are not counted)."""
    return {"sandbox": cpu_seconds(sandbox.process.pid), "workers": cpu_seconds(worker.pid)}


def _seconds(run: SyncRun) -> float:
    return round((run.finished_at - run.created_at).total_seconds(), 3)


def _latency_bound(calls: int, processes: int) -> float:
    """calls x L / C: the wall time if every thread always had a request in flight."""
    threads = settings.SYNC_THREADS * processes
    return round(calls * LATENCY_MS / 1000 / threads, 2)


def rate_limited(sandbox, services: Services, org: str, minimum: dict[str, int]) -> dict:
    calls = sum(minimum.values())
    # R such that our share of it (CALENDLY_BUDGET_SHARE; the rest is the user's other
    # integrations') is section 2's rate; the floor is calls over that part.
    ours_wanted = syncs.rate_for(calls)
    rate = math.ceil(ours_wanted / ratebudget.share())
    while ratebudget.syncs_part(ratebudget.our_part(rate)) < ours_wanted:
        rate += 1
    ours = ratebudget.syncs_part(ratebudget.our_part(rate))  # the sign-in's places left out
    log(f"rate limit: {rate} requests a minute per user, {ours} of them the syncs', for "
        f"{calls} calls (about {60 * calls / ours:.0f} s)")
    clear_rate_budget(services)
    sandbox.configure(rate_limit_per_minute=rate, rate_limit_scope="user")
    try:
        measured = syncs.organization_sync(sandbox, org, timeout=900)
    finally:
        sandbox.reset_knobs()
        clear_rate_budget(services)
    windows = math.ceil(calls / ours)
    return {
        "rate_per_minute": rate,
        "ours_per_minute": ours,
        "minimum_calls": calls,
        "limit_s": round(60 * calls / ours, 2),
        "window_floor_s": 60.0 * (windows - 1),
        "measured": measured.as_dict(),
    }
