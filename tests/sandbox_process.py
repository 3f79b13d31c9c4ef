"""Start a sandbox process for tests and benchmarks, and drive its control endpoints.

    with running_sandbox(large_org_members=2000, latency_ms=5) as sandbox:
        token = sandbox.mint_token(DEMO_OWNER_EMAIL)["access_token"]
        requests.get(f"{sandbox.url}/users/me", headers=sandbox.auth(token))
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests

PROJECT_ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0  # a bound on the wait, generous for a loaded machine; not a speed goal


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(address: tuple[str, int], timeout: float = 1.0) -> bool:
    """Whether something accepts TCP connections at ``address``."""
    try:
        with socket.create_connection(address, timeout=timeout):
            return True
    except OSError:
        return False


def wait_for(predicate, timeout: float, interval: float = 0.2, what: str = "condition"):
    """Polls ``predicate`` until it returns something truthy, and returns that."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def _flags(options: dict[str, Any]) -> list[str]:
    """runsandbox flags from keyword arguments: latency_ms=5 -> --latency-ms 5; a list
    repeats the flag (redirect_uri=[...])."""
    args: list[str] = []
    for name, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + name.replace("_", "-")
        for item in value if isinstance(value, list | tuple) else [value]:
            args += [flag] if item is True else [flag, str(item)]
    return args


class SandboxProcess:
    """A `manage.py runsandbox` child process on a free port."""

    def __init__(self, **options: Any) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(tempfile.mkstemp(prefix="sandbox-", suffix=".log")[1])
        command = [sys.executable, "manage.py", "runsandbox", "--port", str(self.port),
                   *_flags(options)]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=dict(os.environ),
                                            stdout=log, stderr=subprocess.STDOUT)
        self.http = requests.Session()
        self.startup_seconds = 0.0  # set by running_sandbox once /_sandbox/health answers

    def wait_ready(self, timeout: float = START_TIMEOUT) -> float:
        """Seconds until /_sandbox/health answered; raises with the log if it never did."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                break
            with contextlib.suppress(requests.RequestException):
                if self.http.get(f"{self.url}/_sandbox/health", timeout=1).ok:
                    return time.monotonic() - started
            time.sleep(0.05)
        log = self.log()  # before stop(), which deletes the log file
        self.stop()
        raise RuntimeError(f"sandbox did not start within {timeout} s:\n{log}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self, timeout: float = 5.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        self.http.close()
        self.log_path.unlink(missing_ok=True)

    # --- control endpoints ---------------------------------------------------------
    def control(self, method: str, path: str, body: dict | None = None, **params: Any) -> Any:
        response = self.http.request(method, f"{self.url}/_sandbox{path}", json=body,
                                     params=params or None, timeout=15)
        if response.status_code >= 400:
            raise SandboxError(response.status_code, response.text)
        return response.json()

    def health(self) -> dict:
        return self.control("GET", "/health")

    def stats(self) -> dict:
        return self.control("GET", "/stats")

    def reset_stats(self) -> dict:
        return self.control("POST", "/stats/reset")

    def configure(self, **knobs: Any) -> dict:
        return self.control("POST", "/config", knobs)

    def reset_knobs(self) -> dict:
        return self.control("POST", "/config", {"reset": True})

    def register_client(self, client_id: str, client_secret: str | None,
                        redirect_uris: list[str], name: str = "",
                        scopes: list[str] | str | None = None) -> dict:
        """``scopes``: what the app is granted; None is a legacy app (full access)."""
        return self.control("POST", "/clients", {"client_id": client_id, "name": name,
                                                 "client_secret": client_secret,
                                                 "redirect_uris": redirect_uris,
                                                 "scopes": scopes})

    def mint_token(self, email: str, client_id: str | None = None,
                   scopes: list[str] | str | None = None) -> dict:
        """A token response (access_token, refresh_token, owner, organization...): of a
        registered client's grant, of ``scopes``, or else legacy (full access)."""
        body: dict[str, Any] = {"email": email}
        if client_id is not None:
            body["client_id"] = client_id
        if scopes is not None:
            body["scopes"] = scopes
        return self.control("POST", "/tokens", body)

    def revoke_user_tokens(self, email: str) -> dict:
        return self.control("POST", "/users/revoke-tokens", {"email": email})

    def token_status(self, token: str) -> str:
        return self.control("GET", "/tokens/status", token=token)["status"]

    def book(self, event_type: str, start_time: str, invitee_email: str = "guest@guests.example",
             invitee_name: str = "Sandbox Guest") -> dict:
        return self.control("POST", "/bookings", {
            "event_type": event_type, "start_time": start_time,
            "invitee_email": invitee_email, "invitee_name": invitee_name})

    def cancel(self, event: str, reason: str | None = None) -> dict:
        uuid = event.rstrip("/").rsplit("/", 1)[-1]
        return self.control("POST", f"/bookings/{uuid}/cancel", {"reason": reason})

    def disable_webhook(self, uri_or_uuid: str) -> dict:
        """Disable a webhook subscription (its URI or uuid); returns it in the API's shape."""
        uuid = uri_or_uuid.rstrip("/").rsplit("/", 1)[-1]
        return self.control("POST", f"/webhook_subscriptions/{uuid}/disable")

    def dump(self) -> dict:
        return self.control("GET", "/dump")

    def fault(self, path: str, kind: str, count: int = 1, fields: dict | None = None) -> dict:
        body = {"path": path, "kind": kind, "count": count}
        return self.control("POST", "/faults", body | ({} if fields is None else {"fields": fields}))

    @staticmethod
    def auth(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


class SandboxError(Exception):
    def __init__(self, status: int, text: str):
        super().__init__(f"{status}: {text}")
        self.status = status


@contextlib.contextmanager
def running_sandbox(start_timeout: float = START_TIMEOUT, **options: Any) -> Iterator[SandboxProcess]:
    """A sandbox started with runsandbox flags as keywords, stopped on exit. How fast it
    starts is the bench's to print; a test only bounds the wait (a loaded CI machine)."""
    sandbox = SandboxProcess(**options)
    try:
        sandbox.startup_seconds = sandbox.wait_ready(start_timeout)
        yield sandbox
    finally:
        sandbox.stop()
