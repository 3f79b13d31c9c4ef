from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.fields import EncryptedTextField


class CalendlyCredential(models.Model):
    """The one place a user's Calendly tokens live, encrypted; read them through accounts.tokens."""

    class State(models.TextChoices):
        ACTIVE = "active", "Connected"
        NEEDS_RECONNECT = "needs_reconnect", "Needs reconnecting"
        REVOKED = "revoked", "Revoked"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendly_credentials"
    )
    calendly_user_uri = models.URLField(max_length=500, unique=True)
    organization_uri = models.URLField(max_length=500, blank=True)
    access_token = EncryptedTextField()
    refresh_token = EncryptedTextField()
    access_expires_at = models.DateTimeField()
    # The token response's `scope`: the granted scopes, space-separated; "default" or ""
    # for an app made before scopes (accounts.scopes).
    scope = models.CharField(max_length=1000, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.ACTIVE)
    state_reason = models.CharField(max_length=300, blank=True)
    connected_at = models.DateTimeField(default=timezone.now)
    last_refreshed_at = models.DateTimeField(null=True, blank=True)
    # A transient refresh failure: the next attempt waits, so Calendly's ~8 token
    # requests per user per minute are never spent in a loop.
    refresh_retry_after = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["state", "access_expires_at"])]

    def __str__(self) -> str:
        return f"{self.calendly_user_uri} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state == self.State.ACTIVE

    def expires_within(self, margin: timedelta) -> bool:
        return self.access_expires_at - timezone.now() <= margin
