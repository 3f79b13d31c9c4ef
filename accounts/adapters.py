"""allauth customised through its adapters, not by forking its views."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base.constants import AuthError
from django.contrib import messages
from django.shortcuts import redirect


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Accounts are made only by signing in with Calendly.
        return False


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        return True

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        """Back to the home page with one clear sentence, instead of allauth's error page."""
        if error == AuthError.CANCELLED:
            text = "You declined access on Calendly, so you are not signed in."
        else:
            text = (
                "Signing in with Calendly did not complete (the sign-in link expired, "
                "was used twice, or could not be verified). Please try again."
            )
        messages.error(request, text)
        raise ImmediateHttpResponse(redirect("home"))
