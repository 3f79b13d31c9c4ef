"""Calendly as an allauth OAuth2 provider (allauth ships none).

Identity is the Calendly user URI, never the email: two Calendly accounts may share an
address over time, a URI never changes hands.
"""

from allauth.socialaccount.providers.base import ProviderAccount
from allauth.socialaccount.providers.oauth2.provider import OAuth2Provider

from accounts.calendly_provider.views import CalendlyOAuth2Adapter


class CalendlyAccount(ProviderAccount):
    def get_avatar_url(self) -> str | None:
        return self.account.extra_data.get("avatar_url")

    def get_profile_url(self) -> str | None:
        return self.account.extra_data.get("scheduling_url")

    def to_str(self) -> str:
        return self.account.extra_data.get("name") or super().to_str()


class CalendlyProvider(OAuth2Provider):
    id = "calendly"
    name = "Calendly"
    account_class = CalendlyAccount
    oauth2_adapter_class = CalendlyOAuth2Adapter
    pkce_enabled_default = True

    def extract_uid(self, data: dict) -> str:
        return data["uri"]

    def extract_common_fields(self, data: dict) -> dict:
        first, _, last = (data.get("name") or "").partition(" ")
        return {
            "email": data.get("email") or "",
            "first_name": first[:150],
            "last_name": last[:150],
        }


provider_classes = [CalendlyProvider]
