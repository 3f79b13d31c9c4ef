"""Test-run environment, loaded as a pytest plugin (``-p``) before Django reads its settings.

Tests run with DEBUG off, as production does; only the keys a developer would
put in ``.env`` are filled in with throwaway values.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("STATIC_MANIFEST", "false")
os.environ.setdefault("VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "var", "test"))
