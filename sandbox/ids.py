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
DIGEST_BYTES = UUID_LENGTH * 5 // 8  # base32 writes 5 bytes as 8 characters


def derived_uuid(seed: int | str, kind: str, *parts: object) -> str:
    material = ":".join(map(str, (seed, kind, *parts))).encode()
    # The first 10 bytes are all the 16 characters need (the same characters as encoding
    # the whole digest and cutting), and encoding fewer is most of the cost.
    digest = hashlib.sha256(material).digest()[:DIGEST_BYTES]
    return base64.b32encode(digest).decode()


def random_uuid() -> str:
    """For objects created at run time (bookings, webhook subscriptions)."""
    return base64.b32encode(secrets.token_bytes(10)).decode()[:UUID_LENGTH]
