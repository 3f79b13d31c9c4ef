"""Calendly webhook subscriptions this dashboard made, the deliveries it accepted, and
when a member's calendar last changed (what an open week page polls for)."""

from __future__ import annotations

from django.db import models

from accounts.fields import EncryptedTextField

URI = {"max_length": 500}


class WebhookSubscription(models.Model):
    """One subscription at Calendly, pointing at our receiver, signed with a key we made.

    Calendly never shows a signing key again, so a subscription at our callback without
    a row here cannot be verified: it is deleted and created anew."""

    class Scope(models.TextChoices):
        ORGANIZATION = "organization", "Organization"
        USER = "user", "User"

    class State(models.TextChoices):
        PENDING = "pending", "Being set up"
        ACTIVE = "active", "Active"
        DISABLED = "disabled", "Disabled by Calendly"

    uri = models.URLField(**URI, blank=True)  # empty until Calendly created it
    scope = models.CharField(max_length=20, choices=Scope.choices)
    organization_uri = models.URLField(**URI)
    user_uri = models.URLField(**URI, blank=True)  # user scope only
    creator_uri = models.URLField(**URI, blank=True)  # Calendly's `created_by` of deliveries
    callback_url = models.URLField(**URI)
    signing_key = EncryptedTextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    credential = models.ForeignKey(
        "accounts.CalendlyCredential",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="webhook_subscriptions",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    # A worker reconciling this subscription with Calendly holds it until then.
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Calendly's own rule: one hook per URL, organization, scope and user.
            models.UniqueConstraint(
                fields=["scope", "organization_uri", "user_uri", "callback_url"],
                name="one_webhook_subscription_per_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} webhook of {self.user_uri or self.organization_uri} ({self.state})"


class RetiredSubscription(models.Model):
    """A subscription this dashboard deleted, kept with its key: a delivery Calendly still
    signs with it (the DELETE failed, say the app was revoked in Calendly first, or it was
    in flight) is answered 410 Gone, so Calendly deletes the subscription at once."""

    uri = models.URLField(**URI, unique=True)
    scope = models.CharField(max_length=20, choices=WebhookSubscription.Scope.choices)
    organization_uri = models.URLField(**URI)
    user_uri = models.URLField(**URI, blank=True)
    creator_uri = models.URLField(**URI, blank=True)
    signing_key = EncryptedTextField()
    retired_at = models.DateTimeField(auto_now_add=True)
    deleted_at_calendly = models.BooleanField(default=False)  # our DELETE went through
    answered_gone_at = models.DateTimeField(null=True, blank=True)  # a delivery got 410

    def __str__(self) -> str:
        return f"retired {self.scope} webhook {self.uri}"


class WebhookDelivery(models.Model):
    """A delivery accepted once. Calendly's deliveries carry no id, so the key is the
    SHA-256 of what is signed (``t.body``): the same request sent again is seen."""

    key = models.CharField(max_length=64, unique=True)
    subscription = models.ForeignKey(
        WebhookSubscription, null=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    event = models.CharField(max_length=50)
    scheduled_event_uri = models.URLField(**URI, blank=True)
    event_type_uri = models.URLField(**URI, blank=True)
    start_time = models.DateTimeField(null=True, blank=True)
    end_time = models.DateTimeField(null=True, blank=True)
    hosts = models.JSONField(default=list, blank=True)  # user URIs of the event's hosts
    event_name = models.CharField(max_length=255, blank=True)  # the scheduled event's name
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{self.event} {self.scheduled_event_uri} at {self.received_at:%Y-%m-%d %H:%M:%S}"


class CalendarChange(models.Model):
    """When a webhook last changed a member's busy times or slots (by Calendly user URI)."""

    user_uri = models.URLField(**URI, unique=True)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user_uri} changed at {self.changed_at:%Y-%m-%d %H:%M:%S}"
