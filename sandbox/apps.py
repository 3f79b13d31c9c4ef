from django.apps import AppConfig


class SandboxConfig(AppConfig):
    """Holds only the sandbox's management commands: its server keeps its own state."""

    name = "sandbox"
    verbose_name = "Calendly sandbox"
