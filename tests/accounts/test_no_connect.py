"""One Calendly user per dashboard user: a signed-in person cannot link a second Calendly
identity. allauth's connect flow (``process=connect``) is refused at the callback, and
``/accounts/3rdparty/``, allauth's page for linking and unlinking accounts, only sends
people to the connection settings. Against the sandbox, over real HTTP."""

from urllib.parse import urlparse

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import CalendlyCredential
from sandbox.seed import DEMO_ADMIN_EMAIL, DEMO_MEMBER_EMAIL
from tests.accounts.oauth_flow import callback_path, consent, sign_in

pytestmark = pytest.mark.django_db

REFUSED = "sign out first"


def connect_as(client, email: str, how: str):
    """Starts allauth's connect flow as ``how`` asks, consents at the sandbox as ``email``
    and returns the dashboard's answer to the callback."""
    login = reverse("calendly_login")
    if how == "form":
        started = client.post(login, {"process": "connect"})
    else:
        started = client.post(f"{login}?process=connect")
    assert started.status_code == 302, started.content[:500]
    return client.get(callback_path(consent(started["Location"], email)))


def signed_in_user(client):
    return client.get(reverse("connection_settings")).wsgi_request.user


@pytest.mark.parametrize("how", ["form", "query"])
def test_a_signed_in_person_cannot_link_a_second_calendly_identity(client, calendly, how):
    sign_in(client, DEMO_ADMIN_EMAIL)
    owner = signed_in_user(client)
    first = SocialAccount.objects.get(user=owner)

    answer = connect_as(client, DEMO_MEMBER_EMAIL, how)

    assert answer.status_code == 302
    assert urlparse(answer["Location"]).path == "/"
    texts = [str(m) for m in get_messages(answer.wsgi_request)]
    assert any(REFUSED in text for text in texts), texts
    # Nothing was linked, to anyone: the admin's one identity, still signed in.
    assert list(SocialAccount.objects.all()) == [first]
    assert list(CalendlyCredential.objects.values_list("user", flat=True)) == [owner.pk]
    assert signed_in_user(client) == owner


def test_the_second_identity_still_signs_in_to_a_dashboard_user_of_its_own(
    client, calendly, django_user_model
):
    sign_in(client, DEMO_ADMIN_EMAIL)
    owner = signed_in_user(client)
    connect_as(client, DEMO_MEMBER_EMAIL, "form")
    client.post(reverse("account_logout"))

    sign_in(client, DEMO_MEMBER_EMAIL)

    member = signed_in_user(client)
    assert member.is_authenticated and member != owner
    assert get_user_model().objects.count() == 2
    assert SocialAccount.objects.filter(user=owner).count() == 1
    assert SocialAccount.objects.filter(user=member).count() == 1


def test_the_third_party_accounts_page_offers_no_linking(client, calendly):
    sign_in(client, DEMO_ADMIN_EMAIL)
    account = SocialAccount.objects.get()
    page = client.get("/accounts/3rdparty/")
    assert page.status_code == 302
    assert page["Location"] == reverse("connection_settings")
    # allauth's own form there unlinked an account: it is gone too.
    gone = client.post("/accounts/3rdparty/", {"account": account.pk})
    assert gone.status_code == 302
    assert SocialAccount.objects.filter(pk=account.pk).exists()
    settings_page = client.get(reverse("connection_settings")).content.decode()
    assert "process=connect" not in settings_page and "3rdparty" not in settings_page


def test_the_third_party_accounts_page_sends_signed_out_visitors_away_too(client):
    page = client.get("/accounts/3rdparty/")
    assert page.status_code == 302
    assert "3rdparty" not in page["Location"]
