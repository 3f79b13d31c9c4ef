"""What a person sees when the Calendly app behind this dashboard has all the scopes it
wants, lacks one or two, or was made before scopes: a real sign-in through the sandbox (as
an app granted exactly those scopes), then the connection page, a sync and My week."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import CalendlyCredential
from accounts.scopes import has_scope
from availability.models import SyncRun
from sandbox.seed import DEMO_MEMBER_EMAIL
from sync import runs
from tests.accounts.conftest import CLIENT_ID, CLIENT_SECRET, point_dashboard_at
from tests.accounts.oauth_flow import CALLBACK_PATH, sign_in
from webhooks import subscriptions

pytestmark = pytest.mark.django_db(transaction=True)


def wanted_but(*left_out: str) -> list[str]:
    return [scope for scope in settings.CALENDLY_WANTED_SCOPES if scope not in left_out]


@pytest.fixture
def app_with(sandbox, settings):
    """Registers this dashboard's app with the sandbox, granted ``scopes`` (None: legacy),
    and aims the dashboard at it; webhooks are on (a public base URL)."""

    def register(scopes):
        sandbox.register_client(
            CLIENT_ID, CLIENT_SECRET, [f"http://testserver{CALLBACK_PATH}"], scopes=scopes
        )
        point_dashboard_at(settings, sandbox.url)
        settings.PUBLIC_BASE_URL = "https://dashboard.example.test"
        settings.CALENDLY_RATE_BUDGET_NAMESPACE = f"scopes-{id(settings)}"
        return sandbox

    return register


def signed_in(client, sandbox) -> CalendlyCredential:
    assert sign_in(client, DEMO_MEMBER_EMAIL).status_code == 302
    return CalendlyCredential.objects.get()


def connection_page(client) -> str:
    page = client.get(reverse("connection_settings"))
    assert page.status_code == 200
    return page.content.decode()


def scope_row(html: str, name: str) -> str:
    start = html.index(f'data-scope="{name}"')
    return html[start : html.index("</tr>", start)]


def test_an_app_with_every_wanted_scope(client, app_with):
    sandbox = app_with(settings.CALENDLY_WANTED_SCOPES)
    credential = signed_in(client, sandbox)
    assert credential.scope == " ".join(sorted(settings.CALENDLY_WANTED_SCOPES))
    html = connection_page(client)
    for name in settings.CALENDLY_WANTED_SCOPES:
        assert "granted" in scope_row(html, name)
    assert 'data-testid="scopes-missing"' not in html and "Polling only" not in html
    assert "Group filters</dt><dd" in html and "Available." in html
    run = SyncRun.objects.get(pk=runs.sync_user(credential.pk).run_id)
    assert run.status == SyncRun.Status.SUCCEEDED and run.missing_scopes == []


def test_an_app_missing_availability_read(client, app_with):
    sandbox = app_with(wanted_but("availability:read"))
    credential = signed_in(client, sandbox)
    assert not has_scope(credential, "availability:read")
    html = connection_page(client)
    assert "missing" in scope_row(html, "availability:read")
    assert "granted" in scope_row(html, "event_types:read")
    assert "is missing availability:read" in html and "Reconnect Calendly" in html

    run = SyncRun.objects.get(pk=runs.sync_user(credential.pk).run_id)
    assert run.status == SyncRun.Status.PARTIAL and run.missing_scopes == [["availability:read"]]
    week = client.get(reverse("dashboard:week")).content.decode()
    assert "missing the scope availability:read" in week
    assert "Enable it in the app&#x27;s settings" in week and "reconnect" in week


def test_an_app_missing_groups_read_and_webhooks_write(client, app_with):
    sandbox = app_with(wanted_but("groups:read", "webhooks:write"))
    credential = signed_in(client, sandbox)
    html = connection_page(client)
    assert "Polling only" in html and "lacks <code>webhooks:write</code>" in html
    assert "Unavailable: the Calendly app lacks <code>groups:read</code>" in html
    assert "is missing groups:read, webhooks:write" in html
    sandbox.reset_stats()
    assert subscriptions.ensure(credential.pk) == (
        "the Calendly app lacks webhooks:write: polling only"
    )
    assert sandbox.stats()["api_total"] == 0  # no subscription was even attempted
    run = SyncRun.objects.get(pk=runs.sync_user(credential.pk).run_id)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error  # syncing needs neither


def test_a_legacy_app_counts_as_granting_everything(client, app_with):
    sandbox = app_with(None)
    credential = signed_in(client, sandbox)
    assert credential.scope == "default"
    assert all(has_scope(credential, name) for name in settings.CALENDLY_WANTED_SCOPES)
    html = connection_page(client)
    assert 'data-testid="scopes-legacy"' in html and "keeps full access" in html
    assert 'data-testid="scopes-missing"' not in html and "Polling only" not in html
    for name in settings.CALENDLY_WANTED_SCOPES:
        assert "granted" in scope_row(html, name)


def test_a_refresh_stores_the_scopes_the_new_token_carries(client, app_with):
    from accounts.tokens import CredentialTokens

    sandbox = app_with(["users:read", "event_types:read"])
    credential = signed_in(client, sandbox)
    CalendlyCredential.objects.filter(pk=credential.pk).update(scope="")
    CredentialTokens(credential.pk).after_unauthorized(credential.access_token)
    credential.refresh_from_db()
    assert credential.scope == "event_types:read users:read"


@pytest.mark.parametrize(
    ("scope", "name", "expected"),
    [
        ("webhooks:write", "webhooks:read", True),
        ("webhooks:read", "webhooks:write", False),
        ("users:read groups:read", "groups:read", True),
        ("users:read", "groups:read", False),
        ("", "groups:read", True),
        ("default", "webhooks:write", True),
    ],
)
def test_has_scope(scope, name, expected):
    assert has_scope(CalendlyCredential(scope=scope), name) is expected


def test_the_wanted_scopes_are_the_ones_docs_calendly_app_md_lists():
    from pathlib import Path

    from accounts.scopes import PURPOSE

    docs = (Path(settings.BASE_DIR) / "docs" / "calendly-app.md").read_text()
    table = docs[docs.index("## Scopes to tick") : docs.index("## What the dashboard does")]
    listed = [line.split("`")[1] for line in table.splitlines() if line.startswith("| `")]
    assert listed == list(settings.CALENDLY_WANTED_SCOPES) == list(PURPOSE)


def test_an_app_without_users_read_cannot_sign_in_and_is_told_why(client, app_with):
    from django.contrib.messages import get_messages

    sandbox = app_with(wanted_but("users:read"))
    response = sign_in(client, DEMO_MEMBER_EMAIL)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said == [
        "This dashboard's Calendly app is missing the scope users:read, which signing in "
        "needs. Whoever manages the app enables it in its settings on Calendly's developer "
        "portal (Scopes); then sign in again."
    ]
    assert not CalendlyCredential.objects.exists() and sandbox
