"""Typed errors of the Calendly API, carrying its own ``title``, ``message`` and ``details``.

What each means for a sync (https://developer.calendly.com/api-docs, "Errors"):
400 is our bug or bad input (never retried); 401 survives one refresh only;
403 is a permission to remember and show; 424 is the user's external calendar,
not Calendly, being unreachable; 429/5xx/timeouts are retried by the transport
and only surface here once its bounded attempts are spent.
"""

from __future__ import annotations

import re
from typing import Any


class CalendlyError(Exception):
    """A Calendly request that did not succeed; ``str()`` is safe to show and to store."""

    status: int | None = None

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        title: str = "",
        details: list[dict[str, Any]] | None = None,
        url: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status if status is not None else type(self).status
        self.title = title
        self.details = details or []
        self.url = url
        self.retry_after = retry_after

    def __str__(self) -> str:
        head = " ".join(str(part) for part in (self.status, self.title) if part)
        text = f"{head}: {self.message}" if head else self.message
        notes = "; ".join(_detail_text(d) for d in self.details if isinstance(d, dict))
        return f"{text} ({notes})" if notes else text


def _detail_text(detail: dict[str, Any]) -> str:
    parameter = detail.get("parameter")
    message = detail.get("message", "")
    return f"{parameter}: {message}" if parameter else str(message)


class BadRequest(CalendlyError):
    status = 400


class Unauthorized(CalendlyError):
    status = 401


class PermissionDenied(CalendlyError):
    status = 403


class InsufficientScope(PermissionDenied):
    """403 "Insufficient scope": the app's OAuth grant lacks a scope the call needs (since
    2026-03-03). ``required_scopes`` are the names Calendly listed, any one of which would
    do; enabling one in the app's settings takes a new sign-in to reach the token. A
    subclass of ``PermissionDenied``, so code that only knows 403s still treats it as one."""

    def __init__(self, message: str, *, required_scopes: list[str], **fields: Any) -> None:
        super().__init__(message, **fields)
        self.required_scopes = list(required_scopes)

    def __str__(self) -> str:
        return f"{super().__str__()} (required scopes: {', '.join(self.required_scopes)})"


class NotFound(CalendlyError):
    status = 404


class ExternalCalendarError(CalendlyError):
    status = 424


class RateLimited(CalendlyError):
    status = 429


class ServerError(CalendlyError):
    """5xx, still failing after the transport's bounded retries."""


class Unavailable(CalendlyError):
    """Timeouts and connection failures, still failing after bounded retries."""


class UnexpectedResponse(CalendlyError):
    """A status or body this client has no meaning for (3xx, 405, 409, HTML...)."""


class Conflict(UnexpectedResponse):
    """409: the resource already exists (a webhook subscription for the same URL)."""

    status = 409


class UntrustedURL(CalendlyError):
    """A URL outside the configured API base: the bearer token is never sent there."""


BY_STATUS: dict[int, type[CalendlyError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    424: ExternalCalendarError,
    429: RateLimited,
}


def error_for(status: int, body: Any, url: str, retry_after: float | None = None) -> CalendlyError:
    """The typed error for a response; tolerant of bodies that are not Calendly's JSON."""
    body = body if isinstance(body, dict) else {}
    cls = BY_STATUS.get(status) or (ServerError if status >= 500 else UnexpectedResponse)
    details = body.get("details")
    fields: dict[str, Any] = {
        "status": status,
        "title": str(body.get("title") or ""),
        "details": details if isinstance(details, list) else None,
        "url": url,
        "retry_after": retry_after,
    }
    message = str(body.get("message") or f"HTTP {status}")
    scopes = required_scopes(status, body)
    if scopes is not None:
        return InsufficientScope(message, required_scopes=scopes, **fields)
    return cls(message, **fields)


SCOPE_NAME = re.compile(r"^[a-z_]+:(read|write)$")


def required_scopes(status: int, body: dict[str, Any]) -> list[str] | None:
    """The scope names of a well-formed "Insufficient scope" 403 (api-2026.md §1.5: title,
    message and a non-empty ``required_scopes`` of ``domain:read|write`` names), else None:
    anything less stays a plain permission error rather than a guess at what to enable."""
    scopes = body.get("required_scopes")
    if status != 403 or body.get("title") != "Insufficient scope":
        return None
    if not isinstance(body.get("message"), str) or not isinstance(scopes, list) or not scopes:
        return None
    if not all(isinstance(name, str) and SCOPE_NAME.match(name) for name in scopes):
        return None
    return scopes
