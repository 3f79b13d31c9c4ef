"""The shared rate budget: the sliding-window rule, and its stores across processes."""

import multiprocessing
import time
import uuid

import pytest

from calendly import ratebudget
from calendly.ratebudget import FileBudget, RedisBudget, decide
from tests.needs import redis_url


def test_decide_allows_the_limit_then_waits_for_the_oldest_to_leave_the_window():
    state: dict = {}
    assert [decide(state, 100.0 + i, 3, 10.0) for i in range(3)] == [0, 0, 0]
    assert decide(state, 103.0, 3, 10.0) == pytest.approx(7.0)
    assert decide(state, 110.5, 3, 10.0) == 0  # the request at 100 left the window


def test_a_pause_blocks_everyone_until_it_ends():
    state = {"pause_until": 50.0}
    assert decide(state, 45.0, 100, 60.0) == pytest.approx(5.0)
    assert decide(state, 50.0, 100, 60.0) == 0


def test_a_lower_announced_limit_wins_until_it_expires():
    state = {"limit": 2, "limit_until": 1000.0}
    assert [decide(state, 10.0 + i, 5, 60.0) for i in range(3)][-1] > 0
    assert decide({"limit": 2, "limit_until": 5.0}, 10.0, 5, 60.0) == 0


class MovedClock:
    """The budget's clock, moved on by its naps instead of sleeping them."""

    def __init__(self, now: float) -> None:
        self.now, self.naps = now, []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.naps.append(seconds)
        self.now += seconds


def test_a_pause_that_is_over_costs_no_wait_and_a_live_one_is_waited_through(
    tmp_path, monkeypatch
):
    clock = MovedClock(1_000_000.0)
    monkeypatch.setattr(ratebudget, "time", clock)
    budget = FileBudget(tmp_path, 10, 60.0, sleep=clock.sleep)
    budget.pause("k", 0.0)  # already over
    assert budget.acquire("k") == 0 and clock.naps == []
    budget.pause("other", 30.0)
    assert budget.acquire("other") == pytest.approx(sum(clock.naps))
    assert 30.0 <= clock.now - 1_000_000.0 <= 30.0 + 0.01 * len(clock.naps)
    assert budget.acquire("k") == 0  # another user's budget never waited on it
    budget.pause("other", 5.0)
    budget.pause("other", 1.0)  # a shorter pause never shortens a longer one
    started = clock.now
    budget.acquire("other")
    assert clock.now - started >= 5.0


def _hammer(kind: str, target: str, key: str, limit: int, window: float, count: int, out):
    import django

    django.setup()
    stamps: list[float] = []
    if kind == "file":
        budget = _RecordingFileBudget(target, limit, window)
        budget.granted = stamps  # the times of the decisions themselves, taken under the lock
    else:
        import redis

        budget = RedisBudget(redis.Redis.from_url(target), limit, window)
    for _ in range(count):
        budget.acquire(key)
        if kind != "file":
            stamps.append(time.time())
    out.put(stamps)


class _RecordingFileBudget(FileBudget):
    granted: list[float]

    def _try(self, key: str) -> float:
        def record(state: dict, now: float) -> float:
            wait = decide(state, now, self.limit, self.window)
            if wait == 0:
                self.granted.append(now)
            return wait

        return self._update(key, record)


def _sent_across_processes(kind: str, target: str, limit: int, window: float) -> list[float]:
    key = f"test-{uuid.uuid4().hex}"
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [
        ctx.Process(target=_hammer, args=(kind, target, key, limit, window, 6, out))
        for _ in range(3)
    ]
    for proc in procs:
        proc.start()
    stamps = sorted(t for _ in procs for t in out.get(timeout=60))
    for proc in procs:
        proc.join(timeout=10)
    return stamps


def _max_in_any_window(stamps: list[float], window: float) -> int:
    return max(sum(1 for t in stamps if s <= t < s + window) for s in stamps)


def test_file_budget_holds_across_processes(tmp_path):
    stamps = _sent_across_processes("file", str(tmp_path), limit=5, window=1.0)
    assert len(stamps) == 18
    assert _max_in_any_window(stamps, 1.0) <= 5
    assert stamps[-1] - stamps[0] >= 3.0  # 18 requests at 5 per second need over 3 s


def test_redis_budget_holds_across_processes():
    stamps = _sent_across_processes("redis", redis_url(), limit=5, window=1.0)
    assert len(stamps) == 18
    # Stamped after acquire returns, by our clock, not Redis': some slack for scheduling.
    assert _max_in_any_window(stamps, 0.9) <= 5
    assert stamps[-1] - stamps[0] >= 3.0


def test_redis_pause_and_learned_limit():
    import redis

    budget = RedisBudget(redis.Redis.from_url(redis_url()), 100, 60.0)
    key = f"test-{uuid.uuid4().hex}"
    budget.learn_limit(key, 2)
    assert budget._try(key) == 0 and budget._try(key) == 0
    assert budget._try(key) > 0
    other = f"test-{uuid.uuid4().hex}"
    budget.pause(other, 1.5)
    assert 1.0 < budget._try(other) <= 1.5


def test_a_reserve_is_left_to_a_budget_of_the_same_keys_without_one():
    state: dict = {}
    assert [decide(state, 100.0 + i / 100, 50, 60.0, reserve=5) for i in range(45)] == [0] * 45
    assert decide(state, 101.0, 50, 60.0, reserve=5) > 0  # the syncs' part is full
    assert [decide(state, 101.0, 50, 60.0) for _ in range(5)] == [0] * 5  # a person's is not
    assert decide(state, 101.0, 50, 60.0) > 0
    # At most a tenth of the limit, also of a lower one Calendly announced.
    small: dict = {}
    assert [decide(small, 1.0, 9, 60.0, reserve=5) for _ in range(10)] == [0] * 9 + [60.0]
    learned = {"limit": 20, "limit_until": 1000.0}
    assert [decide(learned, 10.0, 50, 60.0, reserve=5) for _ in range(19)] == [0] * 18 + [60.0]


@pytest.mark.parametrize("store", ["file", "redis"])
def test_syncs_that_filled_their_part_leave_the_sign_in_its_places(store, tmp_path, settings):
    """The stores as the transport gets them: ``default_budget`` for syncs, the
    ``interactive_budget`` for the sign-in's profile read, on the same key."""
    settings.CALENDLY_RATE_LIMIT_PER_MINUTE = 100  # our part: 60, the syncs' 60 - 5
    settings.REDIS_URL = redis_url() if store == "redis" else ""
    settings.VAR_DIR = tmp_path
    key = f"test-{uuid.uuid4().hex}"
    syncs, person = ratebudget.default_budget(), ratebudget.interactive_budget()
    for _ in range(55):
        assert syncs.acquire(key, max_wait=0) == 0
    with pytest.raises(ratebudget.RateLimited):
        syncs.acquire(key, max_wait=0)
    for _ in range(ratebudget.PEOPLE_RESERVE):
        assert person.acquire(key) == 0  # no wait
    with pytest.raises(ratebudget.RateLimited):
        person.acquire(key, max_wait=0)
