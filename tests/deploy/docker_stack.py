"""Docker for the image test: a daemon, the base images, one build, compose projects.

Where no Docker daemon answers, ``../shared/tools/containers/containers`` (next to the
checkout; CONTAINERS_TOOL overrides) installs one and builds stand-ins for the base images,
which no registry serves on our machines. Where none can start, the test skips and says why.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.workers import PROJECT_ROOT

TOOL = Path(
    os.environ.get("CONTAINERS_TOOL")
    or PROJECT_ROOT.parent / "shared" / "tools" / "containers" / "containers"
)
# Where the tool puts the Compose plugin; an existing DOCKER_CONFIG is kept.
os.environ.setdefault("DOCKER_CONFIG", "/tmp/containers/dockercfg")
# The tags docker-compose.yml and the Dockerfile name, and the tool's stand-in for each.
BASE_IMAGES = {
    "python:3.11-slim-bookworm": "python:3.11-slim",
    "postgres:16-bookworm": "postgres:16",
    "redis:7-bookworm": "redis:7",
}
IMAGE = f"calendly-availability-dashboard:image-test-{os.getpid()}"


# Docker's commands see none of this test run's settings: compose would let them override
# the stack's .env (pytest_env's raised rate limits and unhashed static files among them).
CLEAN_ENV_KEYS = ("PATH", "HOME", "LANG", "DOCKER_CONFIG", "DOCKER_HOST", "TMPDIR")


def clean_env(**extra: str) -> dict[str, str]:
    return {k: os.environ[k] for k in CLEAN_ENV_KEYS if k in os.environ} | extra


def run(*args: str, timeout: float = 300, check: bool = True, **kwargs):
    kwargs.setdefault("env", clean_env())
    done = subprocess.run(
        args, capture_output=True, text=True, timeout=timeout, check=False, **kwargs
    )
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} -> {done.returncode}\n{done.stderr[-3000:]}")
    return done


def daemon_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    return run("docker", "info", check=False, timeout=30).returncode == 0


def ensure_docker() -> None:
    """A daemon and Compose v2, set up with the tool where none answers; else a skip."""
    if not daemon_answers() or run("docker", "compose", "version", check=False).returncode:
        if not TOOL.exists():
            pytest.skip(f"no Docker daemon answers and {TOOL} is absent to set one up")
        if os.geteuid() != 0:
            pytest.skip("no Docker daemon answers, and setting one up needs root")
        done = run(str(TOOL), "setup", check=False, timeout=900)
        if done.returncode != 0 or not daemon_answers():
            pytest.skip(f"no Docker daemon can start here: {(done.stdout + done.stderr)[-800:]}")


def ensure_base_images() -> None:
    """The pinned base tags; on a machine without a registry, the tool's stand-ins."""
    missing = [tag for tag in BASE_IMAGES if not image_exists(tag)]
    standins_missing = not all(image_exists(BASE_IMAGES[tag]) for tag in missing)
    if missing and standins_missing and TOOL.exists():
        run(str(TOOL), "standins", timeout=900)
    for tag in missing:
        if image_exists(BASE_IMAGES[tag]):
            run("docker", "tag", BASE_IMAGES[tag], tag)
        else:  # a machine with a registry pulls them itself
            run("docker", "pull", tag, timeout=600)


def image_exists(tag: str) -> bool:
    return run("docker", "image", "inspect", tag, check=False).returncode == 0


def free_port_range(count: int) -> int:
    """The first of `count` consecutive free loopback ports."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = probe.getsockname()[1]
        if first + count < 65535 and all(port_free(first + i) for i in range(count)):
            return first
    raise AssertionError(f"no {count} consecutive free ports")


def port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


class Stack:
    """One compose project of the checkout's docker-compose.yml, with its own .env file."""

    def __init__(self, folder: Path, name: str, env: dict[str, str]) -> None:
        self.folder = folder
        self.name = f"{name}-{os.getpid()}-{secrets.token_hex(2)}"
        self.env_file = folder / ".env"
        self.env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()))
        self.env = env
        self.ports: list[int] = []
        self.base = self.calendly = ""

    def compose(self, *args: str, timeout: float = 300, check: bool = True, **kwargs):
        base = ("docker", "compose", "--project-directory", str(PROJECT_ROOT))
        base += ("-p", self.name, "--env-file", str(self.env_file))
        return run(*base, *args, timeout=timeout, check=check, **kwargs)

    def shell(self, command: str, timeout: float = 120, **kwargs):
        """A guide's command line as written, `docker compose` aimed at this project."""
        # Compose finds .env next to docker-compose.yml, the checkout's, which a test leaves
        # alone: the same values come from the environment, which compose reads first.
        env = clean_env(
            **self.env,
            # The guide's ~/dashboard-backups, in the test's folder.
            HOME=str(self.folder),
            COMPOSE_PROJECT_NAME=self.name,
            COMPOSE_FILE=str(PROJECT_ROOT / "docker-compose.yml"),
        )
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", command],
            cwd=self.folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            **kwargs,
        )
        assert done.returncode == 0, f"{command}\n{done.stderr[-3000:]}"
        return done

    def containers(self) -> list[dict]:
        ids = self.compose("ps", "-q").stdout.split()
        if not ids:
            return []
        return json.loads(run("docker", "inspect", *ids).stdout)

    def wait_healthy(self, timeout: float = 240) -> None:
        """Every container of the project healthy (the images' own checks, every 30 s)."""
        deadline = time.monotonic() + timeout
        while True:
            states = {
                c["Name"].lstrip("/"): (c["State"].get("Health") or {}).get("Status")
                for c in self.containers()
            }
            if states and all(status == "healthy" for status in states.values()):
                return
            if time.monotonic() > deadline:
                logs = self.compose("logs", "--tail", "30", check=False).stdout[-4000:]
                raise AssertionError(f"not healthy after {timeout} s: {states}\n{logs}")
            time.sleep(2)

    def exec(self, service: str, *args: str, check: bool = True, index: int = 1):
        return self.compose("exec", "-T", "--index", str(index), service, *args, check=check)

    def psql(self, sql: str) -> str:
        user, db = (
            self.env.get("POSTGRES_USER", "dashboard"),
            self.env.get("POSTGRES_DB", "dashboard"),
        )
        return self.exec("db", "psql", "-U", user, "-d", db, "-tAc", sql).stdout.strip()

    def down(self) -> None:
        self.compose("down", "--volumes", "--remove-orphans", "--timeout", "20", check=False)
