"""The sign-in is done once the credential is stored: what listens to the connection (the
first sync, the webhook subscription) may fail, with the task queue down, without failing it."""

from __future__ import annotations

import logging

import pytest
from kombu.exceptions import OperationalError

from accounts.calendly_connection import calendly_connected
from accounts.signals import announce_connection
from tests.views import factories as f


@pytest.mark.django_db
def test_a_listener_that_fails_is_logged_and_the_others_still_hear(client, caplog):
    credential = f.sign_in(client, f.calendly_user(f.organization(), "Ann"))
    heard = []

    def broker_down(sender, credential, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    def listening(sender, credential, **kwargs):
        heard.append(credential.pk)

    calendly_connected.connect(broker_down, dispatch_uid="test-broker-down")
    calendly_connected.connect(listening, dispatch_uid="test-listening")
    try:
        with caplog.at_level(logging.WARNING, logger="accounts.signals"):
            announce_connection(credential)
    finally:
        calendly_connected.disconnect(dispatch_uid="test-broker-down")
        calendly_connected.disconnect(dispatch_uid="test-listening")
    assert heard == [credential.pk]
    assert "broker_down failed: OperationalError" in caplog.text
