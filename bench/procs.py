"""The processes a bench run starts, each in its own session, all stopped on the way out
(Ctrl-C included); and the memory of the worker pool."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from bench.services import PROJECT_ROOT
from tests.processes import stop_process_group
from tests.sandbox_process import wait_for


class Processes:
    """Every child started through it; ``stop_all`` ends them, newest first."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.running: list[subprocess.Popen] = []

    def start(self, name: str, args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen, Path]:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_dir / f"{name}-{time.monotonic_ns()}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                args, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.running.append(proc)
        return proc, log

    def stop(self, proc: subprocess.Popen, grace: float = 15.0) -> None:
        stop_process_group(proc, grace)
        if proc in self.running:
            self.running.remove(proc)

    def stop_all(self) -> None:
        for proc in reversed(list(self.running)):
            self.stop(proc)


def start_worker(procs: Processes, env: dict[str, str], concurrency: int) -> subprocess.Popen:
    """``celery worker`` as the Procfile runs it; ``--purge`` drops a previous run's leftovers."""
    args = [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel", "INFO",
            "--concurrency", str(concurrency), "--purge", "--without-mingle", "--without-gossip",
            "--hostname", f"bench-{os.getpid()}@%h"]
    proc, log = procs.start("worker", args, env)

    def ready() -> bool:
        if proc.poll() is not None:
            raise RuntimeError(f"the worker stopped:\n{log.read_text()[-3000:]}")
        return b" ready." in log.read_bytes()

    wait_for(ready, 60, what="the worker to be ready")
    return proc


def start_gunicorn(
    procs: Processes, env: dict[str, str], port: int, workers: int
) -> tuple[subprocess.Popen, Path]:
    """The production web role (config/gunicorn.py: gthread) on a free port."""
    env = {**env, "WEB_CONCURRENCY": str(workers), "PORT": str(port)}
    args = [sys.executable, "-m", "gunicorn", "config.wsgi", "--config", "python:config.gunicorn",
            "--bind", f"127.0.0.1:{port}"]
    proc, log = procs.start("gunicorn", args, env)

    def up() -> bool:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn stopped:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(requests.RequestException):
            return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok
        return False

    wait_for(up, 60, what="gunicorn to answer /healthz")
    return proc, log


class MemorySampler:
    """Peak resident memory of a process tree (the worker pool), per process.

    Samples RSS every ``interval`` and reads the kernel's own high-water mark (VmHWM)
    of each process seen, so a peak between two samples is not missed."""

    def __init__(self, root_pid: int, interval: float = 0.2) -> None:
        import psutil  # the bench extra; the rest of the module needs only the test install

        self.error = psutil.Error
        self.root = psutil.Process(root_pid)
        self.interval = interval
        self.peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="rss")

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def _sample(self) -> None:
        with contextlib.suppress(self.error):
            for proc in [self.root, *self.root.children(recursive=True)]:
                with contextlib.suppress(self.error):
                    peak = max(proc.memory_info().rss, _high_water_mark(proc.pid))
                    self.peaks[proc.pid] = max(self.peaks.get(proc.pid, 0), peak)

    def peak_mb(self) -> float:
        return max(self.peaks.values(), default=0) / 2**20

    def per_process_mb(self) -> dict[str, float]:
        return {str(pid): round(rss / 2**20, 1) for pid, rss in sorted(self.peaks.items())}


def _high_water_mark(pid: int) -> int:
    with contextlib.suppress(OSError, ValueError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children, living or not (0 if gone)."""
    import psutil

    total = 0.0
    with contextlib.suppress(psutil.Error):
        root = psutil.Process(pid)
        for proc in [root, *root.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                times = proc.cpu_times()
                total += times.user + times.system
    return total
