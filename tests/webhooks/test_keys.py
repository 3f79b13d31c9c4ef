"""Signing keys are encrypted with TOKEN_ENCRYPTION_KEYS and rotated with the tokens."""

from __future__ import annotations

import io
import logging

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from tests.webhooks.conftest import KEY, delivery_body, signed
from webhooks.models import WebhookSubscription

pytestmark = pytest.mark.django_db


def raw_key() -> str:
    with connection.cursor() as cursor:
        cursor.execute("select signing_key from webhooks_webhooksubscription")
        return cursor.fetchone()[0]


def test_rotate_token_keys_rotates_the_signing_keys_too(subscription, settings):
    before = raw_key()
    new_key = Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [new_key, *settings.TOKEN_ENCRYPTION_KEYS]
    call_command("rotate_token_keys", stdout=io.StringIO())
    settings.TOKEN_ENCRYPTION_KEYS = [new_key]
    assert raw_key() != before and KEY not in raw_key()
    assert WebhookSubscription.objects.get().signing_key == KEY


def test_an_undecryptable_key_refuses_the_delivery_instead_of_failing(
    post, subscription, queued, settings, caplog
):
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    body = delivery_body()
    with caplog.at_level(logging.ERROR, logger="webhooks.receiver"):
        assert post(body, signed(body)).status_code == 403
    assert "cannot be decrypted" in caplog.text and queued == []
