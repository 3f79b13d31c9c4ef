"""HTTP calls to Calendly's OAuth host: the code exchange at sign-in, refresh, revocation.

allauth drives the sign-in (state, PKCE verifier, callback); the provider hands the code
to ``exchange_code`` here, so every request to Calendly leaves through this package.
Reference: ../shared/calendly/api-guide.md, "Get Access Token".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.utils import timezone

log = logging.getLogger(__name__)

# Short: a refresh runs while other callers wait on the credential's lock.
TOKEN_TIMEOUT = (5, 10)


class TokenRefused(Exception):
    """Calendly will not refresh: the grant is gone (revoked, used, or the app was removed)."""


class TokenServiceUnavailable(Exception):
    """A transient failure (timeout, 5xx, 429): the stored refresh token is still good."""


class UnreadableGrant(ValueError):
    """A token answer this dashboard cannot use, with what is wrong in words."""


# Calendly's access tokens live 2 hours; an answer outside these bounds is believed only so
# far: a longer life would skip refreshes, a shorter one would refresh on every request.
MIN_TOKEN_SECONDS, MAX_TOKEN_SECONDS = 60, 86400
MAX_TOKEN_LENGTH = 4096


def _token(body: dict, key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TOKEN_LENGTH:
        raise UnreadableGrant(f"the answer has no usable {key}")
    if not value.isascii() or not value.isprintable():
        raise UnreadableGrant(f"the answer's {key} has characters no token has")
    return value


def _lifetime(body: dict) -> int:
    value = body.get("expires_in", 7200)
    if isinstance(value, str) and value.strip().isdigit() and value.isascii():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise UnreadableGrant(f"the answer's expires_in is not a number of seconds: {value!r}")
    return int(max(MIN_TOKEN_SECONDS, min(MAX_TOKEN_SECONDS, value)))


def _reference(body: dict, key: str) -> str:
    value = body.get(key) or ""
    if not isinstance(value, str) or len(value) > 500 or not value.isprintable():
        raise UnreadableGrant(f"the answer's {key} is not a URI")
    return value


def read_grant(body: object) -> dict:
    """A token answer checked before any of it is used: both tokens present, a lifetime in
    bounds, owner and organization as text. ``UnreadableGrant`` says what is wrong."""
    if not isinstance(body, dict):
        raise UnreadableGrant("the answer is not a JSON object")
    return {
        **body,
        "access_token": _token(body, "access_token"),
        "refresh_token": _token(body, "refresh_token"),
        "expires_in": _lifetime(body),
        "owner": _reference(body, "owner"),
        "organization": _reference(body, "organization"),
        "scope": str(body.get("scope") or "")[:1000],
    }


@dataclass(frozen=True)
class TokenGrant:
    access_token: str
    refresh_token: str
    expires_at: datetime
    owner: str
    organization: str
    scope: str

    @classmethod
    def from_response(cls, body: object) -> TokenGrant:
        grant = read_grant(body)
        return cls(
            access_token=grant["access_token"],
            refresh_token=grant["refresh_token"],
            expires_at=timezone.now() + timedelta(seconds=grant["expires_in"]),
            owner=grant["owner"],
            organization=grant["organization"],
            scope=grant["scope"],
        )


class CodeRefused(Exception):
    """Calendly would not exchange the sign-in's code (expired, used, or a wrong verifier)."""


def _post(
    path: str, data: dict[str, str], client: tuple[str, str] | None = None
) -> requests.Response:
    return requests.post(
        f"{settings.CALENDLY_AUTH_BASE_URL}{path}",
        data=data,
        auth=client or (settings.CALENDLY_CLIENT_ID, settings.CALENDLY_CLIENT_SECRET),
        headers={"Accept": "application/json"},
        timeout=TOKEN_TIMEOUT,
    )


def _token_request(
    data: dict[str, str], client: tuple[str, str] | None = None
) -> requests.Response:
    """POST /oauth/token; no answer at all, a 429 or a 5xx is the service's failure, not ours."""
    try:
        response = _post("/oauth/token", data, client)
    except requests.RequestException as error:
        raise TokenServiceUnavailable(
            f"Calendly's token service did not answer: {type(error).__name__}"
        ) from None
    if response.status_code == 429 or response.status_code >= 500:
        raise TokenServiceUnavailable(f"Calendly's token service answered {response.status_code}")
    return response


def _oauth_error(response: requests.Response) -> str:
    """The OAuth error code Calendly answered (``invalid_grant``), or the status alone for a
    body that is none (HTML, a JSON list)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, str) and error.isascii() and error.isprintable():
        return error[:100]
    return str(response.status_code)


def exchange_code(
    code: str, *, redirect_uri: str, code_verifier: str | None, client: tuple[str, str]
) -> dict:
    """The token response for a sign-in's authorization code, as Calendly sent it.

    ``client`` is the (id, secret) of the OAuth app allauth signed in with.
    """
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if code_verifier:
        data["code_verifier"] = code_verifier
    response = _token_request(data, client)
    if response.status_code != 200:
        raise CodeRefused(f"{_oauth_error(response)} (HTTP {response.status_code})")
    try:
        return read_grant(response.json())
    except ValueError as error:  # UnreadableGrant, or a body that is not JSON
        detail = error if isinstance(error, UnreadableGrant) else "not JSON"
        raise CodeRefused(f"Calendly's token service sent an unreadable answer: {detail}") from None


def refresh(refresh_token: str) -> TokenGrant:
    response = _token_request({"grant_type": "refresh_token", "refresh_token": refresh_token})
    if response.status_code == 200:
        try:
            return TokenGrant.from_response(response.json())
        except ValueError as error:  # UnreadableGrant, or a body that is not JSON
            detail = error if isinstance(error, UnreadableGrant) else "not JSON"
            # The stored tokens stay as they are; the refresh is tried again later.
            raise TokenServiceUnavailable(
                f"Calendly's token service sent an unreadable answer: {detail}"
            ) from None
    error = _oauth_error(response)
    log.info("Calendly refused a token refresh: %s (HTTP %s)", error, response.status_code)
    raise TokenRefused(error)


def revoke(token: str) -> bool:
    """Revokes an access or refresh token; False when Calendly could not be reached or refused."""
    try:
        response = _post("/oauth/revoke", {"token": token})
    except requests.RequestException as error:
        log.warning("Could not revoke a Calendly token: %s", type(error).__name__)
        return False
    return response.status_code == 200
