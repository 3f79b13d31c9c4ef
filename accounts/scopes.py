"""Which OAuth scopes a Calendly connection was granted, beside those the dashboard wants
(``CALENDLY_WANTED_SCOPES``, docs/calendly-app.md), and what each is for.

Since 2026-03-03 a Calendly app has scopes; its token response lists the granted ones
(api-2026.md §1.4). A token of an app made before scopes says ``default`` (or nothing) and
keeps full access, so it counts as granting everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from accounts.models import CalendlyCredential

LEGACY_SCOPE_TEXTS = ("", "default")
# Why the dashboard asks for each scope, as docs/calendly-app.md explains it.
PURPOSE = {
    "users:read": "your profile at sign-in (/users/me) and colleagues' names and time zones",
    "organizations:read": "who is in your organization, the organization's name, its teams",
    "event_types:read": "event types, their hosts, and their available times",
    "availability:read": "schedules, busy times, available times and meeting limits",
    "scheduled_events:read": "the names of booked meetings behind busy times",
    "groups:read": "groups, to filter the team pages by group",
    "webhooks:write": "webhook subscriptions, so bookings show at once instead of at the "
    "next poll (includes webhooks:read)",
}


def granted(credential: CalendlyCredential) -> frozenset[str] | None:
    """The scopes the connection's token carries; None for a legacy (full-access) token."""
    text = (credential.scope or "").strip()
    if text in LEGACY_SCOPE_TEXTS:
        return None
    return frozenset(text.replace(",", " ").split())


def is_legacy(credential: CalendlyCredential) -> bool:
    return granted(credential) is None


def has_scope(credential: CalendlyCredential, name: str) -> bool:
    """Whether the connection may do what ``name`` allows: a ``:write`` scope includes its
    domain's ``:read`` (api-2026.md §1.1); a legacy token may do anything."""
    scopes = granted(credential)
    if scopes is None:
        return True
    return name in scopes or (name.endswith(":read") and name[:-5] + ":write" in scopes)


@dataclass(frozen=True)
class WantedScope:
    name: str
    purpose: str
    granted: bool


def wanted_scopes(credential: CalendlyCredential) -> list[WantedScope]:
    """Each scope the dashboard wants, what for, and whether this connection has it."""
    return [
        WantedScope(name, PURPOSE.get(name, ""), has_scope(credential, name))
        for name in settings.CALENDLY_WANTED_SCOPES
    ]


def extra_scopes(credential: CalendlyCredential) -> list[str]:
    """Granted scopes the dashboard does not ask for (least privilege: untick them)."""
    wanted = set(settings.CALENDLY_WANTED_SCOPES)
    wanted |= {name.replace(":write", ":read") for name in wanted if name.endswith(":write")}
    return sorted((granted(credential) or frozenset()) - wanted)
