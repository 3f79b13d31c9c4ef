"""A Calendly connection starts its first sync at once, not a beat tick later."""

from __future__ import annotations

from django.dispatch import receiver

from accounts.calendly_connection import calendly_connected
from accounts.models import CalendlyCredential
from sync.tasks import sync_after_sign_in


@receiver(calendly_connected, dispatch_uid="sync.first_sync_after_sign_in")
def first_sync_after_sign_in(sender, credential: CalendlyCredential, **kwargs) -> None:
    sync_after_sign_in(credential.pk)
