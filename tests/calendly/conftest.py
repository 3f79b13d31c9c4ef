"""The client's tests aim at the sandbox the way the sync's tests do: the same fixtures."""

from tests.availability.conftest import calendly, connect  # noqa: F401
