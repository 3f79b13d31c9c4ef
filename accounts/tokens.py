"""The only way to get a usable Calendly access token for a credential.

Refresh tokens are single-use: if two processes refreshed the same one, the second
would be refused and the user's connection lost. So a refresh happens inside a
transaction that locks the credential's row (SELECT ... FOR UPDATE on PostgreSQL;
on SQLite every transaction begins IMMEDIATE, which takes the database's write lock,
see config/settings/base.py). Whoever gets the lock second finds a fresh token and uses it.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import CalendlyCredential
from calendly import oauth, ratebudget
from calendly.errors import RateLimited

log = logging.getLogger(__name__)

# Refresh when less than this is left, so a token never expires mid-request.
REFRESH_MARGIN = timedelta(minutes=5)
# After a transient failure, the next refresh attempt waits this long.
RETRY_AFTER_TRANSIENT = timedelta(seconds=30)


class TokenUnavailable(Exception):
    """No usable access token right now."""


class NeedsReconnect(TokenUnavailable):
    """Calendly refused the refresh (or the user disconnected): the user must sign in again."""


class RefreshDeferred(TokenUnavailable):
    """Calendly's token service failed transiently; the refresh token is intact, try later."""


class CredentialTokens:
    """Access tokens for one credential, refreshed single-flight when they near expiry."""

    def __init__(self, credential_id: int) -> None:
        self.credential_id = credential_id

    @property
    def budget_key(self) -> str:
        """A stable, non-secret key per Calendly user, for the shared rate budget."""
        return CalendlyCredential.objects.values_list("calendly_user_uri", flat=True).get(
            pk=self.credential_id
        )

    def access_token(self, margin: timedelta = REFRESH_MARGIN) -> str:
        credential = self._load()
        if not credential.expires_within(margin):
            return credential.access_token
        return self._refresh(stale_token=credential.access_token, margin=margin)

    def after_unauthorized(self, rejected_token: str) -> str:
        """Called once after Calendly answered 401 to `rejected_token`."""
        return self._refresh(stale_token=rejected_token, margin=None)

    def _load(self) -> CalendlyCredential:
        try:
            credential = CalendlyCredential.objects.get(pk=self.credential_id)
        except CalendlyCredential.DoesNotExist:
            raise NeedsReconnect("Calendly is not connected") from None
        if not credential.is_active:
            raise NeedsReconnect(credential.state_reason or "Calendly needs reconnecting")
        return credential

    def _refresh(self, stale_token: str, margin: timedelta | None) -> str:
        with transaction.atomic():
            credential = CalendlyCredential.objects.select_for_update().get(pk=self.credential_id)
            fresh = self._usable_without_refresh(credential, stale_token, margin)
            if fresh is not None:
                return fresh
            outcome = self._call_token_service(credential)
            credential.save()
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def _usable_without_refresh(
        self, credential: CalendlyCredential, stale_token: str, margin: timedelta | None
    ) -> str | None:
        if not credential.is_active:
            raise NeedsReconnect(credential.state_reason or "Calendly needs reconnecting")
        refreshed_meanwhile = credential.access_token != stale_token
        if refreshed_meanwhile and not credential.expires_within(margin or timedelta(0)):
            return credential.access_token
        if margin is not None and not credential.expires_within(margin):
            return credential.access_token
        if credential.refresh_retry_after and credential.refresh_retry_after > timezone.now():
            raise RefreshDeferred("Calendly's token service failed a moment ago; retrying soon")
        return None

    def _call_token_service(self, credential: CalendlyCredential) -> str | Exception:
        """Refreshes and updates `credential` in memory; returns the token or the error to raise."""
        deferred = _past_token_budget(credential)
        if deferred is not None:
            return deferred
        try:
            grant = oauth.refresh(credential.refresh_token)
        except oauth.TokenRefused as refused:
            credential.state = CalendlyCredential.State.NEEDS_RECONNECT
            credential.state_reason = f"Calendly refused to renew access ({refused})."
            log.info("Credential %s needs reconnecting: refresh refused", credential.pk)
            return NeedsReconnect(credential.state_reason)
        except oauth.TokenServiceUnavailable as unavailable:
            credential.refresh_retry_after = timezone.now() + RETRY_AFTER_TRANSIENT
            log.warning("Refresh of credential %s deferred: %s", credential.pk, unavailable)
            return RefreshDeferred(str(unavailable))
        credential.access_token = grant.access_token
        credential.refresh_token = grant.refresh_token
        credential.access_expires_at = grant.expires_at
        credential.scope = grant.scope or credential.scope
        credential.last_refreshed_at = timezone.now()
        credential.refresh_retry_after = None
        return grant.access_token


def _past_token_budget(credential: CalendlyCredential) -> RefreshDeferred | None:
    """A refresh past our part of the user's 8 token requests a minute is deferred, like one
    the token service failed (Calendly would answer 429), and never waits: the credential's
    row is locked. Its refresh token stays intact. A budget store that cannot answer lets
    the refresh go: single-flight, it is one request per token's life."""
    key = ratebudget.token_key(credential.calendly_user_uri)
    try:
        ratebudget.token_budget().acquire(key, max_wait=0)
    except RateLimited as limited:
        wait = max(1.0, limited.retry_after or 1.0)
        credential.refresh_retry_after = timezone.now() + timedelta(seconds=wait)
        log.warning("Refresh of credential %s deferred %.0f s: token budget spent",
                    credential.pk, wait)
        return RefreshDeferred(f"Calendly's token requests for this user are spent; "
                               f"renewing in {wait:.0f} s")
    except Exception as error:  # noqa: BLE001 - Redis restarting must not stop a refresh
        log.warning("Token budget not checked (%s): refreshing anyway", type(error).__name__)
    return None


def mark_needs_reconnect(credential_id: int, reason: str) -> None:
    """Calendly rejected a freshly refreshed token (revoked on Calendly's side)."""
    CalendlyCredential.objects.filter(pk=credential_id).update(
        state=CalendlyCredential.State.NEEDS_RECONNECT,
        state_reason=reason,
        updated_at=timezone.now(),
    )
