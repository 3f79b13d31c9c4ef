"""Subscriptions against the sandbox, over real HTTP: one per organization however often
people connect, user scope for a plain member after Calendly's 403, a disabled one
recreated, removal with the last admin. A private sandbox: these tests leave hooks."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts import calendly_connection as accounts_connection
from accounts.tokens import CredentialTokens
from calendly import CalendlyClient
from sandbox.seed import DEMO_ADMIN_EMAIL, DEMO_MEMBER_EMAIL, DEMO_OWNER_EMAIL
from sync import writes
from tests.availability.conftest import aim_at, store_credential
from tests.sandbox_process import running_sandbox
from webhooks import subscriptions, tasks
from webhooks.models import RetiredSubscription
from webhooks.models import WebhookSubscription as Sub

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def private_sandbox():
    with running_sandbox() as server:
        yield server


@pytest.fixture
def calendly(private_sandbox, settings):
    """The private sandbox as Calendly, and a callback of this test's own."""
    private_sandbox.reset_stats()
    aim_at(settings, private_sandbox)
    settings.PUBLIC_BASE_URL = f"https://dash-{uuid.uuid4().hex[:8]}.example.test"
    return private_sandbox


def hooks(sandbox, callback: str) -> list[dict]:
    return [s for s in sandbox.dump()["webhook_subscriptions"] if s["callback_url"] == callback]


def test_repeated_connects_make_one_organization_subscription(calendly):
    owner = store_credential(calendly, DEMO_OWNER_EMAIL)
    admin = store_credential(calendly, DEMO_ADMIN_EMAIL)
    assert subscriptions.ensure(owner.pk).startswith("created the organization subscription")
    for credential in (owner, admin, owner):
        assert subscriptions.ensure(credential.pk).startswith("kept")
    callback = subscriptions.callback_url()
    [hook] = hooks(calendly, callback)
    assert hook["scope"] == "organization" and hook["state"] == "active"
    assert hook["events"] == [*subscriptions.EVENTS, *subscriptions.EVENT_TYPE_EVENTS]
    row = Sub.objects.get()
    assert row.uri == hook["uri"] and row.signing_key == hook["signing_key"]
    assert row.creator_uri == owner.calendly_user_uri
    assert calendly.stats()["requests"].get("POST /webhook_subscriptions") == 1


def test_the_signing_key_is_stored_encrypted(calendly):
    owner = store_credential(calendly, DEMO_OWNER_EMAIL)
    subscriptions.ensure(owner.pk)
    row = Sub.objects.get()
    with connection.cursor() as cursor:
        cursor.execute("select signing_key from webhooks_webhooksubscription")
        [(raw,)] = cursor.fetchall()
    assert len(row.signing_key) >= 40 and row.signing_key not in raw


def test_a_plain_member_falls_back_to_user_scope_after_a_403(calendly):
    member = store_credential(calendly, DEMO_MEMBER_EMAIL)
    summary = subscriptions.ensure(member.pk)
    assert summary.startswith("created the user subscription"), summary
    assert calendly.stats()["statuses"].get("403") == 1
    [hook] = hooks(calendly, subscriptions.callback_url())
    assert hook["scope"] == "user" and hook["user"] == member.calendly_user_uri
    row = Sub.objects.get()
    assert row.scope == "user" and row.user_uri == member.calendly_user_uri
    assert subscriptions.ensure(member.pk).startswith("kept")
    assert len(hooks(calendly, subscriptions.callback_url())) == 1


def test_an_admin_connecting_later_retires_the_members_user_scope(calendly):
    member = store_credential(calendly, DEMO_MEMBER_EMAIL)
    subscriptions.ensure(member.pk)
    owner = store_credential(calendly, DEMO_OWNER_EMAIL)
    subscriptions.ensure(owner.pk)
    [hook] = hooks(calendly, subscriptions.callback_url())
    assert hook["scope"] == "organization"
    assert list(Sub.objects.values_list("scope", flat=True)) == ["organization"]
    assert subscriptions.ensure(member.pk) == "covered by the organization's subscription"


def test_a_subscription_calendly_disabled_is_recreated(calendly):
    owner = store_credential(calendly, DEMO_OWNER_EMAIL)
    subscriptions.ensure(owner.pk)
    old = Sub.objects.get()
    old_uri, old_key = old.uri, old.signing_key
    assert calendly.disable_webhook(old_uri)["state"] == "disabled"
    assert subscriptions.ensure(owner.pk).startswith("recreated")
    [hook] = hooks(calendly, subscriptions.callback_url())
    row = Sub.objects.get()
    assert hook["state"] == "active" and hook["uri"] == row.uri != old_uri
    assert row.signing_key == hook["signing_key"] != old_key
    assert row.state == Sub.State.ACTIVE


def test_a_subscription_made_with_the_old_events_is_remade_with_event_types(calendly):
    owner = store_credential(calendly, DEMO_OWNER_EMAIL)
    callback = subscriptions.callback_url()
    old_key = subscriptions.new_key()
    old = CalendlyClient(CredentialTokens(owner.pk)).create_webhook_subscription(
        url=callback,
        events=subscriptions.EVENTS,  # what the dashboard asked for before event_type.*
        organization=owner.organization_uri,
        scope="organization",
        signing_key=old_key,
    )
    Sub.objects.create(
        uri=old.uri,
        scope="organization",
        organization_uri=owner.organization_uri,
        callback_url=callback,
        signing_key=old_key,
        state=Sub.State.ACTIVE,
        credential=owner,
    )
    assert subscriptions.ensure(owner.pk).startswith("recreated")
    [hook] = hooks(calendly, callback)  # deleted first: a second one would be a 409
    assert hook["uri"] != old.uri and "event_type.updated" in hook["events"]
    assert Sub.objects.get().signing_key == hook["signing_key"] != old_key
    assert subscriptions.ensure(owner.pk).startswith("kept")


def test_without_event_types_read_no_event_type_events_are_asked_for(calendly):
    scopes = ["users:read", "organizations:read", "scheduled_events:read", "webhooks:write"]
    owner = store_credential(calendly, DEMO_OWNER_EMAIL, scopes=scopes)
    owner.scope = " ".join(scopes)
    owner.save()
    assert subscriptions.ensure(owner.pk).startswith("created")
    [hook] = hooks(calendly, subscriptions.callback_url())
    assert hook["events"] == subscriptions.EVENTS
    assert subscriptions.ensure(owner.pk).startswith("kept")


def test_a_hook_at_our_callback_whose_key_we_lack_is_replaced(calendly):
    owner = store_credential(calendly, DEMO_OWNER_EMAIL)
    subscriptions.ensure(owner.pk)
    foreign = Sub.objects.get().uri
    Sub.objects.all().delete()  # say, a database restored from before it was made
    assert subscriptions.ensure(owner.pk).startswith("recreated")
    [hook] = hooks(calendly, subscriptions.callback_url())
    assert hook["uri"] != foreign and hook["signing_key"] == Sub.objects.get().signing_key


def test_without_a_public_url_nothing_is_asked_of_calendly(calendly, settings):
    settings.PUBLIC_BASE_URL = ""
    owner = store_credential(calendly, DEMO_OWNER_EMAIL)
    assert subscriptions.ensure(owner.pk) == "no PUBLIC_BASE_URL: polling only"
    assert calendly.stats()["total"] == 0 and not Sub.objects.exists()


def test_disconnecting_the_last_admin_removes_the_subscription(calendly, monkeypatch):
    monkeypatch.setattr(accounts_connection.oauth, "revoke", lambda token: True)
    owner = store_credential(calendly, DEMO_OWNER_EMAIL)
    admin = store_credential(calendly, DEMO_ADMIN_EMAIL)
    subscriptions.ensure(owner.pk)
    sync_roles(calendly, owner)
    callback = subscriptions.callback_url()
    accounts_connection.disconnect(owner)  # the admin is still connected: it stays
    assert len(hooks(calendly, callback)) == 1
    assert Sub.objects.get().credential == admin
    accounts_connection.disconnect(admin)
    assert hooks(calendly, callback) == [] and not Sub.objects.exists()


def test_a_member_disconnecting_removes_their_own_subscription_only(calendly, monkeypatch):
    monkeypatch.setattr(accounts_connection.oauth, "revoke", lambda token: True)
    member = store_credential(calendly, DEMO_MEMBER_EMAIL)
    subscriptions.ensure(member.pk)
    accounts_connection.disconnect(member)
    assert hooks(calendly, subscriptions.callback_url()) == []


def sync_roles(sandbox, credential) -> None:
    """The organization's memberships, as a sync stores them (roles decide who is admin)."""
    client = CalendlyClient(CredentialTokens(credential.pk))
    writes.upsert_memberships(list(client.memberships(organization=credential.organization_uri)))


def test_a_disabled_subscription_whose_key_is_unreadable_is_still_recreated(calendly):
    owner = store_credential(calendly, DEMO_OWNER_EMAIL)
    subscriptions.ensure(owner.pk)
    calendly.disable_webhook(Sub.objects.get().uri)
    with connection.cursor() as cursor:  # as if its encryption key had been dropped
        cursor.execute("update webhooks_webhooksubscription set signing_key = 'gAAAAAgarbage'")
    assert subscriptions.ensure(owner.pk).startswith("recreated")
    [hook] = hooks(calendly, subscriptions.callback_url())
    assert Sub.objects.get().signing_key == hook["signing_key"]


def test_a_subscription_calendly_would_not_let_us_delete_is_retired_with_its_key(calendly):
    """The member revoked the app in Calendly before disconnecting here: the DELETE is
    refused, the subscription stays at Calendly, and we keep its key to answer it 410."""
    member = store_credential(calendly, DEMO_MEMBER_EMAIL)
    subscriptions.ensure(member.pk)
    row = Sub.objects.get()
    uri, key = row.uri, row.signing_key
    calendly.control("POST", "/users/revoke-tokens", {"email": DEMO_MEMBER_EMAIL})
    assert subscriptions.on_disconnect(member) == []
    assert [h["uri"] for h in hooks(calendly, subscriptions.callback_url())] == [uri]
    assert not Sub.objects.exists()
    retired = RetiredSubscription.objects.get()
    assert retired.uri == uri and retired.signing_key == key
    assert retired.user_uri == member.calendly_user_uri and not retired.deleted_at_calendly


def test_a_deleted_subscription_keeps_its_key_marked_deleted(calendly, monkeypatch):
    monkeypatch.setattr(accounts_connection.oauth, "revoke", lambda token: True)
    member = store_credential(calendly, DEMO_MEMBER_EMAIL)
    subscriptions.ensure(member.pk)
    key = Sub.objects.get().signing_key
    accounts_connection.disconnect(member)
    retired = RetiredSubscription.objects.get()
    assert retired.deleted_at_calendly and retired.signing_key == key


def test_the_hourly_check_forgets_retired_keys_a_day_after_they_settled(db):
    old = timezone.now() - timedelta(days=2)

    def retired(name: str, **fields) -> None:
        RetiredSubscription.objects.create(
            uri=f"https://calendly.test/webhook_subscriptions/{name}",
            scope="organization",
            organization_uri="https://calendly.test/organizations/O",
            signing_key="k",
            **fields,
        )
        RetiredSubscription.objects.filter(uri__endswith=name).update(retired_at=old)

    retired("deleted", deleted_at_calendly=True)
    retired("answered", answered_gone_at=old)
    retired("undeletable")  # Calendly may still send it: kept until it is answered 410
    retired("answered-now", answered_gone_at=timezone.now())
    tasks.check_subscriptions()
    left = {
        uri.rsplit("/", 1)[-1] for uri in RetiredSubscription.objects.values_list("uri", flat=True)
    }
    assert left == {"undeletable", "answered-now"}


def test_a_connection_asking_for_fewer_events_keeps_the_wider_subscription(calendly):
    owner = store_credential(calendly, DEMO_OWNER_EMAIL)  # legacy: every event
    assert subscriptions.ensure(owner.pk).startswith("created")
    admin = store_credential(calendly, DEMO_ADMIN_EMAIL)
    admin.scope = "users:read organizations:read scheduled_events:read webhooks:write"
    admin.save()
    assert subscriptions.ensure(admin.pk).startswith("kept")
    [hook] = hooks(calendly, subscriptions.callback_url())
    assert "event_type.created" in hook["events"]


@pytest.fixture
def eager_tasks(monkeypatch):
    """Tasks a beat task queues run at once, in this process (no worker here)."""
    from config.celery_app import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)


def test_the_hourly_check_recreates_what_calendly_disabled_for_active_credentials_only(
    calendly, eager_tasks
):
    owner = store_credential(calendly, DEMO_OWNER_EMAIL)
    subscriptions.ensure(owner.pk)
    old_uri = Sub.objects.get().uri
    calendly.disable_webhook(old_uri)

    assert tasks.check_subscriptions() == "checking 1 subscription(s)"
    [hook] = hooks(calendly, subscriptions.callback_url())
    assert hook["state"] == "active" and hook["uri"] == Sub.objects.get().uri != old_uri

    owner.state = owner.State.NEEDS_RECONNECT
    owner.save(update_fields=["state"])
    calendly.disable_webhook(hook["uri"])
    assert tasks.check_subscriptions() == "checking 0 subscription(s)"
    [still] = hooks(calendly, subscriptions.callback_url())
    assert still["state"] == "disabled"  # nobody's token to mend it with: left for sign-in
