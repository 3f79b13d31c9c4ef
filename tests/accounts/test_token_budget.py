"""Token refreshes within our part of Calendly's 8 token requests per user a minute (issue
#18): past it a refresh is deferred, never sent to be answered 429, and loses nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import CalendlyCredential
from accounts.tokens import CredentialTokens, RefreshDeferred
from sandbox.seed import DEMO_MEMBER_EMAIL
from tests.accounts.test_refresh import accepted, connected_credential, token_requests

pytestmark = pytest.mark.django_db


def expire(credential: CalendlyCredential) -> None:
    CalendlyCredential.objects.filter(pk=credential.pk).update(
        access_expires_at=timezone.now() - timedelta(seconds=1), refresh_retry_after=None
    )


def test_refreshes_past_our_part_of_the_token_limit_are_deferred_and_lose_nothing(
    client, calendly, settings
):
    settings.CALENDLY_TOKEN_RATE_LIMIT_PER_MINUTE = 8
    settings.CALENDLY_BUDGET_SHARE = 0.5  # ours: 4 a minute, the other 4 the user's other tools'
    calendly.configure(token_rate_limit_per_minute=8)
    credential = connected_credential(client, calendly, DEMO_MEMBER_EMAIL, timedelta(seconds=-1))
    for _ in range(4):
        expire(credential)
        assert accepted(calendly, CredentialTokens(credential.pk).access_token())
    assert token_requests(calendly) == 4

    expire(credential)
    with pytest.raises(RefreshDeferred, match=r"token requests for this user are spent"):
        CredentialTokens(credential.pk).access_token()
    assert token_requests(calendly) == 4  # not sent
    assert calendly.stats()["token_rate_limited"] == 0
    credential.refresh_from_db()
    assert credential.state == CalendlyCredential.State.ACTIVE
    assert credential.refresh_retry_after > timezone.now() + timedelta(seconds=30)
    assert calendly.token_status(credential.refresh_token) == "active"  # intact, still usable

    # A minute on (a fresh budget stands for it): the deferred refresh goes through.
    settings.CALENDLY_RATE_BUDGET_NAMESPACE += "-a-minute-later"
    expire(credential)
    assert accepted(calendly, CredentialTokens(credential.pk).access_token())
    assert token_requests(calendly) == 5


def test_each_user_has_a_token_budget_of_their_own(client, calendly, settings):
    settings.CALENDLY_TOKEN_RATE_LIMIT_PER_MINUTE = 1  # ours: 1 a minute (at least one)
    first = connected_credential(client, calendly, DEMO_MEMBER_EMAIL, timedelta(seconds=-1))
    assert accepted(calendly, CredentialTokens(first.pk).access_token())
    expire(first)
    with pytest.raises(RefreshDeferred):
        CredentialTokens(first.pk).access_token()
    # The budget is the Calendly user's: the same credential, as another user's, refreshes.
    other = f"{first.calendly_user_uri}-another"
    CalendlyCredential.objects.filter(pk=first.pk).update(calendly_user_uri=other)
    expire(first)
    assert accepted(calendly, CredentialTokens(first.pk).access_token())
