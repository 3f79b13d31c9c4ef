from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the service: health probes, request logs, start-up commands of the image."""

    name = "ops"
    verbose_name = "Operations"
