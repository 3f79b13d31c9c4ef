"""Per-Calendly-user request budget, shared by every thread and worker process.

Calendly allows about 500 requests per user per minute on paid plans (50 on
Free; ``CALENDLY_RATE_LIMIT_PER_MINUTE``). The budget is a sliding-window log:
in any window of ``60 s + margin`` at most ``limit`` requests are sent for a key.
The margin absorbs latency jitter between our send time and Calendly's arrival
time, so Calendly's own window never sees more than the limit. After a 429,
``pause`` makes every sender for that key wait until the announced reset.
``learn_limit`` records the limit Calendly announces (``X-RateLimit-Limit``) when
it is lower than the configured one (a Free plan's 50), so the budget keeps
under it from the first responses on, instead of finding it by a 429.

The limit is shared with the user's other integrations (their CRM, Zapier, …), so the
dashboard spends only ``CALENDLY_BUDGET_SHARE`` of it (``our_part``): the sliding window
holds that many, and the transport pauses every sender until the reset once an answer says
no more than the others' part remains (``floor_for_others``), so when the user's other
tools spend more, the dashboard yields instead of taking their requests.

Two stores, same rules:
- ``RedisBudget`` (when ``REDIS_URL`` is set): one Lua script per decision, timed
  by the Redis server's clock, so all machines agree;
- ``FileBudget``: an fcntl-locked JSON file per key under ``VAR_DIR`` for the
  embedded setup (several worker processes on one machine, no server).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import math
import os
import random
import time
import uuid
from collections.abc import Callable
from functools import cache, partial
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from calendly.errors import RateLimited

log = logging.getLogger(__name__)

MAX_SLEEP = 5.0  # re-check at least this often: a pause may be announced meanwhile
# Places of each window the syncs leave to requests a person waits on (the sign-in's profile
# read), at most a tenth of the limit: 5 of 300, 3 of a Free plan's 30.
PEOPLE_RESERVE = 5

_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local learned = tonumber(redis.call('GET', KEYS[3]) or '0')
if learned > 0 and learned < limit then limit = learned end
limit = limit - math.min(tonumber(ARGV[4]), math.floor(limit / 10))
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then return paused - now end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
"""

_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local until_ms = now + tonumber(ARGV[1])
if until_ms > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], until_ms, 'PX', tonumber(ARGV[1]))
end
return until_ms
"""


class _Budget:
    """The waiting loop; subclasses decide, atomically, whether a request may go now."""

    def __init__(
        self,
        limit: int,
        window: float,
        sleep: Callable[[float], None] = time.sleep,
        reserve: int = 0,
    ):
        if limit < 1:
            raise ValueError("a rate budget needs a limit of at least one request")
        self.limit = limit
        self.window = window
        self.sleep = sleep
        # Places of each window this budget leaves to another of the same keys with none
        # (at most a tenth of the limit): syncs leave PEOPLE_RESERVE to the sign-in.
        self.reserve = reserve

    def acquire(self, key: str, max_wait: float | None = None) -> float:
        """Blocks until one request for ``key`` may be sent; returns the seconds waited.

        Never longer than ``max_wait`` (by default ``max_wait_seconds()``): past it,
        ``RateLimited``, so no sync holds a worker and no page holds a thread for ever on a
        pause Calendly (or something answering as Calendly) announced."""
        ceiling = max_wait_seconds(self.window) if max_wait is None else max_wait
        waited = 0.0
        while (wait := self._try(key)) > 0:
            if waited + wait > ceiling:
                raise RateLimited(
                    f"The rate budget would wait {wait:.0f} s more for this Calendly user, "
                    f"past the {ceiling:.0f} s allowed",
                    title="Rate budget exhausted",
                    retry_after=wait,
                )
            nap = min(wait, MAX_SLEEP) + random.uniform(0, 0.01)  # spread simultaneous wakers
            self.sleep(nap)
            waited += nap
        return waited

    def _try(self, key: str) -> float:
        raise NotImplementedError

    def pause(self, key: str, seconds: float) -> None:
        raise NotImplementedError

    def learn_limit(self, key: str, limit: int) -> None:
        raise NotImplementedError


# A learned limit lives this long after the last answer that announced it (the transport
# announces it again at most every LEARN_AGAIN_SECONDS while answers carry it), so a plan
# upgrade, or one odd header, is forgotten within minutes, not a day.
LEARNED_LIMIT_SECONDS = 300


class RedisBudget(_Budget):
    def __init__(self, redis_client, limit: int, window: float, **kwargs) -> None:
        super().__init__(limit, window, **kwargs)
        self.redis = redis_client
        self._acquire = redis_client.register_script(_ACQUIRE)
        self._pause = redis_client.register_script(_PAUSE)

    @staticmethod
    def _keys(key: str) -> list[str]:
        base = f"calendly:budget:{key}"
        return [f"{base}:log", f"{base}:pause", f"{base}:limit"]

    def _try(self, key: str) -> float:
        args = [self.limit, int(self.window * 1000), uuid.uuid4().hex, self.reserve]
        return int(self._acquire(keys=self._keys(key), args=args)) / 1000

    def pause(self, key: str, seconds: float) -> None:
        self._pause(keys=self._keys(key)[1:2], args=[max(1, int(seconds * 1000))])

    def learn_limit(self, key: str, limit: int) -> None:
        self.redis.set(self._keys(key)[2], int(limit), ex=LEARNED_LIMIT_SECONDS)


def decide(state: dict, now: float, limit: int, window: float, reserve: int = 0) -> float:
    """The sliding-window rule on plain data (``sent`` times, ``pause_until``); mutates ``state``."""
    if state.get("pause_until", 0) > now:
        return state["pause_until"] - now
    sent = [moment for moment in state.get("sent", []) if moment > now - window]
    state["sent"] = sent
    learned = state.get("limit", 0) if state.get("limit_until", 0) > now else 0
    limit = min(limit, learned) if learned > 0 else limit
    if len(sent) < limit - min(reserve, limit // 10):
        sent.append(now)
        return 0.0
    return max(0.001, min(sent) + window - now)


class FileBudget(_Budget):
    """One machine, many processes: the decision runs under an exclusive ``flock``."""

    def __init__(self, folder: Path, limit: int, window: float, **kwargs) -> None:
        super().__init__(limit, window, **kwargs)
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.folder / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"

    def _update(self, key: str, change: Callable[[dict, float], float]) -> float:
        fd = os.open(self._path(key), os.O_RDWR | os.O_CREAT, 0o600)
        with os.fdopen(fd, "r+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                state = json.loads(handle.read() or "{}")
            except ValueError:
                state = {}  # a torn file from a killed process: start afresh, stay correct
            result = change(state, time.time())
            handle.seek(0)
            handle.truncate()
            handle.write(json.dumps(state))
            return result

    def _try(self, key: str) -> float:
        return self._update(
            key, lambda state, now: decide(state, now, self.limit, self.window, self.reserve)
        )

    def pause(self, key: str, seconds: float) -> None:
        def extend(state: dict, now: float) -> float:
            state["pause_until"] = max(state.get("pause_until", 0), now + seconds)
            return state["pause_until"]

        self._update(key, extend)

    def learn_limit(self, key: str, limit: int) -> None:
        self._update(key, partial(_learn, limit=limit))


def _learn(state: dict, now: float, limit: int) -> float:
    state["limit"] = int(limit)
    state["limit_until"] = now + LEARNED_LIMIT_SECONDS
    return limit


def max_wait_seconds(window: float) -> float:
    """The longest one request waits for the budget: the configured ceiling, but never less
    than two windows, which a full window shared by a run's threads can take."""
    ceiling = float(getattr(settings, "CALENDLY_MAX_RATE_LIMIT_WAIT_SECONDS", 120.0))
    return max(ceiling, 2 * window)


class InteractiveBudget:
    """A budget for requests a person waits on (the sign-in's profile read): a short
    deadline, and a store that is down (Redis restarting) lets the one request go rather
    than failing the sign-in; syncs keep the strict budget."""

    def __init__(self, inner: _Budget, max_wait: float) -> None:
        self.inner = inner
        self.max_wait = max_wait

    def acquire(self, key: str, max_wait: float | None = None) -> float:
        try:
            return self.inner.acquire(key, max_wait=self.max_wait)
        except RateLimited:
            raise
        except Exception as error:  # noqa: BLE001 - any store failure: serve the person
            log.warning("Rate budget not checked (%s): sending anyway", type(error).__name__)
            return 0.0

    def pause(self, key: str, seconds: float) -> None:
        self._quietly(self.inner.pause, key, seconds)

    def learn_limit(self, key: str, limit: int) -> None:
        self._quietly(self.inner.learn_limit, key, limit)

    @staticmethod
    def _quietly(call: Callable, *args) -> None:
        try:
            call(*args)
        except Exception as error:  # noqa: BLE001
            log.warning("Rate budget not updated (%s)", type(error).__name__)


def interactive_budget() -> InteractiveBudget:
    """The sign-in's: the same keys as the syncs' budget, but the places they leave
    (``PEOPLE_RESERVE``) are its too, so syncs that filled their part never hold it up."""
    wait = float(getattr(settings, "CALENDLY_INTERACTIVE_BUDGET_WAIT_SECONDS", 5.0))
    return InteractiveBudget(_budget_of(our_part(int(settings.CALENDLY_RATE_LIMIT_PER_MINUTE))), wait)


def window_seconds() -> float:
    return 60.0 + float(getattr(settings, "CALENDLY_RATE_WINDOW_MARGIN_SECONDS", 1.0))


def share() -> float:
    """``CALENDLY_BUDGET_SHARE``: the part of each user's limit the dashboard may spend."""
    value = float(getattr(settings, "CALENDLY_BUDGET_SHARE", 0.6))
    if not 0 < value <= 1:
        raise ImproperlyConfigured(f"CALENDLY_BUDGET_SHARE={value} must be above 0 and at most 1")
    return value


def our_part(limit: int) -> int:
    """The requests a window of ``limit`` leaves the dashboard: its share, at least one."""
    return max(1, math.floor(share() * limit))


def syncs_part(part: int) -> int:
    """What the syncs may send of ``part``: all but the places left to people
    (``PEOPLE_RESERVE``, at most a tenth), as the budgets' rule counts them."""
    return part - min(PEOPLE_RESERVE, part // 10)


def floor_for_others(limit: int) -> int:
    """What the dashboard leaves in a window of ``limit`` for the user's other integrations:
    an answer saying no more than this remains makes every sender wait for the reset."""
    return limit - our_part(limit)


def default_budget() -> _Budget:
    """This process's budget for the current settings (Redis when configured, else a file),
    holding to our part of the configured limit even when answers carry no rate headers."""
    return _budget_of(our_part(int(settings.CALENDLY_RATE_LIMIT_PER_MINUTE)), PEOPLE_RESERVE)


def token_budget() -> _Budget:
    """The budget of token refreshes: Calendly allows 8 token requests per user a minute
    (``CALENDLY_TOKEN_RATE_LIMIT_PER_MINUTE``), shared with the user's other integrations
    like the API's, so ours is the same share of it. Keyed by ``token_key``."""
    return _budget_of(our_part(int(settings.CALENDLY_TOKEN_RATE_LIMIT_PER_MINUTE)))


def token_key(user_uri: str) -> str:
    namespace = getattr(settings, "CALENDLY_RATE_BUDGET_NAMESPACE", "")
    return f"{namespace}|token|{settings.CALENDLY_AUTH_BASE_URL}|{user_uri}"


def _budget_of(limit: int, reserve: int = 0) -> _Budget:
    if settings.REDIS_URL:
        return _redis_budget(settings.REDIS_URL, limit, window_seconds(), reserve)
    folder = str(Path(settings.VAR_DIR) / "ratebudget")
    return _file_budget(folder, limit, window_seconds(), reserve)


@cache
def _redis_budget(url: str, limit: int, window: float, reserve: int) -> RedisBudget:
    import redis

    return RedisBudget(redis.Redis.from_url(url), limit, window, reserve=reserve)


@cache
def _file_budget(folder: str, limit: int, window: float, reserve: int) -> FileBudget:
    return FileBudget(Path(folder), limit, window, reserve=reserve)
