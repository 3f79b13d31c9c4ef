"""A text column whose value is encrypted with ``accounts.crypto`` in the database."""

from __future__ import annotations

from django.db import models

from accounts import crypto


class EncryptedTextField(models.TextField):
    """Plain text in Python, a Fernet token in the database (empty stays empty)."""

    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return crypto.encrypt(value)
