"""One short method per Calendly endpoint this product uses (API v2; GET, and POST/DELETE
for webhook subscriptions).

Reference: https://developer.calendly.com/api-docs (a copy lives in the team's
shared folder). Calendly's conventions hold throughout: every reference is a
URI, a resource is fetched by its URI, and a collection is read by following
``pagination.next_page`` until it is null, each page exactly once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar

from calendly import org_structure as structure
from calendly import resources as r
from calendly.errors import UnexpectedResponse
from calendly.resources import MalformedResource
from calendly.transport import Budget, CallStats, RetryPolicy, TokenSource, Transport

PAGE_SIZE = 100  # Calendly's maximum: fewest requests per collection.

T = TypeVar("T")
# A start time, or a function giving it: Calendly wants starts in the future, and a request
# may wait a minute for the rate budget between being made and being sent.
Moment = datetime | Callable[[], datetime]


def api_time(moment: datetime) -> str:
    """The instant as Calendly writes it: UTC with microseconds and a Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class CalendlyClient:
    """Calendly as seen by one token; thread-safe, so a run's threads can share it."""

    def __init__(
        self,
        tokens: TokenSource,
        *,
        budget: Budget | None = None,
        base_url: str | None = None,
        stats: CallStats | None = None,
        policy: RetryPolicy | None = None,
        timeout: tuple[float, float] | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        if budget is None:
            from calendly.ratebudget import default_budget

            budget = default_budget()
        extra = {"sleep": sleep} if sleep else {}
        self.transport = Transport(
            tokens, budget, base_url=base_url, stats=stats, policy=policy, timeout=timeout, **extra
        )

    @property
    def stats(self) -> CallStats:
        return self.transport.stats

    # --- Conventions ------------------------------------------------------------------

    def get(self, path_or_uri: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.transport.get_json(path_or_uri, params)

    def post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self.transport.request_json("POST", path, payload=payload)

    def delete(self, uri: str) -> None:
        self.transport.request_json("DELETE", uri)

    def resource(self, uri: str) -> dict[str, Any]:
        body = self.get(uri)
        if not isinstance(body.get("resource"), dict):
            raise UnexpectedResponse("Calendly answered without a resource", url=uri)
        return body["resource"]

    def pages(self, path: str, params: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
        """Each page's items, following ``next_page``; a page already read ends the walk."""
        seen: set[str] = set()
        url: str | None = path
        query: dict[str, Any] | None = params
        while url:
            body = self.get(url, query)
            items = body.get("collection")
            if not isinstance(items, list):
                raise UnexpectedResponse("Calendly answered without a collection", url=url)
            yield [item for item in items if isinstance(item, dict)]
            seen.add(url)
            pagination = body.get("pagination") or {}
            url = pagination.get("next_page") if isinstance(pagination, dict) else None
            query = None  # next_page carries the whole query.
            if url in seen:
                raise UnexpectedResponse("Calendly's next_page points back to a read page", url=url)

    def collection(
        self, path: str, params: dict[str, Any], parse: Callable[[dict[str, Any]], T]
    ) -> Iterator[T]:
        """Every record, or ``MalformedResource`` at the first that cannot be read: for
        listings that replace what is stored (busy times, schedules, slots), where a record
        left out would show its time as free, or take a bookable slot away."""
        for page in self.pages(path, params):
            yield from map(parse, page)

    def listing(
        self, path: str, params: dict[str, Any], parse: Callable[[dict[str, Any]], T]
    ) -> Listing[T]:
        """Every record that can be read; the others are skipped and named in ``rejected``
        (and the client's stats), so one bad record does not cost the rest of the list."""
        return Listing(self.pages(path, params), parse, path, self.stats)

    # --- Endpoints ----------------------------------------------------------------------

    def current_user(self) -> r.User:
        """GET /users/me"""
        return r.parse_user(self.resource("/users/me"))

    def user(self, uri: str) -> r.User:
        """GET /users/{uuid}, by the user's URI."""
        return r.parse_user(self.resource(uri))

    def meeting_limits(self, user: str) -> r.MeetingLimits:
        """GET /user_meeting_limits?user=...: only the token's own user may read theirs."""
        body = self.get("/user_meeting_limits", {"user": user})
        return r.parse_meeting_limits(body)

    def memberships(
        self, *, organization: str | None = None, user: str | None = None
    ) -> Iterator[r.Membership]:
        """GET /organization_memberships, filtered by organization and/or user."""
        params = _filters(organization=organization, user=user)
        return self.listing("/organization_memberships", params, r.parse_membership)

    def organization(self, uri: str) -> r.Organization:
        """GET /organizations/{uuid}, by the organization's URI (its name; Calendly may
        refuse a plain member)."""
        return r.parse_organization(self.resource(uri))

    def event_type_memberships(self, event_type: str) -> Listing[r.EventTypeMembership]:
        """GET /event_type_memberships?event_type=...: who hosts the event type, every page."""
        params = {"event_type": event_type, "count": PAGE_SIZE}
        return self.listing("/event_type_memberships", params, r.parse_event_type_membership)

    def groups(self, organization: str) -> Listing[structure.Group]:
        """GET /groups?organization=...: the organization's groups, every page."""
        params = {"organization": organization, "count": PAGE_SIZE}
        return self.listing("/groups", params, structure.parse_group)

    def group_relationships(self, organization: str) -> Listing[structure.GroupRelationship]:
        """GET /group_relationships?organization=...: who is in which group, every page."""
        params = {"organization": organization, "count": PAGE_SIZE}
        return self.listing("/group_relationships", params, structure.parse_group_relationship)

    def teams(self, user: str | None = None) -> Listing[structure.Team]:
        """GET /teams: the token's organization's teams, or only ``user``'s (Calendly lists
        no team's members, so membership is read one person at a time)."""
        params = {"count": PAGE_SIZE, **({"user": user} if user else {})}
        return self.listing("/teams", params, structure.parse_team)

    def event_types(
        self, *, organization: str | None = None, user: str | None = None
    ) -> Iterator[r.EventType]:
        """GET /event_types: active and inactive ones, of an organization or a user."""
        params = _filters(organization=organization, user=user)
        return self.listing("/event_types", params, r.parse_event_type)

    def availability_schedules(self, user: str) -> list[r.AvailabilitySchedule]:
        """GET /user_availability_schedules?user=..."""
        params = {"user": user}
        return list(self.collection("/user_availability_schedules", params, r.parse_schedule))

    def busy_times(self, user: str, start: Moment, end: datetime) -> list[r.BusyTime]:
        """GET /user_busy_times: Calendly and external events in [start, end), at most 7 days."""
        params = {"user": user, **_span(start, end)}
        return list(self.collection("/user_busy_times", params, r.parse_busy_time))

    def scheduled_events(
        self,
        *,
        min_start: datetime,
        max_start: datetime,
        organization: str | None = None,
        user: str | None = None,
    ) -> Iterator[r.ScheduledEvent]:
        """GET /scheduled_events: active events starting in [min_start, max_start), of an
        organization (owners and admins only) or of the token's own user."""
        params = _filters(organization=organization, user=user) | {
            "min_start_time": api_time(min_start),
            "max_start_time": api_time(max_start),
            "status": "active",
        }
        return self.listing("/scheduled_events", params, r.parse_scheduled_event)

    def available_times(
        self, event_type: str, start: Moment, end: datetime
    ) -> list[r.AvailableTime]:
        """GET /event_type_available_times: open slots of an event type in [start, end)."""
        params = {"event_type": event_type, **_span(start, end)}
        return list(self.collection("/event_type_available_times", params, r.parse_available_time))

    # --- Webhook subscriptions (https://developer.calendly.com/api-docs, "Webhooks") -----

    def webhook_subscriptions(
        self, *, organization: str, scope: str, user: str | None = None
    ) -> Iterator[r.WebhookSubscription]:
        """GET /webhook_subscriptions: of an organization (scope organization) or a user."""
        params = _webhook_filters(organization, scope, user)
        return self.listing("/webhook_subscriptions", params, r.parse_webhook_subscription)

    def create_webhook_subscription(
        self,
        *,
        url: str,
        events: list[str],
        organization: str,
        scope: str,
        signing_key: str,
        user: str | None = None,
    ) -> r.WebhookSubscription:
        """POST /webhook_subscriptions; 409 ``Conflict`` when one exists for the URL."""
        payload = {
            "url": url,
            "events": events,
            "organization": organization,
            "scope": scope,
            "signing_key": signing_key,
        } | ({"user": user} if user else {})
        body = self.post("/webhook_subscriptions", payload)
        if not isinstance(body.get("resource"), dict):
            raise UnexpectedResponse("Calendly answered without a resource", url=url)
        return r.parse_webhook_subscription(body["resource"])

    def delete_webhook_subscription(self, uri: str) -> None:
        """DELETE /webhook_subscriptions/{uuid}, by the subscription's URI."""
        self.delete(uri)


class Listing(Iterator[T]):
    """A listing as it is read, page by page: the records that parse, and the names of
    those skipped (``rejected``, filled as the walk goes). A caller that prunes what the
    listing no longer names must not when ``rejected`` is not empty."""

    def __init__(
        self,
        pages: Iterator[list[dict[str, Any]]],
        parse: Callable[[dict[str, Any]], T],
        path: str,
        stats: CallStats,
    ) -> None:
        self.rejected: list[str] = []
        self._records = self._walk(pages, parse, path, stats)

    def __next__(self) -> T:
        return next(self._records)

    def _walk(self, pages, parse, path: str, stats: CallStats) -> Iterator[T]:
        for page in pages:
            for record in page:
                try:
                    yield parse(record)
                except MalformedResource as error:
                    name = f"{path} {_record_name(record)}: {error.message}"
                    self.rejected.append(name)
                    stats.reject(name)


def _record_name(record: dict[str, Any]) -> str:
    uri = record.get("uri")
    return uri[:200] if isinstance(uri, str) and uri else "(a record without a uri)"


def _filters(**filters: str | None) -> dict[str, Any]:
    if not any(filters.values()):
        raise ValueError("Calendly needs an organization or a user to list this collection")
    return {"count": PAGE_SIZE, **{key: value for key, value in filters.items() if value}}


def _span(start: Moment, end: datetime) -> dict[str, Any]:
    if callable(start):  # worked out as the request leaves, after any wait for the budget
        return {"start_time": lambda: api_time(start()), "end_time": api_time(end)}
    return {"start_time": api_time(start), "end_time": api_time(end)}


def _webhook_filters(organization: str, scope: str, user: str | None) -> dict[str, Any]:
    params = {"organization": organization, "scope": scope, "count": PAGE_SIZE}
    return params | ({"user": user} if user else {})
