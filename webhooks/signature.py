"""Calendly's webhook signature: ``Calendly-Webhook-Signature: t=<unix>,v1=<hex>``, where
v1 is HMAC-SHA256 of ``"<t>.<body>"`` with the subscription's signing key.

Pure functions; the clock is a parameter, so tests need no patching.
https://developer.calendly.com/api-docs/ZG9jOjM2MzE2MDM4-webhook-signatures
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

HEADER = "Calendly-Webhook-Signature"
TOLERANCE_SECONDS = 180  # a delivery signed longer ago than this is refused (replays)


class InvalidSignature(Exception):
    """Missing, malformed, stale or not made with any key we hold; ``str()`` says which."""


@dataclass(frozen=True)
class Signature:
    timestamp: int
    digests: tuple[str, ...]  # every v1 value: a key rotation may sign with two

    def signed_bytes(self, body: bytes) -> bytes:
        return f"{self.timestamp}.".encode() + body


def parse(header: str | None) -> Signature:
    if not header:
        raise InvalidSignature("no signature header")
    timestamp, digests = None, []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1" and value:
            digests.append(value.strip().lower())
    if timestamp is None or not digests:
        raise InvalidSignature("malformed signature header")
    return Signature(timestamp, tuple(digests))


def check_fresh(
    signature: Signature,
    now: Callable[[], float] = time.time,
    tolerance: int = TOLERANCE_SECONDS,
) -> None:
    age = now() - signature.timestamp
    if age > tolerance:
        raise InvalidSignature(f"signed {age:.0f} s ago, more than {tolerance} s")
    if age < -tolerance:  # a clock far ahead of ours is as suspicious as one far behind
        raise InvalidSignature(f"signed {-age:.0f} s in the future")


def digest(key: str, signature: Signature, body: bytes) -> str:
    return hmac.new(key.encode(), signature.signed_bytes(body), hashlib.sha256).hexdigest()


def matches(key: str, signature: Signature, body: bytes) -> bool:
    expected = digest(key, signature, body)
    # compare_digest on every value: the time taken does not depend on where they differ.
    return any(hmac.compare_digest(expected, given) for given in signature.digests)


def first_matching_key(keys: Iterable[str], signature: Signature, body: bytes) -> int | None:
    """The index of the first key that signed ``body``, else None."""
    for index, key in enumerate(keys):
        if key and matches(key, signature, body):
            return index
    return None


def sign(key: str, body: bytes, timestamp: int) -> str:
    """The header Calendly would send (for tests and the sandbox's peer)."""
    made = digest(key, Signature(timestamp, ()), body)
    return f"t={timestamp},v1={made}"


def delivery_key(signature: Signature, body: bytes) -> str:
    """What makes a delivery the same delivery: the SHA-256 of what was signed."""
    return hashlib.sha256(signature.signed_bytes(body)).hexdigest()
