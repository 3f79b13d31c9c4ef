"""What happens when a person connects or disconnects Calendly."""

from __future__ import annotations

import logging

from allauth.socialaccount.models import SocialLogin
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from accounts.models import CalendlyCredential
from calendly import oauth

log = logging.getLogger(__name__)
# Sent with ``credential`` once a sign-in's tokens are stored and committed (the sync starts,
# webhooks subscribe): sign-in announces, the apps that care listen.
calendly_connected = Signal()
# Sent with ``credential`` while its tokens still work (webhooks removes its subscription).
before_disconnect = Signal()


def store_sign_in(user, sociallogin: SocialLogin) -> CalendlyCredential:
    """Keeps the tokens of a completed sign-in, encrypted; a returning user is restored to active."""
    token = sociallogin.token
    profile = sociallogin.account.extra_data
    credential, created = CalendlyCredential.objects.update_or_create(
        calendly_user_uri=sociallogin.account.uid,
        defaults={
            "user": user,
            "organization_uri": profile.get("current_organization") or "",
            "access_token": token.token,
            "refresh_token": token.token_secret,
            "access_expires_at": token.expires_at or timezone.now(),
            "scope": str(profile.get("token_scope") or ""),
            "state": CalendlyCredential.State.ACTIVE,
            "state_reason": "",
            "refresh_retry_after": None,
        },
    )
    if not created and credential.state != CalendlyCredential.State.ACTIVE:
        log.info("Credential %s reconnected", credential.pk)
    return credential


def disconnect(credential: CalendlyCredential) -> bool:
    """Revokes both tokens at Calendly and deletes them here; True when Calendly confirmed both."""
    before_disconnect.send(sender=CalendlyCredential, credential=credential)
    revoked = [
        oauth.revoke(credential.access_token),
        oauth.revoke(credential.refresh_token),
    ]
    with transaction.atomic():
        credential.delete()
    return all(revoked)


def credential_for(user) -> CalendlyCredential | None:
    """The user's Calendly connection (one Calendly user per dashboard user)."""
    if not user.is_authenticated:
        return None
    return CalendlyCredential.objects.filter(user=user).order_by("-connected_at").first()


def calendly_profile(user) -> dict:
    """What /users/me said at the last sign-in (name, avatar, time zone, organization)."""
    account = user.socialaccount_set.filter(provider="calendly").order_by("-last_login").first()
    return account.extra_data if account else {}


def display_name(user) -> str:
    """How the pages and messages name a person (allauth's ``ACCOUNT_USER_DISPLAY``): their
    Calendly name, else their email; never the username made up at sign-in."""
    name = user.get_full_name() or (calendly_profile(user).get("name") if user.pk else "")
    return str(name or user.email or user.get_username())
