"""The Calendly API client: the one place in the project that speaks HTTP to Calendly.

- ``client``: ``CalendlyClient``, one method per endpoint, collections as iterators;
- ``transport``: host check, bearer token, rate budget, bounded retries, call counts;
- ``resources``: typed records parsed from Calendly's JSON;
- ``errors``: ``CalendlyError`` and its subclasses, one per meaning.
"""

from availability.calendly.client import CalendlyClient, api_time
from availability.calendly.errors import (
    BadRequest,
    CalendlyError,
    Conflict,
    ExternalCalendarError,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    Unauthorized,
    Unavailable,
    UnexpectedResponse,
    UntrustedURL,
)
from availability.calendly.resources import (
    AvailabilitySchedule,
    AvailableTime,
    BusyTime,
    EventType,
    MalformedResource,
    Membership,
    User,
    WebhookSubscription,
)
from availability.calendly.transport import CallStats, RetryPolicy, StaticTokenSource, TokenSource

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
