"""The OAuth 2.0 server, as the guide describes auth.calendly.com: authorization code with
PKCE, single-use rotating refresh tokens, and revocation. Errors follow RFC 6749."""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import re
import secrets
import time
from datetime import timedelta
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Response

from sandbox.core import Ctx
from sandbox.errors import json_response
from sandbox.scopes import SCOPE_NAME, granted_by, scope_text
from sandbox.seed import LARGE_ORG_NAME
from sandbox.timefmt import unix
from sandbox.tokens import AuthCode, Client, Token

TEMPLATES = Path(__file__).parent / "templates" / "sandbox"
AUTHORIZE_FIELDS = ("client_id", "response_type", "redirect_uri", "state", "code_challenge",
                    "code_challenge_method", "scope")
# RFC 7636: a S256 challenge is the unpadded base64url of a SHA-256, 43 characters.
S256_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400,
                 headers: dict[str, str] | None = None):
        super().__init__(description)
        self.error, self.description, self.status = error, description, status
        self.headers = headers or {}

    def response(self, basic: bool = False) -> Response:
        headers = {**NO_STORE, **self.headers}
        if self.status == 401 and basic:
            headers["WWW-Authenticate"] = 'Basic realm="sandbox"'
        return json_response({"error": self.error, "error_description": self.description},
                             self.status, headers)


class PageError(Exception):
    """A request that must not be redirected: unknown client or unregistered redirect URI."""


class RedirectError(Exception):
    def __init__(self, error: str, description: str):
        super().__init__(description)
        self.error, self.description = error, description


# --- /oauth/authorize -----------------------------------------------------------
def authorize(ctx: Ctx) -> Response:
    """GET shows the sign-in and consent page; its form POSTs back here."""
    values = ctx.request.form if ctx.request.method == "POST" else ctx.request.args
    params = {name: values.get(name, "") for name in AUTHORIZE_FIELDS}
    try:
        client = _check_client(ctx, params)
    except PageError as error:
        return _page("error.html", 400, message=html.escape(str(error)))
    try:
        _check_request(client, params)
        scopes = requested_scopes(client, params["scope"])
    except RedirectError as error:
        return _redirect(params, error=error.error, error_description=error.description)
    if ctx.request.method == "GET":
        return _consent(ctx, client, params)
    if "Deny" in values:
        return _redirect(params, error="access_denied", error_description="The user denied access")
    return _allow(ctx, client, params, values, scopes)


def requested_scopes(client: Client, requested: str) -> frozenset[str] | None:
    """What the tokens of this authorization carry. Calendly documents no `scope` parameter
    (api-2026.md §1.4), so the stricter reading: without one the tokens get what the app's
    settings grant; with one (space-separated, RFC 6749 3.3) they get exactly those names,
    each of which the app must be granted, else `invalid_scope`. "default", what a 2024
    token response said, asks for the app's grant unchanged."""
    names = requested.split()
    if not names or names == ["default"]:
        return client.scopes
    bad = [n for n in names if not SCOPE_NAME.match(n)]
    if bad:
        raise RedirectError("invalid_scope", f"Unknown scope: {' '.join(bad)}")
    allowed = None if client.scopes is None else granted_by(client.scopes)
    refused = [n for n in names if allowed is not None and n not in allowed]
    if refused:
        raise RedirectError("invalid_scope", "The app is not granted: " + " ".join(refused))
    return frozenset(names)


def _check_client(ctx: Ctx, params: dict[str, str]) -> Client:
    client = ctx.sandbox.tokens.clients.get(params["client_id"])
    if client is None or not client.redirect_uris:
        raise PageError("Unknown client_id.")
    if params["redirect_uri"] not in client.redirect_uris:
        raise PageError("The redirect_uri does not match any registered for this client.")
    return client


def _check_request(client: Client, params: dict[str, str]) -> None:
    if params["response_type"] != "code":
        raise RedirectError("unsupported_response_type", "response_type must be code")
    challenge, method = params["code_challenge"], params["code_challenge_method"]
    uses_pkce = bool(challenge or method or client.public)
    if uses_pkce and (method != "S256" or not S256_CHALLENGE.match(challenge)):
        raise RedirectError("invalid_request", "PKCE with code_challenge_method=S256 and "
                            "a valid code_challenge is required")


def _consent(ctx: Ctx, client: Client, params: dict[str, str], error: str = "") -> Response:
    hidden = "".join(f'<input type="hidden" name="{n}" value="{html.escape(v)}">'
                     for n, v in params.items())
    return _page("consent.html", 400 if error else 200, action="/oauth/authorize",
                 client_name=html.escape(client.name or client.client_id), hidden=hidden,
                 options=_user_options(ctx),
                 error=f'<p class="error">{html.escape(error)}</p>' if error else "")


def _user_options(ctx: Ctx) -> str:
    groups = []
    for org in ctx.state.organizations.values():
        if org.name == LARGE_ORG_NAME:
            continue  # thousands of generated members: typing an email reaches them
        users = [ctx.state.users[m.user_uuid] for m in ctx.state.members_by_org[org.uuid]]
        options = "".join(f'<option value="{html.escape(u.email)}">{html.escape(u.name)} '
                          f"({html.escape(u.email)})</option>" for u in users)
        groups.append(f'<optgroup label="{html.escape(org.name)}">{options}</optgroup>')
    return "".join(groups)


def _allow(ctx: Ctx, client: Client, params: dict[str, str], values: Any,
           scopes: frozenset[str] | None) -> Response:
    email = (values.get("email_typed") or "").strip() or values.get("email", "")
    user = ctx.state.user_by_email(email)
    if user is None:
        return _consent(ctx, client, params, error=f"No seeded user has the email {email!r}.")
    code = AuthCode(secrets.token_hex(32), client.client_id, params["redirect_uri"], user.uuid,
                    params["code_challenge"] or None,
                    ctx.now + timedelta(seconds=ctx.sandbox.knobs.code_ttl), scopes)
    ctx.sandbox.tokens.issue_code(code)
    return _redirect(params, code=code.code)


def _redirect(params: dict[str, str], **query: str) -> Response:
    if params["state"]:
        query["state"] = params["state"]
    target = params["redirect_uri"]
    joiner = "&" if "?" in target else "?"
    return Response(status=302, headers={"Location": f"{target}{joiner}{urlencode(query)}"})


def _page(name: str, status: int, **values: str) -> Response:
    body = Template((TEMPLATES / name).read_text()).substitute(values)
    return Response(body, status=status, mimetype="text/html",
                    headers={"X-Frame-Options": "DENY", "Cache-Control": "no-store"})


# --- /oauth/token and /oauth/revoke ----------------------------------------------
def token(ctx: Ctx) -> Response:
    basic = _basic(ctx) is not None
    try:
        client = authenticate_client(ctx)
        grant = ctx.request.form.get("grant_type", "")
        _limit_per_user(ctx, _grant_user(ctx, client, grant))
        if grant == "authorization_code":
            return _token_response(ctx, *_exchange_code(ctx, client))
        if grant == "refresh_token":
            return _token_response(ctx, *_rotate_refresh(ctx, client))
        if not grant:
            raise OAuthError("invalid_request", "grant_type is required")
        raise OAuthError("unsupported_grant_type", f"{grant} is not supported")
    except OAuthError as error:
        return error.response(basic)


def _grant_user(ctx: Ctx, client: Client, grant: str) -> str | None:
    """The user of the code or refresh token presented (of this client), known or not."""
    form, tokens = ctx.request.form, ctx.sandbox.tokens
    with tokens.lock:
        if grant == "authorization_code":
            code = tokens.codes.get(form.get("code", ""))
            return code.user_uuid if code and code.client_id == client.client_id else None
        if grant == "refresh_token":
            old = tokens.tokens.get(form.get("refresh_token", ""))
            if old and old.kind == "refresh" and old.client_id == client.client_id:
                return old.user_uuid
    return None


def _limit_per_user(ctx: Ctx, user_uuid: str | None) -> None:
    """Calendly's limit of token requests per user per minute (knob
    token_rate_limit_per_minute). A request naming no known code or refresh token is not
    counted; a refused one leaves its code or refresh token unused, to be retried."""
    limit = ctx.sandbox.knobs.token_rate_limit_per_minute
    if not limit or user_uuid is None:
        return
    decision = ctx.sandbox.token_limiter.check(user_uuid, limit, time.monotonic())
    if decision.early_retry:
        ctx.sandbox.stats.bump("token_early_retries")
    if not decision.allowed:
        ctx.sandbox.stats.bump("token_rate_limited")
        raise OAuthError("rate_limited", "Too many token requests for this user; retry in "
                         f"{decision.reset_seconds} s", 429, decision.headers())


def revoke(ctx: Ctx) -> Response:
    basic = _basic(ctx) is not None
    try:
        authenticate_client(ctx)
        value = ctx.request.form.get("token", "")
        if not value:
            raise OAuthError("invalid_request", "token is required")
    except OAuthError as error:
        return error.response(basic)
    # RFC 7009: an unknown token is not an error; the answer is the same either way.
    ctx.sandbox.tokens.revoke(value)
    return json_response({}, 200, NO_STORE)


def _basic(ctx: Ctx) -> tuple[str, str] | None:
    auth = ctx.request.authorization
    if auth is None or auth.type.lower() != "basic":
        return None
    return auth.username or "", auth.password or ""


def authenticate_client(ctx: Ctx) -> Client:
    """HTTP Basic for web clients; `client_id` in the body for native ones (a web client
    may also send `client_secret` in the body, as RFC 6749 section 2.3.1 allows)."""
    form, basic = ctx.request.form, _basic(ctx)
    client_id, secret = basic or (form.get("client_id", ""), form.get("client_secret"))
    client = ctx.sandbox.tokens.clients.get(client_id)
    if client is None:
        raise OAuthError("invalid_client", "Unknown client", 401)
    if basic and form.get("client_id") not in (None, client_id):
        raise OAuthError("invalid_request", "client_id differs from the Basic credentials")
    if client.public:
        return client
    if secret is None or not hmac.compare_digest(secret, client.secret or ""):
        raise OAuthError("invalid_client", "Client authentication failed", 401)
    return client


def _exchange_code(ctx: Ctx, client: Client) -> tuple[Token, Token]:
    form, tokens = ctx.request.form, ctx.sandbox.tokens
    if not form.get("code"):
        raise OAuthError("invalid_request", "code is required")
    with tokens.lock:
        code = tokens.codes.get(form["code"])
        if code is None or code.client_id != client.client_id:
            raise OAuthError("invalid_grant", "Unknown authorization code")
        if code.used:
            tokens.revoke_grant(code.grant_id)  # RFC 6749 10.5: a replayed code voids its grant
            raise OAuthError("invalid_grant", "The authorization code was already used")
        if ctx.now >= code.expires_at:
            raise OAuthError("invalid_grant", "The authorization code has expired")
        if form.get("redirect_uri") != code.redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri does not match the authorization")
        if code.challenge and not _verifier_matches(form.get("code_verifier", ""), code.challenge):
            raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge")
        code.used = True
        return tokens.issue_pair(code.user_uuid, client.client_id, code.grant_id,
                                 ctx.sandbox.knobs.token_ttl, ctx.now, code.scopes)


def _verifier_matches(verifier: str, challenge: str) -> bool:
    digest = hashlib.sha256(verifier.encode()).digest()
    computed = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    return bool(verifier) and hmac.compare_digest(computed, challenge)


def _rotate_refresh(ctx: Ctx, client: Client) -> tuple[Token, Token]:
    form, tokens = ctx.request.form, ctx.sandbox.tokens
    if not form.get("refresh_token"):
        raise OAuthError("invalid_request", "refresh_token is required")
    with tokens.lock:
        old = tokens.tokens.get(form["refresh_token"])
        if old is None or old.kind != "refresh" or old.client_id != client.client_id:
            raise OAuthError("invalid_grant", "Unknown refresh token")
        if old.used or old.revoked:
            raise OAuthError("invalid_grant", "The refresh token was already used or revoked")
        old.used = True
        # A refresh keeps the grant's scopes, as RFC 6749 6 has it when none are asked for.
        return tokens.issue_pair(old.user_uuid, client.client_id, old.grant_id,
                                 ctx.sandbox.knobs.token_ttl, ctx.now, old.scopes)


def token_body(ctx: Ctx, access: Token, refresh: Token) -> dict[str, Any]:
    """Exactly the guide's fields of a token response."""
    user = ctx.state.users[access.user_uuid]
    return {
        "token_type": "Bearer",
        "access_token": access.value,
        "refresh_token": refresh.value,
        "scope": scope_text(access.scopes),
        "created_at": unix(access.created_at),
        "expires_in": int((access.expires_at - access.created_at).total_seconds()),
        "owner": ctx.render.uri("users", user.uuid),
        "organization": ctx.render.uri("organizations", user.org_uuid),
    }


def _token_response(ctx: Ctx, access: Token, refresh: Token) -> Response:
    return json_response(token_body(ctx, access, refresh), 200, NO_STORE)


ROUTES = [
    ("/oauth/authorize", ["GET", "POST"], authorize),
    ("/oauth/token", ["POST"], token),
    ("/oauth/revoke", ["POST"], revoke),
]
