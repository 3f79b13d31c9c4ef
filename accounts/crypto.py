"""Encryption of secrets at rest (Calendly tokens, webhook signing keys).

``TOKEN_ENCRYPTION_KEYS`` holds one or more Fernet keys, newest first: the first
encrypts, all of them decrypt (MultiFernet), so a key can be rotated without
downtime: prepend a new key, run ``manage.py rotate_token_keys``, drop the old one.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class UndecryptableSecret(Exception):
    """A stored secret none of the configured keys can open (a key was dropped too early)."""


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("TOKEN_ENCRYPTION_KEYS must hold at least one Fernet key")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "TOKEN_ENCRYPTION_KEYS: each key must be 32 url-safe base64-encoded bytes "
            "(make one with `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`)"
        ) from error


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.TOKEN_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        raise UndecryptableSecret(
            "no configured TOKEN_ENCRYPTION_KEYS key opens this secret"
        ) from None


def rotate(ciphertext: str) -> str:
    """Re-encrypts with the newest key (MultiFernet.rotate keeps the original timestamp)."""
    return fernet().rotate(ciphertext.encode()).decode()
