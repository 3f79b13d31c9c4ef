"""Every wait on the rate budget is bounded: what an answer's headers say is believed only
within sane ranges, a wait past its ceiling raises ``RateLimited``, a learned limit is
forgotten once answers stop announcing it, and a person's sign-in never waits long."""

from __future__ import annotations

import json
import time

import pytest
import requests

from calendly import CalendlyClient, RateLimited, RetryPolicy, StaticTokenSource
from calendly.ratebudget import LEARNED_LIMIT_SECONDS, FileBudget, InteractiveBudget
from calendly.transport import rate_limit_delay
from tests.availability.peers import running_peer

YEAR = 365 * 86400


class NoSleep:
    """A sleep that returns at once and counts: a wait that never ends shows as a hang."""

    def __init__(self) -> None:
        self.slept = 0.0

    def __call__(self, seconds: float) -> None:
        self.slept += seconds


def budget_state(budget: FileBudget, key: str) -> dict:
    return json.loads(budget._path(key).read_text() or "{}")


def client_on(peer, budget: FileBudget) -> CalendlyClient:
    policy = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02)
    return CalendlyClient(StaticTokenSource("t", "user-1"), base_url=peer.url, budget=budget,
                          policy=policy)


@pytest.mark.timeout(30)
def test_an_answer_announcing_a_year_long_reset_pauses_at_most_the_ceiling(tmp_path, settings):
    settings.CALENDLY_MAX_RATE_LIMIT_WAIT_SECONDS = 120
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(YEAR)}
    sleep = NoSleep()
    budget = FileBudget(tmp_path, 500, 61.0, sleep=sleep)
    with running_peer(lambda path: (200, headers, {"resource": {}})) as api:
        client = client_on(api, budget)
        assert client.get("/users/me") == {"resource": {}}
        key = client.transport.budget_key
        paused_for = budget_state(budget, key)["pause_until"] - time.time()
        assert 100 < paused_for <= 121
        # The next request gives up once the ceiling is spent, instead of waiting a year.
        with pytest.raises(RateLimited, match="rate budget would wait"):
            client.get("/users/me")
    assert len(api.seen) == 1
    assert sleep.slept <= 122


def test_a_wait_past_the_ceiling_raises_instead_of_blocking(tmp_path, settings):
    settings.CALENDLY_MAX_RATE_LIMIT_WAIT_SECONDS = 10
    sleep = NoSleep()
    budget = FileBudget(tmp_path, 1, 3.0, sleep=sleep)
    budget.pause("k", 3600)
    with pytest.raises(RateLimited, match="past the 10 s allowed") as caught:
        budget.acquire("k")
    assert caught.value.retry_after > 3500
    assert sleep.slept == 0  # nothing slept: no wait could end in time
    assert budget.acquire("free") == 0


def test_a_reset_in_epoch_milliseconds_is_read_as_a_moment_not_a_delay():
    now = time.time()
    response = requests.Response()
    response.headers["X-RateLimit-Reset"] = str(int((now + 30) * 1000))
    assert rate_limit_delay(response, now) == pytest.approx(30, abs=1)
    response.headers["X-RateLimit-Reset"] = str(int(now + 30))  # epoch seconds
    assert rate_limit_delay(response, now) == pytest.approx(30, abs=1)
    response.headers["X-RateLimit-Reset"] = "30"  # seconds from now
    assert rate_limit_delay(response, now) == 30
    for nonsense in ("inf", "nan", "9" * 400, "²", "Mon, 99 Foo 2026"):
        response.headers["X-RateLimit-Reset"] = nonsense
        assert rate_limit_delay(response, now) is None, nonsense


class RecordingBudget(FileBudget):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.learned: list[int] = []

    def learn_limit(self, key: str, limit: int) -> None:
        self.learned.append(limit)
        super().learn_limit(key, limit)


@pytest.mark.parametrize(
    ("announced", "learned"),
    # 50 announced: the budget holds our part of it (0.6 of 50), the rest is the others'.
    [("50", [30]), ("0", []), ("-5", []), (str(10**9), []), ("abc", []), ("", [])],
)
def test_an_announced_limit_is_believed_only_within_one_and_the_configured_limit(
    tmp_path, settings, announced, learned
):
    settings.CALENDLY_RATE_LIMIT_PER_MINUTE = 500
    settings.CALENDLY_BUDGET_SHARE = 0.6
    budget = RecordingBudget(tmp_path, 500, 61.0)
    with running_peer(lambda path: (200, {"X-RateLimit-Limit": announced}, {})) as api:
        client = client_on(api, budget)
        client.get("/users/me")
        client.get("/users/me")
    assert budget.learned == learned  # and announced once, not once per answer


def test_a_learned_limit_is_forgotten_minutes_after_answers_stop_announcing_it(tmp_path):
    budget = FileBudget(tmp_path, 500, 61.0)
    budget.learn_limit("k", 2)
    state = budget_state(budget, "k")
    assert state["limit"] == 2
    assert state["limit_until"] - time.time() <= LEARNED_LIMIT_SECONDS <= 600


class BrokenBudget(FileBudget):
    def _try(self, key: str) -> float:
        raise ConnectionError("the budget's store is down")


def test_a_person_waits_seconds_for_the_budget_and_never_on_a_store_that_is_down(tmp_path):
    sleep = NoSleep()
    paused = FileBudget(tmp_path, 500, 61.0, sleep=sleep)
    paused.pause("k", 3600)
    with pytest.raises(RateLimited, match="past the 5 s allowed"):
        InteractiveBudget(paused, 5).acquire("k")
    assert sleep.slept == 0
    assert InteractiveBudget(BrokenBudget(tmp_path / "b", 500, 61.0), 5).acquire("k") == 0
