"""Upkeep of the service's own tables, scheduled by beat (``CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

from celery import shared_task
from django.core.management import call_command


@shared_task(name="ops.clear_expired_sessions", ignore_result=False)
def clear_expired_sessions() -> str:
    """Django's ``clearsessions``: deletes the session rows past their expiry (each
    anonymous sign-in start leaves one, and nothing else ever removes them)."""
    call_command("clearsessions")
    return "cleared"
