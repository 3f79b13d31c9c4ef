"""allauth customised through its adapters, not by forking its views."""

from __future__ import annotations

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base.constants import AuthError, AuthProcess
from django.contrib import messages
from django.shortcuts import redirect

from calendly import InsufficientScope

log = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Accounts are made only by signing in with Calendly.
        return False


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        return True

    def pre_social_login(self, request, sociallogin) -> None:
        """One Calendly user per dashboard user: allauth's connect flow (``process=connect``,
        which links the Calendly account signed in at the callback to whoever is signed in
        here) is refused, before anything is linked or stored. ``/accounts/3rdparty/``, its
        page, is turned away in ``config/urls.py``."""
        if sociallogin.state.get("process") == AuthProcess.CONNECT:
            messages.error(
                request,
                "A dashboard account holds one Calendly account: to use another one, "
                "sign out first and sign in with it.",
            )
            raise ImmediateHttpResponse(redirect("home"))
        super().pre_social_login(request, sociallogin)

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        """Back to the home page with one clear sentence, instead of allauth's error page;
        the reason (never a token or code: ours are in words) goes to the log."""
        if exception is not None:
            log.warning("Sign-in with Calendly failed: %s", str(exception)[:300])
        refused = exception.__cause__ if exception is not None else None
        if error == AuthError.CANCELLED:
            text = "You declined access on Calendly, so you are not signed in."
        elif isinstance(refused, InsufficientScope):
            # The profile read (/users/me) needs users:read: no retry helps until it is ticked.
            names = " or ".join(refused.required_scopes)
            text = (
                f"This dashboard's Calendly app is missing the scope {names}, which signing "
                "in needs. Whoever manages the app enables it in its settings on Calendly's "
                "developer portal (Scopes); then sign in again."
            )
        else:
            text = (
                "Signing in with Calendly did not complete (the sign-in link expired, "
                "was used twice, or could not be verified). Please try again."
            )
        messages.error(request, text)
        raise ImmediateHttpResponse(redirect("home"))
