"""The organization's name (GET /organizations/{uuid}, Calendly since 2025-03-08), which
the pages show instead of its URI.

An organization sync reads it every run: one request beside hundreds. A user sync reads it
only when nobody asked Calendly for a day (``MAX_AGE``): a name rarely changes and an
admin's organization syncs keep it fresh, while every request costs the user's rate budget
(500 a minute, 50 on Free) and a plain member may be refused (unconfirmed for Calendly; the
sandbox refuses them), so asking on each of their syncs would spend a request and meet the
same refusal every time. The name is the same whoever reads it, so one read serves everyone.

A refusal, a missing name or an odd answer is the organization's named problem
(``Organization.name_problem``), never a failed run, nor a partly done one: the run's data
is whole, and a plain member would otherwise see "some of your data could not be synced"
for a name their role may not read. The name known before stays; pages say "your
organization" while there is none. A missing scope is the exception: it stays a problem
of the run, which then says which scope to enable (``sync.scopes`` on the scopes branch).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from django.utils import timezone

from availability.models import Organization
from calendly import CalendlyClient
from calendly.errors import CalendlyError, ServerError, Unavailable
from calendly.resources import Organization as OrganizationRecord
from sync.parallel import SUBJECT_ERRORS, Job

log = logging.getLogger(__name__)
MAX_AGE = timedelta(days=1)
FALLBACK = "pages say “your organization”"


def problem_key(organization: str) -> str:
    """The run's problem of the name (a missing scope), apart from the listings' problems."""
    return f"{organization}#name"


def is_due(organization: str | None) -> bool:
    """For a user sync: no one asked Calendly for the name within ``MAX_AGE``."""
    if not organization:
        return False
    asked = Organization.objects.filter(uri=organization).values_list("name_asked_at", flat=True)
    last = asked.first()
    return last is None or timezone.now() - last >= MAX_AGE


def job(client: CalendlyClient, organization: str) -> Job:
    return Job(
        problem_key(organization),
        partial(_read, client, organization),
        partial(_write, organization),
    )


def _read(client: CalendlyClient, organization: str) -> OrganizationRecord | str:
    """The organization's record, or why there is no name (a problem in words)."""
    try:
        found = client.organization(organization)
    except (*SUBJECT_ERRORS, ServerError, Unavailable) as error:
        if getattr(error, "required_scopes", None):  # a missing scope: the run names it
            error.message = _unread(error.message)
            raise
        return _unread(str(error))
    if found.uri != organization:
        return f"Calendly answered for another organization ({found.uri[:200]}); {FALLBACK}"
    if not found.name:
        return f"Calendly gives no name for the organization; {FALLBACK}"
    return found


def _unread(why: str) -> str:
    return f"could not read the organization's name ({why}); {FALLBACK}"


def _write(organization: str, found: OrganizationRecord | str) -> int:
    if isinstance(found, str):
        log.info("Organization %s: %s", organization, found)
        return _note(organization, found)
    name = found.name[: Organization._meta.get_field("name").max_length]
    return Organization.objects.filter(uri=organization).update(
        name=name, name_problem="", name_asked_at=timezone.now()
    )


def _note(organization: str, problem: str) -> int:
    """Calendly was asked and gave no name: said why, and not asked again by user syncs
    before ``MAX_AGE``; the name known before stays."""
    limit = Organization._meta.get_field("name_problem").max_length
    return Organization.objects.filter(uri=organization).update(
        name_problem=problem[:limit], name_asked_at=timezone.now()
    )


def note_unanswered(organization: str | None, problems: dict) -> None:
    """The run's problem of the name (a missing scope), noted on the organization too."""
    error = problems.get(problem_key(organization)) if organization else None
    if isinstance(error, CalendlyError):
        _note(organization, str(error))
