from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns

from accounts.calendly_provider.provider import CalendlyProvider

urlpatterns = default_urlpatterns(CalendlyProvider)
