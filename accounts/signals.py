"""Receivers that tie allauth's sign-in to the token vault, and announce the connection."""

from __future__ import annotations

from allauth.account.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver

from accounts.calendly_connection import calendly_connected, store_sign_in
from accounts.models import CalendlyCredential


@receiver(user_logged_in, dispatch_uid="accounts.store_calendly_sign_in")
def store_calendly_sign_in(sender, request, user, sociallogin=None, **kwargs) -> None:
    if sociallogin is None or sociallogin.account.provider != "calendly":
        return
    credential = store_sign_in(user, sociallogin)
    # Listeners queue work that reads the credential: they hear of it once it is committed.
    transaction.on_commit(
        lambda: calendly_connected.send(sender=CalendlyCredential, credential=credential)
    )
