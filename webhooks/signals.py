"""Connecting and disconnecting Calendly set up and remove the webhook subscription."""

from __future__ import annotations

from django.dispatch import receiver

from accounts.calendly_connection import before_disconnect, calendly_connected
from accounts.models import CalendlyCredential
from webhooks import subscriptions, tasks


@receiver(calendly_connected, dispatch_uid="webhooks.ensure_after_sign_in")
def ensure_after_sign_in(sender, credential: CalendlyCredential, **kwargs) -> None:
    if not subscriptions.callback_url():
        return  # polling only; logged once
    tasks.ensure_subscription.delay(credential.pk)


@receiver(before_disconnect, dispatch_uid="webhooks.remove_on_disconnect")
def remove_on_disconnect(sender, credential: CalendlyCredential, **kwargs) -> None:
    # Synchronous: once the tokens are revoked, nobody may delete the subscription any more.
    subscriptions.on_disconnect(credential)
