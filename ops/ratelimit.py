"""Per-address rate limits of the endpoints anyone may call without signing in and that
cost us work or invite guessing: the sign-in's start (a session row each), the OAuth
callback (a token exchange with Calendly), the webhook receiver (HMACs and database
writes) and the admin's password login. A flood is answered 429 before the view runs.

Counters live in the shared cache (``CACHES``: Redis when ``REDIS_URL`` is set, else
files under ``VAR_DIR``), so every web process counts together. Redis increments
atomically; the file cache reads and writes, so there the count is taken under an
exclusive ``flock`` (one machine's processes and threads count one at a time).

The client address is ``REMOTE_ADDR``, or, behind ``RATE_LIMIT_TRUSTED_PROXIES``
proxies, the address the outermost trusted proxy saw (counted from the right of
``X-Forwarded-For``: entries further left are whatever the client chose to send).
"""

from __future__ import annotations

import contextlib
import fcntl
import ipaddress
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django_ratelimit.core import is_ratelimited

log = logging.getLogger(__name__)

# URL name -> the setting that holds its rate ("30/m"; empty turns the limit off).
LIMITED_ROUTES = {
    # The sign-in's start: an anonymous POST that makes a session row (PKCE verifier, state).
    "calendly_login": "RATE_LIMIT_SIGN_IN",
    "calendly_callback": "RATE_LIMIT_OAUTH_CALLBACK",
    "webhooks:calendly": "RATE_LIMIT_WEBHOOKS",
    # Django's admin, when ADMIN_ENABLED: a password login, the one guessable door.
    "admin:login": "RATE_LIMIT_ADMIN_LOGIN",
}


def client_address(request: HttpRequest) -> str:
    """The address to count against: a whole /64 for IPv6, where one host holds many."""
    address = request.META.get("REMOTE_ADDR", "")
    hops = int(getattr(settings, "RATE_LIMIT_TRUSTED_PROXIES", 0))
    if hops > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if forwarded:
            address = forwarded[max(0, len(forwarded) - hops)]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return "unparsable"
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)


def _key(group: str, request: HttpRequest) -> str:
    return client_address(request)


@contextlib.contextmanager
def _counting() -> Iterator[None]:
    """Serializes a count when the cache cannot increment atomically (not Redis)."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("RedisCache"):
        yield
        return
    lock = Path(settings.VAR_DIR) / "ratelimit.lock"
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def too_many_requests() -> HttpResponse:
    response = HttpResponse(
        "Too many requests from your address; try again in a minute.\n",
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = "60"
    return response


class RateLimitMiddleware:
    """Counts requests to ``LIMITED_ROUTES`` per client address; 429 past the limit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        name = request.resolver_match.view_name if request.resolver_match else ""
        rate = getattr(settings, LIMITED_ROUTES.get(name, ""), "") if name else ""
        if not rate:
            return None
        try:
            with _counting():
                limited = is_ratelimited(request, group=name, key=_key, rate=rate, increment=True)
        except Exception as error:  # the cache is down: serve rather than refuse everyone
            log.warning("Rate limit of %s not checked: %s", name, type(error).__name__)
            return None
        if not limited:
            return None
        log.warning("Rate limit of %s reached by %s", name, client_address(request))
        return too_many_requests()
