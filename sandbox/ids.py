"""Identifiers shaped like Calendly's: 16 upper-case alphanumerics, derived, never random.

Deriving each id from the seed and what the object is (not from generation order) keeps a
user's URI stable when the generator grows, so a dashboard's stored references survive a
sandbox restart with the same seed.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

UUID_LENGTH = 16


def derived_uuid(seed: int | str, kind: str, *parts: object) -> str:
    material = ":".join(str(p) for p in (seed, kind, *parts)).encode()
    digest = hashlib.sha256(material).digest()
    return base64.b32encode(digest).decode()[:UUID_LENGTH]


def random_uuid() -> str:
    """For objects created at run time (bookings, webhook subscriptions)."""
    return base64.b32encode(secrets.token_bytes(10)).decode()[:UUID_LENGTH]
