"""Typed errors of the Calendly API, carrying its own ``title``, ``message`` and ``details``.

What each means for a sync (https://developer.calendly.com/api-docs, "Errors"):
400 is our bug or bad input (never retried); 401 survives one refresh only;
403 is a permission to remember and show; 424 is the user's external calendar,
not Calendly, being unreachable; 429/5xx/timeouts are retried by the transport
and only surface here once its bounded attempts are spent.
"""

from __future__ import annotations

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
    return cls(
        str(body.get("message") or f"HTTP {status}"),
        status=status,
        title=str(body.get("title") or ""),
        details=details if isinstance(details, list) else None,
        url=url,
        retry_after=retry_after,
    )
