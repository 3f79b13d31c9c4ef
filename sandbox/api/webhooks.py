"""Webhook subscriptions."""

from __future__ import annotations

import json
import secrets
from urllib.parse import urlsplit

from werkzeug.wrappers import Response

from sandbox.api.access import is_admin_of, same_org
from sandbox.api.group_access import check_group_access, group_param
from sandbox.api.params import org_param, user_param, uuid_from_uri
from sandbox.core import Ctx
from sandbox.errors import (
    NO_ACCESS,
    NO_PERMISSION,
    already_exists,
    forbidden,
    invalid_argument,
    json_response,
    not_found,
)
from sandbox.ids import random_uuid
from sandbox.pagination import paginate, parse_sort
from sandbox.records import WebhookSubscription
from sandbox.timefmt import iso

EVENTS = ("invitee.created", "invitee.canceled", "routing_form_submission.created",
          "event_type.created", "event_type.updated", "event_type.deleted")
SCOPES = ("organization", "user", "group")
ORG_ONLY_EVENTS = ("routing_form_submission.created",)


def create(ctx: Ctx) -> Response:
    body = _json_body(ctx)
    url, events, scope = _callback(body), _events(body), body.get("scope")
    if scope not in SCOPES:
        raise invalid_argument("scope", f"must be one of {', '.join(SCOPES)}")
    org_uuid = uuid_from_uri(_text(body, "organization"), "organizations", "organization")
    if org_uuid not in ctx.state.organizations:
        raise not_found()
    if not same_org(ctx, org_uuid):
        raise forbidden(NO_ACCESS)
    group_uuid = _subscribed_group(ctx, body, scope, events, org_uuid)
    user_uuid = None if group_uuid else _subscribed_user(ctx, body, scope, events, org_uuid)
    with ctx.state.lock:
        if any(s.callback_url == url and s.org_uuid == org_uuid and s.scope == scope
               and s.user_uuid == user_uuid and s.group_uuid == group_uuid
               for s in ctx.state.webhooks.values()):
            raise already_exists("Hook with this url already exists")
        sub = WebhookSubscription(random_uuid(), url, events, scope, org_uuid, user_uuid,
                                  ctx.me.uuid, body.get("signing_key") or secrets.token_urlsafe(32),
                                  ctx.now, ctx.now, group_uuid=group_uuid, scopes=ctx.scopes)
        ctx.state.webhooks[sub.uuid] = sub
    return json_response({"resource": ctx.render.webhook(sub)}, 201)


def _json_body(ctx: Ctx) -> dict:
    try:
        body = json.loads(ctx.request.get_data() or b"{}")
    except ValueError:
        raise invalid_argument("body", "must be JSON") from None
    if not isinstance(body, dict):
        raise invalid_argument("body", "must be a JSON object")
    return body


def _text(body: dict, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise invalid_argument(name, "is required")
    return value


def _callback(body: dict) -> str:
    url = _text(body, "url")
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise invalid_argument("url", "must be an http(s) URL")
    return url


def _events(body: dict) -> list[str]:
    events = body.get("events")
    if not isinstance(events, list) or not events or len(set(events)) != len(events) \
            or any(e not in EVENTS for e in events):
        raise invalid_argument("events", f"must be a non-empty list of {', '.join(EVENTS)}")
    return events


def _subscribed_group(ctx: Ctx, body: dict, scope: str, events: list[str],
                      org_uuid: str) -> str | None:
    """Scope `group`: the group (required) of the organization; its organization's owners
    and admins, and the group's admins, may subscribe to it."""
    if scope != "group":
        return None
    if any(e in ORG_ONLY_EVENTS for e in events):
        raise invalid_argument("events", "routing_form_submission.created needs scope organization")
    group = group_param(ctx, _text(body, "group"))
    assert group is not None
    if group.org_uuid != org_uuid:
        raise forbidden(NO_ACCESS)
    check_group_access(ctx, group)
    return group.uuid


def _subscribed_user(ctx: Ctx, body: dict, scope: str, events: list[str], org_uuid: str):
    if scope == "organization":
        if not is_admin_of(ctx, org_uuid):
            raise forbidden(NO_PERMISSION)
        return None
    if any(e in ORG_ONLY_EVENTS for e in events):
        raise invalid_argument("events", "routing_form_submission.created needs scope organization")
    user_uuid = uuid_from_uri(_text(body, "user"), "users", "user")
    user = ctx.state.users.get(user_uuid)
    if user is None:
        raise not_found()
    if user.org_uuid != org_uuid:
        raise forbidden(NO_ACCESS)
    if user_uuid != ctx.me.uuid and not is_admin_of(ctx, org_uuid):
        raise forbidden(NO_PERMISSION)
    return user_uuid


def webhooks_list(ctx: Ctx) -> Response:
    org = org_param(ctx)
    if org is None:
        raise invalid_argument("organization", "is required")
    scope = ctx.args.get("scope")
    if scope not in SCOPES:
        raise invalid_argument("scope", f"must be one of {', '.join(SCOPES)}")
    user = user_param(ctx)
    if scope == "user" and user is None:
        raise invalid_argument("user", "is required when scope is user")
    if scope == "group" and not ctx.args.get("group"):
        raise invalid_argument("group", "is required when scope is group")
    group = group_param(ctx) if scope == "group" else None
    if group is not None:
        if group.org_uuid != org.uuid:
            raise forbidden(NO_PERMISSION)
        check_group_access(ctx, group)
    else:
        _check_list_access(ctx, org.uuid, scope, user)
    sort = parse_sort(ctx.args.get("sort"), ("created_at",), "created_at:asc")
    with ctx.state.lock:
        rows = [s for s in ctx.state.webhooks.values() if s.org_uuid == org.uuid
                and s.scope == scope and (user is None or s.user_uuid == user.uuid)
                and (group is None or s.group_uuid == group.uuid)]
        page = paginate(rows, lambda s: [iso(s.created_at), s.uuid], sort, ctx.args,
                        f"{ctx.sandbox.base_url}/webhook_subscriptions")
    return json_response({"collection": [ctx.render.webhook(s) for s in page.rows],
                          "pagination": page.pagination})


def _check_list_access(ctx: Ctx, org_uuid: str, scope: str, user) -> None:
    if not same_org(ctx, org_uuid):
        raise forbidden(NO_PERMISSION)
    admin = is_admin_of(ctx, org_uuid)
    if scope == "organization" and not admin:
        raise forbidden(NO_ACCESS)
    if user is not None and (user.org_uuid != org_uuid or (user.uuid != ctx.me.uuid
                                                           and not admin)):
        raise forbidden("Unauthorized")


def _visible(ctx: Ctx, uuid: str) -> WebhookSubscription:
    sub = ctx.state.webhooks.get(uuid)
    if sub is None:
        raise not_found()
    mine = ctx.me.uuid in (sub.user_uuid, sub.creator_uuid)
    if not (same_org(ctx, sub.org_uuid) and (mine or is_admin_of(ctx, sub.org_uuid))):
        raise forbidden()
    return sub


def webhook_get(ctx: Ctx, webhook_uuid: str) -> Response:
    return json_response({"resource": ctx.render.webhook(_visible(ctx, webhook_uuid))})


def webhook_delete(ctx: Ctx, webhook_uuid: str) -> Response:
    with ctx.state.lock:
        _visible(ctx, webhook_uuid)
        del ctx.state.webhooks[webhook_uuid]
    return Response(status=204)


ROUTES = [
    ("/webhook_subscriptions", ["POST"], create),
    ("/webhook_subscriptions", ["GET"], webhooks_list),
    ("/webhook_subscriptions/<webhook_uuid>", ["GET"], webhook_get),
    ("/webhook_subscriptions/<webhook_uuid>", ["DELETE"], webhook_delete),
]
