"""Receivers that tie allauth's sign-in to the token vault."""

from __future__ import annotations

from allauth.account.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver

from accounts.connection import store_sign_in
from sync.tasks import sync_after_sign_in


@receiver(user_logged_in, dispatch_uid="accounts.store_calendly_sign_in")
def store_calendly_sign_in(sender, request, user, sociallogin=None, **kwargs) -> None:
    if sociallogin is None or sociallogin.account.provider != "calendly":
        return
    credential = store_sign_in(user, sociallogin)
    # The first sync starts as soon as the sign-in is committed, not a beat tick later.
    transaction.on_commit(lambda: sync_after_sign_in(credential.pk))
