from django.apps import AppConfig


class CalendlyProviderConfig(AppConfig):
    """allauth finds providers in installed apps' ``provider`` modules; this app is that module's home."""

    name = "accounts.calendly_provider"
    label = "calendly_provider"
    verbose_name = "Calendly sign-in"
