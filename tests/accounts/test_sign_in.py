"""Sign in with Calendly, against the sandbox over real HTTP."""

from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import requests
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages

from accounts.models import CalendlyCredential
from accounts.tokens import CredentialTokens, NeedsReconnect
from availability.models import SyncRun
from calendly import oauth
from sandbox.seed import DEMO_ADMIN_EMAIL, DEMO_MEMBER_EMAIL
from sync import runs
from tests.accounts.conftest import CLIENT_ID, CLIENT_SECRET
from tests.accounts.oauth_flow import (
    CALLBACK_PATH,
    callback_path,
    consent,
    sign_in,
    start_sign_in,
)

pytestmark = pytest.mark.django_db


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.django_db(transaction=True)  # the sync's threads read the credential
def test_sign_in_lands_on_the_dashboard_with_the_calendly_profile(client, calendly):
    response = sign_in(client, DEMO_ADMIN_EMAIL)
    assert response.status_code == 302
    page = client.get(response["Location"], follow=True)

    assert page.status_code == 200
    html = page.content.decode()
    me = requests.get(
        f"{calendly.url}/users/me",
        headers=calendly.auth(calendly.mint_token(DEMO_ADMIN_EMAIL)["access_token"]),
        timeout=10,
    ).json()["resource"]
    assert me["name"] in html and me["timezone"] in html
    assert page.wsgi_request.user.is_authenticated
    # The message names the person as Calendly does, not the username made at sign-in.
    assert f"Successfully signed in as {me['name']}." in html
    assert page.wsgi_request.user.get_username() not in html
    # Never the organization's URI (it made a phone page scroll sideways): before the first
    # sync has read its name, words; after it, the name Calendly gives.
    assert me["current_organization"] not in html
    assert 'data-testid="profile-organization" class="org-name">your organization<' in html
    credential = CalendlyCredential.objects.get()
    assert runs.sync_user(credential.pk).status == SyncRun.Status.SUCCEEDED
    html = client.get(response["Location"], follow=True).content.decode()
    name = next(
        o["name"]
        for o in calendly.dump()["organizations"]
        if o["uri"] == me["current_organization"]
    )
    assert (
        f'· organization <span data-testid="profile-organization" class="org-name">{name}<' in html
    )
    assert me["current_organization"] not in html


@pytest.mark.django_db(transaction=True)
def test_a_member_calendly_refuses_the_name_sees_words_and_why(client, calendly):
    """The sandbox refuses a plain member the organization (its stricter reading): the sync
    succeeds, the organization's problem is named, and My week says "your organization"."""
    response = sign_in(client, DEMO_MEMBER_EMAIL)
    credential = CalendlyCredential.objects.get()
    result = runs.sync_user(credential.pk)
    assert result.status == SyncRun.Status.SUCCEEDED, result.summary
    html = client.get(response["Location"], follow=True).content.decode()
    assert credential.organization_uri not in html
    assert ">your organization<" in html
    assert 'title="could not read the organization&#x27;s name (403 Permission Denied' in html


def test_identity_is_the_calendly_user_uri_and_tokens_are_kept_only_encrypted(client, calendly):
    sign_in(client, DEMO_ADMIN_EMAIL)

    account = SocialAccount.objects.get(provider="calendly")
    credential = CalendlyCredential.objects.get()
    assert account.uid == credential.calendly_user_uri
    assert account.uid.startswith(f"{calendly.url}/users/")
    assert credential.state == CalendlyCredential.State.ACTIVE
    assert SocialToken.objects.count() == 0, "allauth must not keep a plaintext copy"
    assert calendly.token_status(credential.access_token) == "active"


def test_signing_in_queues_a_first_sync(client, calendly, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(client, DEMO_ADMIN_EMAIL)

    run = SyncRun.objects.get()
    assert (run.kind, run.trigger) == (SyncRun.Kind.USER, "sign_in")
    assert run.subject_uri == CalendlyCredential.objects.get().calendly_user_uri


def test_the_same_calendly_user_reaches_the_same_account(client, calendly):
    sign_in(client, DEMO_ADMIN_EMAIL)
    first_user = get_user_model().objects.get()
    client.post("/accounts/logout/")

    sign_in(client, DEMO_ADMIN_EMAIL)

    assert get_user_model().objects.get() == first_user
    assert CalendlyCredential.objects.count() == 1


def test_deny_returns_home_with_a_clear_message(client, calendly):
    location = consent(start_sign_in(client), DEMO_ADMIN_EMAIL, decision="Deny")
    assert parse_qs(urlparse(location).query)["error"] == ["access_denied"]

    response = client.get(callback_path(location))

    assert response.status_code == 302 and response["Location"] == "/"
    assert any("declined" in text for text in message_texts(response))
    assert get_user_model().objects.count() == 0


def _with_query(location: str, **changes: str) -> str:
    parsed = urlparse(location)
    query = {k: v[0] for k, v in parse_qs(parsed.query).items()} | changes
    return f"{callback_path(location).split('?')[0]}?{urlencode(query)}"


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param({"state": "forged-state"}, id="tampered-state"),
        pytest.param({"error": "server_error"}, id="error-parameter"),
        # The state is right, the code is not: Calendly refuses the exchange (calendly.oauth).
        pytest.param({"code": "forged-code"}, id="tampered-code"),
    ],
)
def test_a_forged_callback_is_refused_and_changes_no_account(client, calendly, tamper):
    location = consent(start_sign_in(client), DEMO_ADMIN_EMAIL)

    response = client.get(_with_query(location, **tamper))

    assert response.status_code == 302 and response["Location"] == "/"
    assert any("did not complete" in text for text in message_texts(response))
    assert get_user_model().objects.count() == 0
    assert CalendlyCredential.objects.count() == 0


def test_a_replayed_callback_is_refused_and_changes_nothing(client, calendly):
    location = consent(start_sign_in(client), DEMO_ADMIN_EMAIL)
    client.get(callback_path(location))
    credential = CalendlyCredential.objects.get()
    client.post("/accounts/logout/")

    replay = client.get(callback_path(location))

    assert replay.status_code == 302 and replay["Location"] == "/"
    assert any("did not complete" in text for text in message_texts(replay))
    assert not replay.wsgi_request.user.is_authenticated
    assert CalendlyCredential.objects.get().access_token == credential.access_token


def test_revoked_on_calendlys_side_asks_to_reconnect_and_signing_in_restores_it(client, calendly):
    sign_in(client, DEMO_MEMBER_EMAIL)
    credential = CalendlyCredential.objects.get()
    calendly.revoke_user_tokens(DEMO_MEMBER_EMAIL)  # as a password change on Calendly does

    api = requests.get(
        f"{calendly.url}/users/me", headers=calendly.auth(credential.access_token), timeout=10
    )
    assert api.status_code == 401
    with pytest.raises(NeedsReconnect, match=r"refused to renew access \(invalid_grant\)"):
        CredentialTokens(credential.pk).after_unauthorized(credential.access_token)

    credential.refresh_from_db()
    assert credential.state == CalendlyCredential.State.NEEDS_RECONNECT
    page = client.get("/week/").content.decode()
    assert "Reconnect Calendly" in page and "Calendly refused to renew access" in page

    sign_in(client, DEMO_MEMBER_EMAIL)

    credential.refresh_from_db()
    assert credential.state == CalendlyCredential.State.ACTIVE
    assert CalendlyCredential.objects.count() == 1
    assert "Reconnect Calendly" not in client.get("/week/").content.decode()


def test_disconnect_revokes_both_tokens_at_calendly_and_deletes_them_here(client, calendly):
    sign_in(client, DEMO_ADMIN_EMAIL)
    credential = CalendlyCredential.objects.get()
    tokens = (credential.access_token, credential.refresh_token)

    response = client.post("/settings/connection/disconnect/", follow=True)

    assert [calendly.token_status(token) for token in tokens] == ["revoked", "revoked"]
    assert CalendlyCredential.objects.count() == 0
    assert "Connect Calendly" in response.content.decode()


def test_disconnect_and_sign_out_are_post_only(client, calendly):
    sign_in(client, DEMO_ADMIN_EMAIL)
    assert client.get("/settings/connection/disconnect/").status_code == 405
    assert CalendlyCredential.objects.count() == 1


def test_a_code_calendly_never_issued_is_refused_by_the_exchange_naming_the_oauth_error(calendly):
    """The sign-in's code exchange is calendly.oauth's: a refusal is CodeRefused with
    Calendly's error, which the provider turns into allauth's sign-in error."""
    with pytest.raises(oauth.CodeRefused, match=r"invalid_grant \(HTTP 400\)"):
        oauth.exchange_code(
            "never-issued",
            redirect_uri=f"http://testserver{CALLBACK_PATH}",
            code_verifier="v" * 43,
            client=(CLIENT_ID, CLIENT_SECRET),
        )
