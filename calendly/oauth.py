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


@dataclass(frozen=True)
class TokenGrant:
    access_token: str
    refresh_token: str
    expires_at: datetime
    owner: str
    organization: str
    scope: str

    @classmethod
    def from_response(cls, body: dict) -> TokenGrant:
        return cls(
            access_token=body["access_token"],
            refresh_token=body["refresh_token"],
            expires_at=timezone.now() + timedelta(seconds=int(body.get("expires_in") or 7200)),
            owner=body.get("owner") or "",
            organization=body.get("organization") or "",
            scope=body.get("scope") or "",
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
    try:
        return str(response.json().get("error") or response.status_code)
    except ValueError:
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
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
        raise CodeRefused("Calendly's token service sent an unreadable answer")
    return body


def refresh(refresh_token: str) -> TokenGrant:
    response = _token_request({"grant_type": "refresh_token", "refresh_token": refresh_token})
    if response.status_code == 200:
        try:
            return TokenGrant.from_response(response.json())
        except (ValueError, KeyError, TypeError):
            raise TokenServiceUnavailable(
                "Calendly's token service sent an unreadable answer"
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
