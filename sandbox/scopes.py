"""Which OAuth scopes each API route needs, as Calendly has enforced them since 2026-03-03
(api-2026.md §1.2). A route lists the scopes of which any one suffices; a ``:write`` scope
also grants the ``:read`` scope of its domain (§1.1). Routes are written as the spec writes
them (``server.route_template``); a route missing here needs no scope.

Where Calendly's pages disagree (§1.3: available times under ``availability:read`` on its
reference page, ``event_types:read`` in the scope catalog) either is accepted.
"""

from __future__ import annotations

import re

SCOPE_NAME = re.compile(r"^[a-z_]+:(read|write)$")

REQUIRED: dict[str, tuple[str, ...]] = {
    "GET /users/me": ("users:read",),
    "GET /users/{uuid}": ("users:read",),
    "GET /organizations/{uuid}": ("organizations:read",),
    "GET /organization_memberships": ("organizations:read",),
    "GET /organization_memberships/{uuid}": ("organizations:read",),
    "GET /teams": ("organizations:read",),
    "GET /teams/{uuid}": ("organizations:read",),
    "GET /groups": ("groups:read",),
    "GET /groups/{uuid}": ("groups:read",),
    "GET /group_relationships": ("groups:read",),
    "GET /group_relationships/{uuid}": ("groups:read",),
    "GET /event_types": ("event_types:read",),
    "GET /event_types/{uuid}": ("event_types:read",),
    "GET /event_type_memberships": ("event_types:read",),
    "GET /event_type_available_times": ("availability:read", "event_types:read"),
    "GET /event_type_availability_schedules": ("availability:read",),
    "GET /user_availability_schedules": ("availability:read",),
    "GET /user_availability_schedules/{uuid}": ("availability:read",),
    "GET /user_busy_times": ("availability:read",),
    "GET /user_meeting_limits": ("availability:read",),
    "GET /scheduled_events": ("scheduled_events:read",),
    "GET /scheduled_events/{uuid}": ("scheduled_events:read",),
    "GET /scheduled_events/{uuid}/invitees": ("scheduled_events:read",),
    "GET /scheduled_events/{event_uuid}/invitees/{invitee_uuid}": ("scheduled_events:read",),
    "POST /webhook_subscriptions": ("webhooks:write",),
    "GET /webhook_subscriptions": ("webhooks:read",),
    "GET /webhook_subscriptions/{webhook_uuid}": ("webhooks:read",),
    "DELETE /webhook_subscriptions/{webhook_uuid}": ("webhooks:write",),
}

# Every scope a route above names: what a "full" sandbox client is granted.
ALL_SCOPES: tuple[str, ...] = tuple(sorted({s for scopes in REQUIRED.values() for s in scopes}))


def granted_by(scopes: frozenset[str] | set[str]) -> set[str]:
    """The scopes a grant amounts to: each ``:write`` brings its domain's ``:read``."""
    return set(scopes) | {s.replace(":write", ":read") for s in scopes if s.endswith(":write")}


def missing(route: str, scopes: frozenset[str] | set[str] | None) -> tuple[str, ...]:
    """The scopes to ask for when a token with ``scopes`` calls ``route`` ("GET /users/me"),
    or () when it may. ``None`` is a legacy client, made before scopes: it may call anything."""
    needed = REQUIRED.get(route, ())
    if scopes is None or not needed or granted_by(scopes) & set(needed):
        return ()
    return needed


# What a client's flag or control body says for an app made before scopes.
LEGACY = "legacy"


def parse_grant(value: str | list[str] | tuple[str, ...] | None) -> frozenset[str] | None:
    """A client's granted scopes from a flag or a control body: space- or comma-separated
    names, or a list of them. ``None`` or "legacy" is a legacy client; "" grants nothing,
    as a new app whose scopes were never ticked (§1.1). Raises ValueError on a bad name."""
    if value is None or value == LEGACY:
        return None
    names = value.replace(",", " ").split() if isinstance(value, str) else value
    if not all(isinstance(name, str) for name in names):
        raise ValueError("scopes must be names such as users:read")
    bad = [name for name in names if not SCOPE_NAME.match(name)]
    if bad:
        raise ValueError(f"not a scope name: {', '.join(bad)} (expected e.g. users:read)")
    return frozenset(names)


def scope_text(scopes: frozenset[str] | None) -> str:
    """The token response's ``scope``: the granted names space-separated (§1.4); a legacy
    grant keeps the literal ``default`` of Calendly's 2024 answers."""
    return "default" if scopes is None else " ".join(sorted(scopes))
