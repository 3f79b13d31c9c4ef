"""Making sure our one webhook subscription exists at Calendly, and removing it.

An owner's or admin's connection makes one organization-scoped subscription; a plain
member's makes a user-scoped one (unless the organization's already covers them). Each
reconcile lists Calendly's subscriptions first: ours, active, is kept; ours disabled, or
one at our callback we hold no key for, is deleted and created anew with a fresh key.
One worker at a time reconciles a subscription: it claims the row with a conditional
update, and any other finds the claim taken and leaves it.

The events asked for are the invitee events, and ``event_type.*`` when the connection may
read event types (api-2026.md §1.1: receiving an event family needs its read scope).
Calendly cannot change a subscription's events, nor its callback, and refuses a second
hook at the same callback (409): one lacking an event we want is deleted, then made anew.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts import crypto
from accounts.models import CalendlyCredential
from accounts.scopes import has_scope
from availability.models import Membership
from calendly import CalendlyClient, CallStats, NotFound, PermissionDenied
from calendly import WebhookSubscription as Listed
from sync import runs
from webhooks.models import RetiredSubscription
from webhooks.models import WebhookSubscription as Sub

log = logging.getLogger(__name__)
EVENTS = ["invitee.created", "invitee.canceled"]
EVENT_TYPE_EVENTS = ["event_type.created", "event_type.updated", "event_type.deleted"]
CLAIM = timedelta(seconds=120)
_warned = {"no_public_url": False}


def callback_url() -> str:
    """Our receiver's public address, or "" when PUBLIC_BASE_URL is unset (polling only)."""
    base = (getattr(settings, "PUBLIC_BASE_URL", "") or "").rstrip("/")
    if not base:
        if not _warned["no_public_url"]:
            _warned["no_public_url"] = True
            log.warning("PUBLIC_BASE_URL is not set: no Calendly webhooks, polling only")
        return ""
    return base + reverse("webhooks:calendly")


def client_for(credential: CalendlyCredential) -> CalendlyClient:
    return runs.default_client(credential.pk, CallStats())


def role_of(credential: CalendlyCredential) -> str | None:
    """The synced role in the credential's organization; None before the first sync."""
    return (
        Membership.objects.filter(
            user__uri=credential.calendly_user_uri,
            organization__uri=credential.organization_uri,
        )
        .values_list("role", flat=True)
        .first()
    )


def events_for(credential: CalendlyCredential) -> list[str]:
    """The events this connection's subscription asks for: what its scopes let it receive."""
    return EVENTS + (EVENT_TYPE_EVENTS if has_scope(credential, "event_types:read") else [])


def organization_covered(organization: str, callback: str) -> bool:
    return Sub.objects.filter(
        scope=Sub.Scope.ORGANIZATION,
        organization_uri=organization,
        callback_url=callback,
        state=Sub.State.ACTIVE,
    ).exists()


# --- Ensuring ---------------------------------------------------------------------------


def ensure(credential_id: int, client: CalendlyClient | None = None) -> str:
    """Makes sure the subscription this connection calls for exists; a one-line summary."""
    callback = callback_url()
    credential = CalendlyCredential.objects.filter(pk=credential_id).first()
    if not callback:
        return "no PUBLIC_BASE_URL: polling only"
    if credential is None or not credential.is_active or not credential.organization_uri:
        return f"credential {credential_id} is not connected to an organization"
    if not has_scope(credential, "webhooks:write"):
        return "the Calendly app lacks webhooks:write: polling only"
    client = client or client_for(credential)
    role = role_of(credential)
    organization = credential.organization_uri
    if role != Membership.Role.USER:  # an owner or admin, or not synced yet: try
        try:
            outcome = reconcile(client, credential, Sub.Scope.ORGANIZATION, callback)
        except PermissionDenied as refused:
            log.info(
                "Organization webhook refused for %s (%s): user scope instead",
                credential.calendly_user_uri,
                refused,
            )
        else:
            _retire_user_scoped(client, organization, callback)
            return outcome
    if organization_covered(organization, callback):
        return "covered by the organization's subscription"
    return reconcile(client, credential, Sub.Scope.USER, callback)


def reconcile(client: CalendlyClient, credential: CalendlyCredential, scope: str, callback: str):
    row = _row(credential, scope, callback)
    if not _claim(row):
        return f"{scope} subscription is being set up by another worker"
    try:
        return _reconcile(client, credential, row)
    except PermissionDenied:
        if not row.uri:  # made just now for this attempt: nothing at Calendly to remember
            row.delete()
        raise
    finally:
        Sub.objects.filter(pk=row.pk).update(claimed_until=None)


def _row(credential: CalendlyCredential, scope: str, callback: str) -> Sub:
    user = credential.calendly_user_uri if scope == Sub.Scope.USER else ""
    target = {
        "scope": scope,
        "organization_uri": credential.organization_uri,
        "user_uri": user,
        "callback_url": callback,
    }
    try:
        # The key stays encrypted unless it is replaced: an unreadable one is replaced too.
        row, _ = Sub.objects.defer("signing_key").get_or_create(
            **target, defaults={"signing_key": new_key(), "credential": credential}
        )
    except IntegrityError:  # another worker made it between our read and our insert
        row = Sub.objects.defer("signing_key").get(**target)
    return row


def new_key() -> str:
    return secrets.token_urlsafe(32)


def _claim(row: Sub) -> bool:
    now = timezone.now()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    return Sub.objects.filter(free, pk=row.pk).update(claimed_until=now + CLAIM) == 1


def _reconcile(client: CalendlyClient, credential: CalendlyCredential, row: Sub) -> str:
    listed = [s for s in _listed(client, row) if s.callback_url == row.callback_url]
    ours = next((s for s in listed if row.uri and s.uri == row.uri), None)
    events = events_for(credential)
    # More events than wanted are kept: every connection here is of the same Calendly app,
    # so a narrower ask comes from an older token, and remaking the hook would flap.
    if ours is not None and ours.state == "active" and set(events) <= set(ours.events):
        _save(row, credential, ours)
        return f"kept the {row.scope} subscription {ours.uri}"
    for stale in listed:  # ours disabled or of other events, or one we hold no key for
        if stale.uri == row.uri:
            retire(row)
        _delete_at_calendly(client, stale.uri)
    row.signing_key = new_key()
    made = client.create_webhook_subscription(
        url=row.callback_url,
        events=events,
        organization=row.organization_uri,
        scope=row.scope,
        signing_key=row.signing_key,
        user=row.user_uri or None,
    )
    _save(row, credential, made)
    verb = "recreated" if listed else "created"
    log.info("Webhook subscription %s %s (%s)", made.uri, verb, row.scope)
    return f"{verb} the {row.scope} subscription {made.uri}"


def _listed(client: CalendlyClient, row: Sub) -> list[Listed]:
    found = client.webhook_subscriptions(
        organization=row.organization_uri, scope=row.scope, user=row.user_uri or None
    )
    return [s for s in found if not row.user_uri or s.user == row.user_uri]


def _save(row: Sub, credential: CalendlyCredential, listed: Listed) -> None:
    row.uri = listed.uri
    row.creator_uri = listed.creator or credential.calendly_user_uri
    row.state = Sub.State.ACTIVE if listed.state == "active" else Sub.State.DISABLED
    row.credential = credential
    row.checked_at = timezone.now()
    row.save()


def _retire_user_scoped(client: CalendlyClient, organization: str, callback: str) -> None:
    """User-scoped subscriptions of the organization are redundant once it has its own."""
    for row in Sub.objects.filter(
        scope=Sub.Scope.USER, organization_uri=organization, callback_url=callback
    ):
        if _claim(row):
            _remove(client, row)


# --- Removing ---------------------------------------------------------------------------


def retire(row: Sub) -> None:
    """Keeps the key of a subscription we are deleting: whatever Calendly still signs with
    it is answered 410 (webhooks.receiver). An unreadable key cannot verify anything."""
    try:
        key = row.signing_key
    except crypto.UndecryptableSecret:
        return
    RetiredSubscription.objects.update_or_create(
        uri=row.uri,
        defaults={
            "scope": row.scope,
            "organization_uri": row.organization_uri,
            "user_uri": row.user_uri,
            "creator_uri": row.creator_uri,
            "signing_key": key,
        },
    )


def _delete_at_calendly(client: CalendlyClient, uri: str) -> None:
    with contextlib.suppress(NotFound):  # already gone (a retried DELETE, or in Calendly)
        client.delete_webhook_subscription(uri)
    RetiredSubscription.objects.filter(uri=uri).update(deleted_at_calendly=True)


def _remove(client: CalendlyClient, row: Sub) -> None:
    if row.uri:
        retire(row)
        _delete_at_calendly(client, row.uri)
    log.info("Webhook subscription %s removed (%s)", row.uri or row.pk, row.scope)
    row.delete()


def on_disconnect(credential: CalendlyCredential) -> list[str]:
    """Before the tokens are revoked: the member's own subscription goes, and the
    organization's goes with its last connected owner or admin. Calendly errors are
    logged, never block a disconnect. Returns the URIs removed."""
    rows = list(Sub.objects.filter(scope=Sub.Scope.USER, user_uri=credential.calendly_user_uri))
    org_rows = Sub.objects.filter(
        scope=Sub.Scope.ORGANIZATION, organization_uri=credential.organization_uri
    )
    if not runs.administers(credential.calendly_user_uri, credential.organization_uri):
        # A plain member: only what they made.
        org_rows = org_rows.filter(credential=credential)
    for row in org_rows:
        successor = runs.admin_credential(credential.organization_uri, excluding=credential)
        if successor is None:
            rows.append(row)
        else:  # the organization keeps it; another admin's connection looks after it now
            Sub.objects.filter(pk=row.pk).update(credential=successor)
    return [uri for row in rows if (uri := _remove_quietly(credential, row)) is not None]


def _remove_quietly(credential: CalendlyCredential, row: Sub) -> str | None:
    try:
        _remove(client_for(credential), row)
    except Exception as error:  # never keep someone connected against their will
        log.warning(
            "Webhook subscription %s not removed at Calendly (%s): its deliveries will be "
            "answered 410, which makes Calendly delete it",
            row.uri,
            error,
        )
        Sub.objects.filter(pk=row.pk).delete()  # retired, not live: the key stays for the 410
        return None
    return row.uri
