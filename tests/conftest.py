"""Fixtures shared by the whole suite.

`sandbox` is the Calendly-compatible server (sandbox/), one process per test run, on a
free port. Each test gets it with knobs back at their start values, rate-limit windows
and queued faults cleared, and request counters at zero. Tests that change its data
(bookings, cancellations) should start their own with `tests.sandbox_process.running_sandbox()`
or cancel what they book.
"""

import os
import uuid
from collections.abc import Iterator

import pytest
from hypothesis import settings as hypothesis_settings

from tests.sandbox_process import SandboxProcess, running_sandbox

# `make mutation` (docs/testing.md): each mutant's tests run under mutmut's tracing on a
# loaded machine, so no deadline; and the same examples every run, so a mutant is killed or
# not by the code alone.
hypothesis_settings.register_profile("mutation", deadline=None, derandomize=True)


@pytest.fixture(autouse=True)
def own_rate_budgets(settings) -> None:
    """Each test its own rate and token budgets (calendly/ratebudget.py), as each has its own
    database: the requests and refreshes of the tests just before, for the same sandbox
    user, must not leave this one waiting, or deferred."""
    settings.CALENDLY_RATE_BUDGET_NAMESPACE = f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxProcess]:
    with running_sandbox() as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server: SandboxProcess) -> SandboxProcess:
    sandbox_server.reset_knobs()
    sandbox_server.reset_stats()
    return sandbox_server


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Load and restart tests run where RUN_SLOW=1 (.ci/run sets it); `make test` alone skips them."""
    if item.get_closest_marker("slow") and os.environ.get("RUN_SLOW") != "1":
        pytest.skip("slow test: set RUN_SLOW=1 to run it (.ci/run does)")
