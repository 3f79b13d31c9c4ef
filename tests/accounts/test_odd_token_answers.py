"""Token and profile answers are checked before use, through the sandbox's real OAuth
answers with odd fields ("override" faults on /oauth/token and /users/me): a sign-in that
cannot use them is refused in words and stores nothing; a refresh that cannot be read keeps
the credential as it was and says so; a token issued to one user never signs in another."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import requests
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.utils import timezone

from accounts.models import CalendlyCredential
from accounts.tokens import CredentialTokens, RefreshDeferred
from calendly import oauth
from sandbox.seed import DEMO_ADMIN_EMAIL, DEMO_MEMBER_EMAIL
from tests.accounts.oauth_flow import sign_in

pytestmark = pytest.mark.django_db


def refused_in_words(client, response) -> str:
    assert response.status_code == 302 and response["Location"] == "/"
    texts = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "did not complete" in texts, texts
    assert get_user_model().objects.count() == 0
    assert CalendlyCredential.objects.count() == 0
    return texts


@pytest.mark.parametrize(
    "fields",
    [
        {"access_token": None},
        {"refresh_token": None},
        {"access_token": ""},
        {"access_token": "tok\nen"},
        {"expires_in": "abc"},
        {"expires_in": [7200]},
        {"owner": {"uri": "x"}},
    ],
    ids=["no-access-token", "no-refresh-token", "empty-token", "newline-in-token",
         "expires-in-text", "expires-in-list", "owner-not-text"],
)
def test_a_token_answer_that_cannot_be_used_refuses_the_sign_in_in_words(
    client, calendly, fields
):
    calendly.fault("/oauth/token", "override", fields=fields)
    refused_in_words(client, sign_in(client, DEMO_ADMIN_EMAIL))


@pytest.mark.parametrize(("expires_in", "hours"), [(1e30, 24), (10**400 // 10**390, 24),
                                                   (-5, 1 / 60), ("3600", 1)])
def test_a_lifetime_out_of_bounds_is_believed_only_so_far(client, calendly, expires_in, hours):
    calendly.fault("/oauth/token", "override", fields={"expires_in": expires_in})
    sign_in(client, DEMO_ADMIN_EMAIL)
    credential = CalendlyCredential.objects.get()  # signed in
    left = credential.access_expires_at - timezone.now()
    assert abs(left - timedelta(hours=hours)) < timedelta(minutes=1)


def test_a_profile_without_a_uri_refuses_the_sign_in(client, calendly, caplog):
    calendly.fault("/users/me", "override", fields={"uri": None})
    with caplog.at_level(logging.WARNING, logger="accounts.adapters"):
        refused_in_words(client, sign_in(client, DEMO_ADMIN_EMAIL))
    assert "Calendly did not return the profile" in caplog.text


def test_a_token_issued_to_another_user_signs_no_one_in(client, calendly, caplog):
    member = calendly.mint_token(DEMO_MEMBER_EMAIL)["owner"]
    calendly.fault("/oauth/token", "override", fields={"owner": member})
    with caplog.at_level(logging.WARNING, logger="accounts.adapters"):
        refused_in_words(client, sign_in(client, DEMO_ADMIN_EMAIL))
    assert "Calendly's token and profile name different users" in caplog.text


@pytest.mark.parametrize(
    "fields", [{"access_token": None}, {"refresh_token": None}, {"expires_in": "abc"}]
)
def test_a_refresh_answer_that_cannot_be_read_keeps_the_credential_and_says_so(
    client, calendly, fields
):
    sign_in(client, DEMO_MEMBER_EMAIL)
    before = CalendlyCredential.objects.get()
    calendly.fault("/oauth/token", "override", fields=fields)
    with pytest.raises(RefreshDeferred, match="unreadable answer: the answer"):
        CredentialTokens(before.pk).after_unauthorized(before.access_token)
    after = CalendlyCredential.objects.get()
    assert (after.access_token, after.refresh_token) == (before.access_token,
                                                          before.refresh_token)
    assert after.state == CalendlyCredential.State.ACTIVE
    assert after.refresh_retry_after is not None  # tried again later, not at once


def response_with(status: int, body: bytes) -> requests.Response:
    response = requests.Response()
    response.status_code, response._content = status, body
    return response


@pytest.mark.parametrize(
    ("body", "said"),
    [(b'{"error": "invalid_grant"}', "invalid_grant"), (b"[1, 2]", "400"), (b"<html>", "400"),
     (b'{"error": ["x"]}', "400"), (b'{"error": "bad\\u0000"}', "400")],
)
def test_an_oauth_error_body_of_any_shape_is_named_in_words(body, said):
    assert oauth._oauth_error(response_with(400, body)) == said
