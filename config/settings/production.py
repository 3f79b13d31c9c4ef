"""A deployment's settings: the shared ones and nothing of development (no sandbox)."""

from config.env import env_bool
from config.settings.base import *  # noqa: F403

# The admin's password login is no door a deployment leaves open by default: /admin/ exists
# only when ADMIN_ENABLED=true, and then its login is rate-limited (RATE_LIMIT_ADMIN_LOGIN).
ADMIN_ENABLED = env_bool("ADMIN_ENABLED", False)
