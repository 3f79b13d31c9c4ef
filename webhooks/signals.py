"""Connecting and disconnecting Calendly set up and remove the webhook subscription."""

from __future__ import annotations

from allauth.account.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver

from accounts.connection import before_disconnect
from accounts.models import CalendlyCredential
from webhooks import subscriptions, tasks


@receiver(user_logged_in, dispatch_uid="webhooks.ensure_after_sign_in")
def ensure_after_sign_in(sender, request, user, sociallogin=None, **kwargs) -> None:
    if sociallogin is None or sociallogin.account.provider != "calendly":
        return
    if not subscriptions.callback_url():
        return  # polling only; logged once
    uri = sociallogin.account.uid

    def queue() -> None:  # after accounts' receiver stored the credential and it committed
        credential = CalendlyCredential.objects.filter(calendly_user_uri=uri).first()
        if credential is not None:
            tasks.ensure_subscription.delay(credential.pk)

    transaction.on_commit(queue)


@receiver(before_disconnect, dispatch_uid="webhooks.remove_on_disconnect")
def remove_on_disconnect(sender, credential: CalendlyCredential, **kwargs) -> None:
    # Synchronous: once the tokens are revoked, nobody may delete the subscription any more.
    subscriptions.on_disconnect(credential)
