"""Fixtures shared by the whole suite.

`sandbox` is the Calendly-compatible server (sandbox/), one process per test run, on a
free port. Each test gets it with knobs back at their start values, rate-limit windows
and queued faults cleared, and request counters at zero. Tests that change its data
(bookings, cancellations) should start their own with `sandbox.testing.running_sandbox()`
or cancel what they book.
"""

from collections.abc import Iterator

import pytest

from sandbox.testing import SandboxProcess, running_sandbox


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxProcess]:
    with running_sandbox() as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server: SandboxProcess) -> SandboxProcess:
    sandbox_server.reset_knobs()
    sandbox_server.reset_stats()
    return sandbox_server
