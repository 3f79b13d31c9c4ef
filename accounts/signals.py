"""Receivers that tie allauth's sign-in to the token vault, and announce the connection."""

from __future__ import annotations

import logging

from allauth.account.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver

from accounts.calendly_connection import calendly_connected, store_sign_in
from accounts.models import CalendlyCredential

log = logging.getLogger(__name__)


@receiver(user_logged_in, dispatch_uid="accounts.store_calendly_sign_in")
def store_calendly_sign_in(sender, request, user, sociallogin=None, **kwargs) -> None:
    if sociallogin is None or sociallogin.account.provider != "calendly":
        return
    credential = store_sign_in(user, sociallogin)
    # Listeners queue work that reads the credential: they hear of it once it is committed.
    transaction.on_commit(lambda: announce_connection(credential))


def announce_connection(credential: CalendlyCredential) -> None:
    """Tells the listeners (the first sync, the webhook subscription); a listener that fails
    (the task queue is down) is logged and does not fail the sign-in, which is done."""
    answers = calendly_connected.send_robust(sender=CalendlyCredential, credential=credential)
    for listener, answer in answers:
        if isinstance(answer, Exception):
            log.warning(
                "After the sign-in of credential %s, %s failed: %s",
                credential.pk,
                getattr(listener, "__qualname__", listener),
                type(answer).__name__,
            )
