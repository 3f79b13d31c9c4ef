"""allauth's OAuth2 views, pointed at Calendly's hosts from settings."""

from __future__ import annotations

from dataclasses import asdict

from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import (
    OAuth2Adapter,
    OAuth2CallbackView,
    OAuth2LoginView,
)
from allauth.utils import get_request_param
from django.conf import settings

from calendly import CalendlyClient, CalendlyError, RetryPolicy, StaticTokenSource, oauth
from calendly.ratebudget import interactive_budget

SIGN_IN_POLICY = RetryPolicy(max_attempts=3, max_delay=2.0, max_rate_limit_waits=1)


class CalendlyOAuth2Adapter(OAuth2Adapter):
    provider_id = "calendly"
    # Calendly authenticates web clients with HTTP Basic on the token endpoint.
    basic_auth = True

    @property
    def authorize_url(self) -> str:
        return f"{settings.CALENDLY_AUTH_BASE_URL}/oauth/authorize"

    @property
    def access_token_url(self) -> str:
        return f"{settings.CALENDLY_AUTH_BASE_URL}/oauth/token"

    def get_access_token_data(self, request, app, client, pkce_code_verifier=None):
        """The code exchange, through the Calendly package instead of allauth's own client."""
        try:
            data = oauth.exchange_code(
                get_request_param(self.request, "code") or "",
                redirect_uri=client.callback_url,
                code_verifier=pkce_code_verifier,
                client=(app.client_id, app.secret),
            )
        except (oauth.CodeRefused, oauth.TokenServiceUnavailable) as error:
            raise OAuth2Error(f"Calendly did not exchange the code: {error}") from error
        self.did_fetch_access_token = True
        return data

    def complete_login(self, request, app, token, **kwargs):
        response = kwargs.get("response") or {}
        # The token response names its owner: the rate budget's key for this user.
        tokens = StaticTokenSource(token.token, budget_key=response.get("owner") or "sign-in")
        try:
            # A person waits on this request: a short deadline on the rate budget, few
            # attempts, and a budget store that is down does not fail the sign-in.
            client = CalendlyClient(tokens, budget=interactive_budget(), policy=SIGN_IN_POLICY)
            user = client.current_user()
        except CalendlyError as error:
            # allauth turns OAuth2Error into its sign-in error path (our adapter's message).
            raise OAuth2Error(f"Calendly did not return the profile: {error}") from error
        owner = response.get("owner")
        if owner and owner != user.uri:
            # The token was issued to one Calendly user and the profile is another's: sign
            # in no one rather than attach either identity to the other's tokens.
            raise OAuth2Error("Calendly's token and profile name different users")
        profile = asdict(user)
        profile["current_organization"] = user.current_organization or response.get("organization")
        # The scopes the token was granted, for the credential (accounts.scopes); kept with
        # the profile so it survives allauth's round trips through the session.
        profile["token_scope"] = str(response.get("scope") or "")
        return self.get_provider().sociallogin_from_response(request, profile)


oauth2_login = OAuth2LoginView.adapter_view(CalendlyOAuth2Adapter)
oauth2_callback = OAuth2CallbackView.adapter_view(CalendlyOAuth2Adapter)
