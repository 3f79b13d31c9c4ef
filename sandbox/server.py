"""The sandbox's WSGI application and its threaded HTTP server.

One port serves the OAuth paths, the API v2 paths, the control paths (/_sandbox/) and
stand-in pages for the scheduling and cancellation links the API hands out.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from sandbox import control, control_writes, oauth, scopes
from sandbox.api import (
    availability,
    event_type_schedules,
    event_types,
    groups,
    hosts,
    organizations,
    scheduled_events,
    users,
    webhooks,
)
from sandbox.control import ControlError
from sandbox.core import Ctx, Sandbox
from sandbox.errors import (
    ApiError,
    external_calendar_error,
    insufficient_scope,
    internal_error,
    json_response,
    not_found,
    too_many_requests,
    unauthenticated,
)
from sandbox.knobs import malformed
from sandbox.pages import ROUTES as PAGE_ROUTES
from sandbox.timefmt import utcnow

log = logging.getLogger(__name__)
API_ROUTES = [route for module in (users, organizations, groups, event_types,
                                   event_type_schedules, hosts, availability, scheduled_events,
                                   webhooks)
              for route in module.ROUTES]
Handler = Callable[..., Response]
ERROR_ANSWERS = {"external_calendar": external_calendar_error}  # the error faults (knobs.py)


def route_template(rule: str) -> str:
    """`/users/<uuid>` as the spec writes it: `/users/{uuid}`."""
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)


class SandboxApp:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.handlers: dict[str, tuple[str, Handler, str]] = {}
        rules = []
        groups: Iterable[tuple[str, list]] = (
            ("api", API_ROUTES), ("oauth", oauth.ROUTES),
            ("control", control.ROUTES + control_writes.ROUTES), ("page", PAGE_ROUTES))
        for group, routes in groups:
            for path, methods, handler in routes:
                endpoint = f"{group}:{handler.__module__}.{handler.__name__}"
                rules.append(Rule(path, methods=methods, endpoint=endpoint))
                self.handlers[endpoint] = (group, handler, route_template(path))
        self.url_map = Map(rules, strict_slashes=False)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        return self.dispatch(Request(environ))(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        ctx = Ctx(self.sandbox, request, utcnow())
        try:
            endpoint, args = self.url_map.bind_to_environ(request.environ).match()
        except NotFound:
            return not_found().response()
        except MethodNotAllowed as error:
            return json_response({"title": "Method Not Allowed", "message": str(error)}, 405)
        except HTTPException as error:
            return error.get_response()
        group, handler, route = self.handlers[endpoint]
        if group == "control":
            return self.run(ctx, handler, args)
        response = self.serve(ctx, group, handler, route, args)
        self.sandbox.stats.served(f"{request.method} {route}", response.status_code, ctx.token,
                                  group)
        return response

    def run(self, ctx: Ctx, handler: Handler, args: dict[str, Any]) -> Response:
        try:
            return handler(ctx, **args)
        except (ApiError, ControlError) as error:
            return error.response()
        except Exception:
            log.exception("sandbox handler %s failed", handler.__name__)
            return internal_error().response()

    def serve(self, ctx: Ctx, group: str, handler: Handler, route: str,
              args: dict[str, Any]) -> Response:
        """A public request, through the knobs: latency, then for the API authentication,
        scope, rate limit, injected 500s and stalls, and queued malformed responses."""
        knobs, stats = self.sandbox.knobs, self.sandbox.stats
        if knobs.latency_ms:
            time.sleep(knobs.latency_ms / 1000)
        if group != "api":  # OAuth: only a queued fault ("/oauth/token") changes an answer
            return self.with_fault(ctx, route, self.run(ctx, handler, args))
        try:
            self.authenticate(ctx)
            # The scope check sits with authentication, before the rate limit and the
            # faults: like a bad token it is decided by the token alone, so the same request
            # gets the same 403 under any load (a 429 or an injected 500 never hides which
            # scope is missing), a refused call spends no rate budget, and a fault queued
            # for a route stays for the request that reaches the route's handler.
            method = "GET" if ctx.request.method == "HEAD" else ctx.request.method
            needed = scopes.missing(f"{method} {route}", ctx.scopes)
            if needed:
                raise insufficient_scope(needed)
        except ApiError as error:
            return error.response()
        headers: dict[str, str] = {}
        if knobs.rate_limit_per_minute:
            # Per token, or per user (Calendly's way): then a user's tokens share a window,
            # while an early retry is still judged per token, against the reset it was told.
            token = ctx.token or ""
            key = f"user:{ctx.me.uuid}" if knobs.rate_limit_scope == "user" else token
            decision = self.sandbox.limiter.check(key, knobs.rate_limit_per_minute,
                                                  time.monotonic(), retry_key=token,
                                                  length=knobs.rate_limit_window_seconds)
            headers = decision.headers()
            if decision.early_retry:
                stats.bump("early_retries")
            if not decision.allowed:
                stats.bump("rate_limited")
                response = too_many_requests().response()
                response.headers.update(headers)
                return response
            stats.left_remaining(token, decision.remaining)
        if self.sandbox.rng.random() < knobs.error_rate:
            stats.bump("injected_errors")
            return internal_error().response()
        if self.sandbox.rng.random() < knobs.stall_rate:
            stats.bump("stalls")
            time.sleep(knobs.stall_seconds)
        response = self.with_fault(ctx, route, self.run(ctx, handler, args))
        response.headers.update(headers)
        return response

    def authenticate(self, ctx: Ctx) -> None:
        scheme, _, value = (ctx.request.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise unauthenticated()
        token = self.sandbox.tokens.valid_access(value.strip(), ctx.now)
        user = self.sandbox.state.users.get(token.user_uuid) if token else None
        if user is None:
            raise unauthenticated()
        ctx.caller, ctx.token, ctx.scopes = user, value.strip(), token.scopes

    def with_fault(self, ctx: Ctx, route: str, response: Response) -> Response:
        if response.mimetype != "application/json":
            return response
        taken = self.sandbox.faults.take(route, ctx.request.path,
                                         ok=response.status_code == 200)
        if taken is None:
            return response
        kind, fields = taken
        self.sandbox.stats.bump("faults")
        if kind in ERROR_ANSWERS:
            return ERROR_ANSWERS[kind]().response()
        body, mimetype = malformed(kind, response.get_json(), fields)
        return Response(body, status=response.status_code, mimetype=mimetype)


def url_host(host: str) -> str:
    """A host a client can reach: a wildcard bind is reached on loopback."""
    if host in ("", "0.0.0.0"):  # noqa: S104 - comparing, not binding
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def start_server(sandbox: Sandbox, host: str, port: int,
                 public_url: str | None = None) -> BaseWSGIServer:
    """Bind (port 0 picks a free one) and settle the public base URL; the caller serves."""
    server = make_server(host, port, SandboxApp(sandbox), threaded=True)
    # Handler threads are daemons; joining them on close would wait out clients' idle
    # keep-alive connections before a SIGTERM could end the process.
    server.block_on_close = False
    sandbox.base_url = (public_url or f"http://{url_host(host)}:{server.server_port}").rstrip("/")
    return server
