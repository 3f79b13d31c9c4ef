"""The one HTTP path to Calendly: host check, bearer token, rate budget, bounded retries.

Retries are a hand-written loop rather than urllib3's ``Retry``, because each
kind of failure needs something ``Retry`` cannot do:
- a 429 must pause the *shared* per-user budget, so every thread and worker
  process waits for ``Retry-After`` / ``X-RateLimit-Reset``, not just this request;
- a 401 needs the token function (refresh once, then give up), not a resend;
- each resend is counted into the sync run (``CallStats``), which tests and the UI read.
urllib3 is therefore mounted with ``max_retries=0``: one call here is one request on the wire.
"""

from __future__ import annotations

import email.utils
import math
import os
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookiejar import DefaultCookiePolicy
from typing import Any, Protocol

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter

from calendly import ratebudget
from calendly.api_url import ApiBase, origin
from calendly.errors import (
    Unauthorized,
    Unavailable,
    UnexpectedResponse,
    error_for,
)

TRANSIENT = (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError)
TOKEN_RECHECK_SECONDS = 60.0
LEARN_AGAIN_SECONDS = 60.0  # below ratebudget.LEARNED_LIMIT_SECONDS, so a limit in force stays


class TokenSource(Protocol):
    """Where the client gets its bearer token (``accounts.tokens.CredentialTokens``)."""

    @property
    def budget_key(self) -> str: ...

    def access_token(self) -> str: ...

    def after_unauthorized(self, rejected_token: str) -> str: ...


class StaticTokenSource:
    """A fixed token (scripts, tests): a 401 cannot be mended by refreshing it."""

    def __init__(self, token: str, budget_key: str) -> None:
        self._token = token
        self.budget_key = budget_key

    def access_token(self) -> str:
        return self._token

    def after_unauthorized(self, rejected_token: str) -> str:
        raise Unauthorized("The access token was rejected and cannot be refreshed")


class Budget(Protocol):
    def acquire(self, key: str, max_wait: float | None = None) -> float: ...

    def pause(self, key: str, seconds: float) -> None: ...

    def learn_limit(self, key: str, limit: int) -> None: ...


@dataclass
class CallStats:
    """Requests this client sent; shared by the threads of one run, hence the lock."""

    calls: int = 0
    retries: int = 0
    rate_limited: int = 0
    waited_seconds: float = 0.0
    # Records Calendly sent that could not be read, named: the run's problems list them.
    rejected: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, **amounts: float) -> None:
        with self._lock:
            for name, amount in amounts.items():
                setattr(self, name, getattr(self, name) + amount)

    def reject(self, name: str) -> None:
        with self._lock:
            if len(self.rejected) < 100:  # enough to act on; a page of 5,000 bad rows is not
                self.rejected.append(name)

    def snapshot(self) -> dict[str, float]:
        with self._lock:
            return {
                "calls": self.calls,
                "retries": self.retries,
                "rate_limited": self.rate_limited,
                "waited_seconds": round(self.waited_seconds, 3),
            }


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff with full jitter for 5xx and timeouts; bounded 429 waits."""

    max_attempts: int = 8
    base_delay: float = 0.25
    max_delay: float = 8.0
    max_rate_limit_waits: int = 6
    max_rate_limit_wait: float = 120.0
    reset_margin: float = 0.25

    @classmethod
    def from_settings(cls) -> RetryPolicy:
        return cls(
            max_attempts=getattr(settings, "CALENDLY_MAX_ATTEMPTS", cls.max_attempts),
            max_rate_limit_wait=getattr(
                settings, "CALENDLY_MAX_RATE_LIMIT_WAIT_SECONDS", cls.max_rate_limit_wait
            ),
        )

    def backoff(self, attempt: int) -> float:
        return random.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))


# --- Session per process -------------------------------------------------------

_session_lock = threading.Lock()
_session: dict[str, Any] = {"pid": None, "session": None}


def session() -> requests.Session:
    """This process's pooled session; a forked worker child builds its own."""
    with _session_lock:
        if _session["pid"] != os.getpid():
            _session["session"] = _new_session()
            _session["pid"] = os.getpid()
        return _session["session"]


def _new_session() -> requests.Session:
    pool = max(10, getattr(settings, "SYNC_THREADS", 8) + 2)
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool, max_retries=0)
    http = requests.Session()
    http.mount("https://", adapter)
    http.mount("http://", adapter)
    http.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))  # an API needs no cookies
    http.headers.update({"Accept": "application/json", "User-Agent": "calendly-dashboard/0.1"})
    return http


# --- Response headers ------------------------------------------------------------


def _seconds(value: str | None, now: float) -> float | None:
    """Retry-After (seconds or HTTP date) or X-RateLimit-Reset (seconds, epoch seconds or
    epoch milliseconds); None for what is none of these."""
    if not value or len(value) > 64:
        return None
    try:
        number = float(value)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        return max(0.0, parsed.timestamp() - now) if parsed.tzinfo else None
    if not math.isfinite(number):
        return None
    if number > 1e11:  # epoch milliseconds: 1e11 s is the year 5138
        number /= 1000
    return max(0.0, number - now) if number > 1e9 else max(0.0, number)


def _resolved(params: dict[str, Any] | None) -> dict[str, Any] | None:
    """Parameters given as functions take their value now, as the request is sent."""
    if not params:
        return params
    return {name: value() if callable(value) else value for name, value in params.items()}


def _whole(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def rate_limit_delay(response: requests.Response, now: float | None = None) -> float | None:
    now = time.time() if now is None else now
    headers = response.headers
    waits = [_seconds(headers.get(h), now) for h in ("Retry-After", "X-RateLimit-Reset")]
    known = [w for w in waits if w is not None]
    return max(known) if known else None


def _body(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


# --- Transport ---------------------------------------------------------------------


class Transport:
    def __init__(
        self,
        tokens: TokenSource,
        budget: Budget,
        *,
        base_url: str | None = None,
        timeout: tuple[float, float] | None = None,
        policy: RetryPolicy | None = None,
        stats: CallStats | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.tokens = tokens
        self.budget = budget
        self.base_url = (base_url or settings.CALENDLY_API_BASE_URL).rstrip("/")
        self.timeout = timeout or tuple(settings.CALENDLY_TIMEOUT_SECONDS)
        self.policy = policy or RetryPolicy.from_settings()
        self.stats = stats or CallStats()
        self.sleep = sleep
        # Per API host and Calendly user: the unit Calendly limits. The namespace keeps apart
        # deployments (and test runs) that share a Redis.
        namespace = getattr(settings, "CALENDLY_RATE_BUDGET_NAMESPACE", "")
        host = "|".join(map(str, origin(self.base_url)))
        self.budget_key = f"{namespace}|{host}|{tokens.budget_key}"
        self.api = ApiBase(self.base_url)
        self._token_lock = threading.Lock()
        self._token: tuple[str, float] | None = None
        self._announced_limit: tuple[int, float] | None = None

    def url_for(self, path_or_url: object) -> str:
        """An absolute URL on the API's host, or ``UntrustedURL`` (``calendly.api_url``)."""
        return self.api.checked(path_or_url)

    def get_json(self, path_or_url: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.request_json("GET", path_or_url, params)

    def request_json(
        self,
        method: str,
        path_or_url: str,
        params: dict[str, Any] | None = None,
        payload: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """One API call with the GET semantics for any method: host check, budget, retries.

        A 204 (a DELETE) answers ``{}``. A POST resent after a 5xx or a timeout may find its
        first attempt took effect; Calendly then answers 409, which the caller reads."""
        url = self.url_for(path_or_url)
        sent = failures = rate_limits = 0
        refreshed = False
        token = self._current_token()
        while True:
            response, failure = self._attempt(method, url, params, payload, token, sent > 0)
            sent += 1
            status = response.status_code if response is not None else None
            if status == 204:
                return {}
            if status is not None and 200 <= status < 300:
                body = _body(response)
                if isinstance(body, dict):
                    return body
                # A cut or garbled body (a proxy, a dropped connection): worth another try.
                response, failure = (
                    None,
                    UnexpectedResponse(
                        f"Calendly answered {status} without a JSON object", url=url
                    ),
                )
            if status == 401 and not refreshed:
                refreshed = True
                token = self._after_unauthorized(token)
            elif status == 429:
                rate_limits += 1
                self._on_rate_limited(response, url, rate_limits)
            elif failure is not None or (status is not None and status >= 500):
                failures += 1
                self._back_off(response, failure, url, failures)
            else:
                raise error_for(status or 0, _body(response), url)

    def _attempt(
        self,
        method: str,
        url: str,
        params: dict[str, Any] | None,
        payload: dict[str, Any] | None,
        token: str,
        retry: bool,
    ) -> tuple[requests.Response | None, Exception | None]:
        """One request under the budget; what Calendly says of the limit is kept."""
        waited = self.budget.acquire(self.budget_key)
        if waited:
            self.stats.add(waited_seconds=waited)
        response, failure = self._send(method, url, _resolved(params), payload, token, retry)
        if response is not None:
            self._observe_rate_limit(response)
        return response, failure

    # --- Steps of one request -------------------------------------------------------

    def _send(
        self,
        method: str,
        url: str,
        params: dict[str, Any] | None,
        payload: dict[str, Any] | None,
        token: str,
        retry: bool,
    ) -> tuple[requests.Response | None, Exception | None]:
        self.stats.add(calls=1, retries=int(retry))
        headers = {"Authorization": f"Bearer {token}"}
        try:
            response = session().request(
                method,
                url,
                params=params,
                json=payload,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
            )
        except TRANSIENT as exc:
            return None, exc
        return response, None

    def _current_token(self) -> str:
        with self._token_lock:
            if self._token is None or time.monotonic() - self._token[1] > TOKEN_RECHECK_SECONDS:
                self._token = (self.tokens.access_token(), time.monotonic())
            return self._token[0]

    def _after_unauthorized(self, rejected: str) -> str:
        token = self.tokens.after_unauthorized(rejected)
        with self._token_lock:
            self._token = (token, time.monotonic())
        return token

    def _observe_rate_limit(self, response: requests.Response) -> None:
        """Keeps the shared budget in step with what Calendly says of this user's limit.

        A limit is believed within 1..the configured limit and announced again while answers
        carry it (the budget forgets it minutes after they stop); a pause is believed up to
        ``max_rate_limit_wait``: one odd header must not stop a user's syncs for a year."""
        limit = _whole(response.headers.get("X-RateLimit-Limit"))
        if limit is not None and 1 <= limit <= settings.CALENDLY_RATE_LIMIT_PER_MINUTE:
            now = time.monotonic()
            known, learned_at = self._announced_limit or (None, 0.0)
            if limit != known or now - learned_at > LEARN_AGAIN_SECONDS:
                self._announced_limit = (limit, now)
                self.budget.learn_limit(self.budget_key, ratebudget.our_part(limit))
        else:
            limit = settings.CALENDLY_RATE_LIMIT_PER_MINUTE
        remaining = _whole(response.headers.get("X-RateLimit-Remaining"))
        # Down to the others' part (the user's other integrations share the limit): yield
        # until the window resets. Requests already in flight may still land below it.
        floor = ratebudget.floor_for_others(limit)
        if remaining is not None and remaining <= floor and response.status_code != 429:
            delay = _seconds(response.headers.get("X-RateLimit-Reset"), time.time())
            if delay:
                delay = min(delay, self.policy.max_rate_limit_wait)
                self.budget.pause(self.budget_key, delay + self.policy.reset_margin)

    def _on_rate_limited(self, response: requests.Response, url: str, count: int) -> None:
        self.stats.add(rate_limited=1)
        delay = rate_limit_delay(response)
        if delay is None:
            delay = max(1.0, self.policy.backoff(count + 2))
        if count > self.policy.max_rate_limit_waits or delay > self.policy.max_rate_limit_wait:
            raise error_for(429, _body(response), url, retry_after=delay)
        # Every thread and process sending for this user waits, not only this request.
        self.budget.pause(self.budget_key, delay + self.policy.reset_margin)

    def _back_off(
        self, response: requests.Response | None, failure: Exception | None, url: str, count: int
    ) -> None:
        if count >= self.policy.max_attempts:
            if response is not None:
                raise error_for(response.status_code, _body(response), url)
            if isinstance(failure, UnexpectedResponse):
                raise failure
            raise Unavailable(
                f"Calendly did not answer after {count} attempts ({type(failure).__name__})",
                title="Unavailable",
                url=url,
            ) from failure
        delay = self.policy.backoff(count)
        self.stats.add(waited_seconds=delay)
        self.sleep(delay)
