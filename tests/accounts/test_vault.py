"""Tokens are encrypted at rest, and rotating the key keeps every credential usable."""

import io
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts import crypto
from accounts.models import CalendlyCredential

ACCESS = "access-token-in-clear-0123456789"
REFRESH = "refresh-token-in-clear-9876543210"


@pytest.fixture
def credential(django_user_model):
    user = django_user_model.objects.create(username="vault")
    return CalendlyCredential.objects.create(
        user=user,
        calendly_user_uri="https://api.calendly.com/users/VAULT",
        access_token=ACCESS,
        refresh_token=REFRESH,
        access_expires_at=timezone.now() + timedelta(hours=2),
    )


def raw_rows() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_calendlycredential")
        return cursor.fetchall()


@pytest.mark.django_db
def test_a_raw_read_of_the_credential_table_finds_no_token_in_clear(credential):
    dump = repr(raw_rows())
    assert ACCESS not in dump and REFRESH not in dump
    stored = CalendlyCredential.objects.get(pk=credential.pk)
    assert (stored.access_token, stored.refresh_token) == (ACCESS, REFRESH)


@pytest.mark.django_db
def test_key_rotation_keeps_every_credential_usable(credential, settings):
    old_key = settings.TOKEN_ENCRYPTION_KEYS[0]
    before = raw_rows()
    new_key = Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [new_key, old_key]

    call_command("rotate_token_keys", stdout=io.StringIO())

    settings.TOKEN_ENCRYPTION_KEYS = [new_key]  # the old key is gone for good
    stored = CalendlyCredential.objects.get(pk=credential.pk)
    assert (stored.access_token, stored.refresh_token) == (ACCESS, REFRESH)
    assert raw_rows() != before
    assert ACCESS not in repr(raw_rows())


@pytest.mark.django_db
def test_a_secret_no_configured_key_opens_is_a_clear_error(credential, settings):
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.UndecryptableSecret, match="TOKEN_ENCRYPTION_KEYS"):
        CalendlyCredential.objects.get(pk=credential.pk)
