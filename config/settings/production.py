"""A deployment's settings: the shared ones and nothing of development (no sandbox)."""

from config.settings.base import *  # noqa: F403
