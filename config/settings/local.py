"""The demo's and a developer's settings: the shared ones plus the sandbox, the
Calendly-compatible server ``make demo`` runs as Calendly (``manage.py runsandbox``)."""

from config.env import env_bool, env_int, env_list
from config.settings.base import *  # noqa: F403
from config.settings.base import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "sandbox"]
# The admin is on in the demo and the tests unless ADMIN_ENABLED=false (production: off).
ADMIN_ENABLED = env_bool("ADMIN_ENABLED", True)

SANDBOX_SEED = env_int("SANDBOX_SEED", 7)
SANDBOX_REDIRECT_URIS = env_list(
    "SANDBOX_REDIRECT_URIS", ["http://127.0.0.1:8000/accounts/calendly/login/callback/"]
)
