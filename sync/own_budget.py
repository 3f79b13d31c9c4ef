"""Who reads a member's availability, and so whose rate budget it costs (issue #18).

Calendly's limit is per user. A member who signed in has a budget of their own, and their
own syncs (every ``SYNC_INTERVAL_MINUTES``) already read their schedules, busy times and
event types with their own token; the organization sync reading them again would spend
the admin's budget, which the admin's other integrations share, on data that is fresh. So
the admin's token reads only the members who never signed in, or whose own connection no
longer keeps them fresh: an inactive credential, or no own sync that succeeded lately
(a revoked token, a missing scope), so nobody is left unread.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import CalendlyCredential
from availability.models import Membership, SyncRun

# Own syncs this far apart still count as keeping a member fresh: one missed tick (a busy
# worker, a retry) must not make the admin read everyone who signed in.
FRESH_INTERVALS = 2


def read_by_themselves(organization: str) -> set[str]:
    """URIs of the organization's members whose own connection keeps their data fresh."""
    since = timezone.now() - timedelta(minutes=FRESH_INTERVALS * settings.SYNC_INTERVAL_MINUTES)
    members = Membership.objects.filter(organization__uri=organization).values("user__uri")
    connected = CalendlyCredential.objects.filter(
        state=CalendlyCredential.State.ACTIVE, calendly_user_uri__in=members
    ).values("calendly_user_uri")
    return set(
        SyncRun.objects.filter(
            kind=SyncRun.Kind.USER,
            status=SyncRun.Status.SUCCEEDED,
            finished_at__gte=since,
            subject_uri__in=connected,
        ).values_list("subject_uri", flat=True)
    )
