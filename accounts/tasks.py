"""Token upkeep, scheduled by beat so a person never waits for a refresh."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from accounts.models import CalendlyCredential
from accounts.tokens import CredentialTokens, TokenUnavailable

log = logging.getLogger(__name__)

REFRESH_AHEAD = timedelta(minutes=15)


@shared_task(name="accounts.refresh_expiring_tokens", ignore_result=True)
def refresh_expiring_tokens() -> str:
    """Refreshes every active credential whose access token expires within 15 minutes."""
    due = CalendlyCredential.objects.filter(
        state=CalendlyCredential.State.ACTIVE,
        access_expires_at__lte=timezone.now() + REFRESH_AHEAD,
    ).values_list("pk", flat=True)
    refreshed = failed = 0
    for credential_id in due:
        try:
            CredentialTokens(credential_id).access_token(margin=REFRESH_AHEAD)
            refreshed += 1
        except TokenUnavailable as error:
            failed += 1
            log.info("Credential %s not refreshed: %s", credential_id, error)
    return f"refreshed {refreshed}, not refreshed {failed}"
