"""pytest's settings: the local ones (the sandbox is the tests' Calendly) plus where the
contract tests find Calendly's OpenAPI description."""

from pathlib import Path

from config.env import env_str
from config.settings.base import BASE_DIR
from config.settings.local import *  # noqa: F403

# Absent on a fresh clone of the project alone: the contract tests then skip, saying so.
CALENDLY_OPENAPI_PATH = Path(
    env_str("CALENDLY_OPENAPI_PATH")
    or str(BASE_DIR.parent / "shared" / "calendly" / "openapi.yaml")
)
