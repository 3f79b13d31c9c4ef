"""The organization's name (GET /organizations/{uuid}, Calendly since 2025-03-08), which
the pages show instead of its URI.

An organization sync reads it every run: one request beside hundreds. A user sync reads it
only when nobody asked Calendly for a day (``MAX_AGE``): a name rarely changes and an
admin's organization syncs keep it fresh, while every request costs the user's rate budget
(500 a minute, 50 on Free) and a plain member may be refused (unconfirmed for Calendly; the
sandbox refuses them), so asking on each of their syncs would spend a request and name the
same refusal every time. The name is the same whoever reads it, so one read serves everyone.

A refusal, a missing name or an odd answer is a named problem of the run, never a failed
run; the name known before stays, and pages say "your organization" while there is none.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from django.utils import timezone

from availability.models import Organization
from calendly import CalendlyClient
from calendly.errors import ServerError, Unavailable, UnexpectedResponse
from calendly.resources import Organization as OrganizationRecord
from sync.parallel import SUBJECT_ERRORS, Job

MAX_AGE = timedelta(days=1)
FALLBACK = "pages say “your organization”"


def problem_key(organization: str) -> str:
    """The run's problem of the name, apart from those of the organization's listings."""
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


def _read(client: CalendlyClient, organization: str) -> OrganizationRecord:
    try:
        found = client.organization(organization)
    except (ServerError, Unavailable) as error:
        # Still failing after the transport's retries: a name is not worth failing the run.
        raise UnexpectedResponse(_unread(str(error)), url=organization) from error
    except SUBJECT_ERRORS as error:
        # The same error (a missing scope stays one), saying what it was about.
        error.message = _unread(error.message)
        raise
    if found.uri != organization:
        raise UnexpectedResponse(
            f"Calendly answered for another organization ({found.uri[:200]}); {FALLBACK}",
            title="Odd organization",
        )
    if not found.name:
        raise UnexpectedResponse(
            f"Calendly gives no name for the organization; {FALLBACK}", title="No name"
        )
    return found


def _unread(why: str) -> str:
    return f"could not read the organization's name ({why}); {FALLBACK}"


def _write(organization: str, found: OrganizationRecord) -> int:
    name = found.name[: Organization._meta.get_field("name").max_length]
    return Organization.objects.filter(uri=organization).update(
        name=name, name_asked_at=timezone.now()
    )


def note_unanswered(organization: str | None, problems: dict) -> None:
    """Remembers that Calendly was asked when it did not give the name, so user syncs do
    not ask again before ``MAX_AGE``; the name known before stays."""
    if organization and problem_key(organization) in problems:
        Organization.objects.filter(uri=organization).update(name_asked_at=timezone.now())
