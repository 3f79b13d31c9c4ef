"""Every route of the URL configuration, so the hardening tests cover what is there, not what
someone remembered to list."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

# The Django admin is for the operator (staff accounts made with createsuperuser, its own
# login page and CSRF); it is not a tenant-facing view of this product.
SKIPPED_PREFIXES = ("admin/",)


@dataclass(frozen=True)
class Route:
    key: str  # the URL name (with namespace), or the pattern of an unnamed route
    pattern: str
    view: str
    callback: Callable = field(compare=False, repr=False)

    @property
    def ours(self) -> bool:
        """A view of this project (not allauth's nor Django's)."""
        return not self.view.startswith(("allauth.", "django."))


def _walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            key = f"{namespace}{entry.name}" if entry.name else pattern
            yield Route(key, pattern, entry.lookup_str, entry.callback)


def all_routes() -> list[Route]:
    """Every route but the admin's; a name reached by two patterns appears once per pattern."""
    return [
        r for r in _walk(get_resolver().url_patterns) if not r.pattern.startswith(SKIPPED_PREFIXES)
    ]
