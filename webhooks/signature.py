"""Calendly's webhook signature: ``Calendly-Webhook-Signature: t=<unix>,v1=<hex>``, where
v1 is HMAC-SHA256 of ``"<t>.<body>"`` with the subscription's signing key.

Pure functions; the clock is a parameter, so tests need no patching.
https://developer.calendly.com/api-docs/ZG9jOjM2MzE2MDM4-webhook-signatures
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

HEADER = "Calendly-Webhook-Signature"
TOLERANCE_SECONDS = 180  # a delivery signed longer ago than this is refused (replays)
MAX_HEADER_CHARS = 512  # Calendly's is about 80: one t and one v1
MAX_DIGESTS = 4  # a key rotation may sign with two
# ASCII only: str.isdigit() and int() also take "²" or "١٢", and \d matches them too.
TIMESTAMP = re.compile(r"[0-9]{1,12}")  # seconds; 12 digits reach the year 33658
DIGEST = re.compile(r"[0-9a-f]{64}")  # hex SHA-256, lower-cased first


class InvalidSignature(Exception):
    """Missing, malformed, stale or not made with any key we hold; ``str()`` says which."""


@dataclass(frozen=True)
class Signature:
    timestamp: int
    digests: tuple[str, ...]  # every v1 value: a key rotation may sign with two

    def signed_bytes(self, body: bytes) -> bytes:
        return f"{self.timestamp}.".encode() + body


def parse(header: str | None) -> Signature:
    """``t=<ASCII digits>,v1=<64 hex digits>[,v1=...]``, strictly: anything else in a ``t`` or
    ``v1`` (``t=²``, 400 digits, a non-hex digest, two timestamps) is malformed, so nothing
    later converts, compares or hashes a value of unbounded size or alphabet. Other names
    (a future ``v2``) are ignored; the header's length and its digests are bounded."""
    if not header:
        raise InvalidSignature("no signature header")
    if len(header) > MAX_HEADER_CHARS:
        raise InvalidSignature("malformed signature header")
    timestamps, digests = [], []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t":
            timestamps.append(value.strip())
        elif name == "v1":
            digests.append(value.strip().lower())
    if (
        len(timestamps) != 1
        or not TIMESTAMP.fullmatch(timestamps[0])
        or not 0 < len(digests) <= MAX_DIGESTS
        or not all(DIGEST.fullmatch(d) for d in digests)
    ):
        raise InvalidSignature("malformed signature header")
    return Signature(int(timestamps[0]), tuple(digests))


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
