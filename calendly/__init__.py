"""Calendly: the one package in the project that speaks HTTP to Calendly.

- ``client``: ``CalendlyClient``, one method per API v2 endpoint, collections as iterators;
- ``transport``: host check, bearer token, rate budget, bounded retries, call counts;
- ``ratebudget``: the per-user request budget every thread and worker shares;
- ``oauth``: the OAuth host: the sign-in's code exchange, token refresh and revocation;
- ``resources``: typed records parsed from Calendly's JSON;
- ``errors``: ``CalendlyError`` and its subclasses, one per meaning.

Calendly's URL shapes live here and in settings (the two base URLs) only.
"""

from calendly.client import CalendlyClient, api_time
from calendly.errors import (
    BadRequest,
    CalendlyError,
    Conflict,
    ExternalCalendarError,
    InsufficientScope,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    Unauthorized,
    Unavailable,
    UnexpectedResponse,
    UntrustedURL,
)
from calendly.resources import (
    AvailabilitySchedule,
    AvailableTime,
    BusyTime,
    EventType,
    MalformedResource,
    Membership,
    User,
    WebhookSubscription,
)
from calendly.transport import CallStats, RetryPolicy, StaticTokenSource, TokenSource

__all__ = [
    "AvailabilitySchedule",
    "AvailableTime",
    "BadRequest",
    "BusyTime",
    "CalendlyClient",
    "CalendlyError",
    "CallStats",
    "Conflict",
    "EventType",
    "ExternalCalendarError",
    "MalformedResource",
    "Membership",
    "InsufficientScope",
    "NotFound",
    "PermissionDenied",
    "RateLimited",
    "RetryPolicy",
    "ServerError",
    "StaticTokenSource",
    "TokenSource",
    "Unauthorized",
    "Unavailable",
    "UnexpectedResponse",
    "UntrustedURL",
    "User",
    "WebhookSubscription",
    "api_time",
]
