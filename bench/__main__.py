"""``python -m bench``: the performance figures of issue #9 (see docs/performance.md)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import warnings

from bench.services import BENCH_DIR, prepare

SKIPPABLE = {"rate", "naive", "load", "arithmetic"}


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="one small organization (20 members), short load, no rate-limit run")
    parser.add_argument("--sizes", help="comma-separated organization sizes (default 100,1000,2000)")
    parser.add_argument("--runs", type=int, help="measured organization syncs per size (default 3)")
    parser.add_argument("--skip", default="",
                        help="comma-separated parts to leave out: rate, naive, load, arithmetic")
    parser.add_argument("--embedded", action="store_true",
                        help="SQLite and the filesystem broker even when PostgreSQL/Redis answer")
    parser.add_argument("--output", default=str(BENCH_DIR / "latest.json"))
    return parser.parse_args(argv)


def plan_for(args: argparse.Namespace):
    from bench.run import Plan

    plan = Plan()
    if args.quick:
        plan = Plan(sizes=(20,), runs=1, naive_size=20, rate_size=None, seconds=5, users=5,
                    arithmetic_members=100, arithmetic_repeat=1)
    if args.sizes:
        plan.sizes = tuple(int(size) for size in args.sizes.split(","))
    if args.runs:
        plan.runs = plan.runs_largest = args.runs
    skip = set(filter(None, args.skip.split(",")))
    if skip - SKIPPABLE:
        raise SystemExit(f"--skip takes {', '.join(sorted(SKIPPABLE))}")
    plan.rate_size = None if "rate" in skip else plan.rate_size
    plan.naive_size = None if "naive" in skip else plan.naive_size
    plan.seconds = 0 if "load" in skip else plan.seconds
    plan.arithmetic_members = 0 if "arithmetic" in skip else plan.arithmetic_members
    return plan


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str]) -> int:
    args = parse(argv)
    # Stop the children on kill as on Ctrl-C; SIGINT too, which a shell may have set to be
    # ignored (a background job), so Python would not raise KeyboardInterrupt for it.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    services = prepare(embedded=args.embedded)
    env = services.env()
    os.environ.update(env | {"LOG_LEVEL": "ERROR"})  # the children log at INFO, to files
    # Static files are served from the source folders (STATIC_MANIFEST=false): no collectstatic.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from pathlib import Path

    from bench import figures, report
    from bench.run import log, run

    plan = plan_for(args)
    log(f"on {services.describe()}; sizes {', '.join(map(str, plan.sizes))}")
    try:
        results = run(services, env, plan)
    except KeyboardInterrupt:
        log("interrupted: every process it started is stopped")
        return 130
    rows = figures.rows(results)
    print()
    print(report.table(rows))
    report.write(Path(args.output), results, rows)
    print(f"\nWritten to {args.output} in {results['elapsed_s']:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
