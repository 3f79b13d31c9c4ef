"""The token function: refresh near expiry, single-flight under contention, no refresh loops."""

import json
import subprocess
import sys
from collections import Counter
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from accounts.models import CalendlyCredential
from accounts.tokens import CredentialTokens, RefreshDeferred
from sandbox.seed import DEMO_MEMBER_EMAIL
from tests.accounts.oauth_flow import sign_in
from tests.sandbox_process import free_port
from tests.workers import PROJECT_ROOT, process_env

REFRESH_ROUTE = "POST /oauth/token"


def connected_credential(client, sandbox, email: str, expires_in: timedelta) -> CalendlyCredential:
    """Signs in through the sandbox, then moves the token's expiry to `expires_in` from now."""
    sign_in(client, email)
    CalendlyCredential.objects.update(access_expires_at=timezone.now() + expires_in)
    sandbox.reset_stats()
    return CalendlyCredential.objects.get()


def accepted(sandbox, token: str) -> bool:
    answer = requests.get(f"{sandbox.url}/users/me", headers=sandbox.auth(token), timeout=10)
    return answer.status_code == 200


def token_requests(sandbox) -> int:
    return sandbox.stats()["requests"].get(REFRESH_ROUTE, 0)


@pytest.mark.django_db
def test_a_token_with_time_left_is_returned_without_asking_calendly(client, calendly):
    credential = connected_credential(client, calendly, DEMO_MEMBER_EMAIL, timedelta(hours=1))

    assert CredentialTokens(credential.pk).access_token() == credential.access_token
    assert token_requests(calendly) == 0


@pytest.mark.django_db
def test_a_token_about_to_expire_is_refreshed_and_the_old_refresh_token_is_spent(client, calendly):
    credential = connected_credential(client, calendly, DEMO_MEMBER_EMAIL, timedelta(minutes=2))

    token = CredentialTokens(credential.pk).access_token()

    old_refresh_token = credential.refresh_token
    credential.refresh_from_db()
    assert token == credential.access_token and accepted(calendly, token)
    assert calendly.token_status(old_refresh_token) != "active"
    assert credential.last_refreshed_at is not None
    assert credential.access_expires_at > timezone.now() + timedelta(hours=1)
    assert token_requests(calendly) == 1


@pytest.mark.django_db
def test_a_transient_failure_keeps_the_refresh_token_and_does_not_retry_in_a_loop(
    client, calendly, settings
):
    credential = connected_credential(client, calendly, DEMO_MEMBER_EMAIL, timedelta(seconds=-1))
    refresh_token = credential.refresh_token
    settings.CALENDLY_AUTH_BASE_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens

    with pytest.raises(RefreshDeferred, match=r"token service did not answer: ConnectionError"):
        CredentialTokens(credential.pk).access_token()
    settings.CALENDLY_AUTH_BASE_URL = calendly.url
    with pytest.raises(RefreshDeferred, match=r"failed a moment ago; retrying soon"):  # too soon after a failure: Calendly is not asked
        CredentialTokens(credential.pk).access_token()

    credential.refresh_from_db()
    assert credential.refresh_token == refresh_token
    assert credential.state == CalendlyCredential.State.ACTIVE
    assert token_requests(calendly) == 0

    CalendlyCredential.objects.filter(pk=credential.pk).update(refresh_retry_after=None)
    assert accepted(calendly, CredentialTokens(credential.pk).access_token())


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(180)
def test_many_processes_and_threads_share_exactly_one_refresh(client, calendly):
    """8 processes x 20 threads ask for a token that has just expired."""
    credential = connected_credential(client, calendly, DEMO_MEMBER_EMAIL, timedelta(seconds=-1))
    env = process_env(
        {
            "CALENDLY_AUTH_BASE_URL": calendly.url,
            "CALENDLY_API_BASE_URL": calendly.url,
            "CALENDLY_CLIENT_ID": "dashboard-under-test",
            "CALENDLY_CLIENT_SECRET": "dashboard-under-test-secret",
        }
    )
    command = [sys.executable, "-m", "tests.accounts.token_callers", str(credential.pk), "20"]
    processes = [
        subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(8)
    ]
    results = []
    for process in processes:
        out, _ = process.communicate(timeout=150)
        assert process.returncode == 0
        results += json.loads(out)

    assert [r for r in results if "error" in r] == []
    assert len(results) == 160
    assert Counter(r["status"] for r in results) == {200: 160}
    assert len({r["token"] for r in results}) == 1, "every caller got the one new token"
    assert token_requests(calendly) == 1
