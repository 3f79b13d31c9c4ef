"""OAuth clients, authorization codes and tokens, held in memory."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

# Tokens minted by the control endpoint (sandbox_token) belong to this built-in client.
CONTROL_CLIENT_ID = "sandbox-control"


@dataclass
class Client:
    client_id: str
    secret: str | None  # None: a public (native) client, which must use PKCE S256
    redirect_uris: list[str]
    name: str = ""
    # The scopes its app settings grant; None: a legacy app, made before scopes, which
    # keeps full access (api-2026.md §1.1).
    scopes: frozenset[str] | None = None

    @property
    def public(self) -> bool:
        return self.secret is None


@dataclass
class AuthCode:
    code: str
    client_id: str
    redirect_uri: str
    user_uuid: str
    challenge: str | None
    expires_at: datetime
    scopes: frozenset[str] | None = None  # what the tokens of this code will carry
    used: bool = False
    grant_id: str = field(default_factory=lambda: secrets.token_hex(8))


@dataclass
class Token:
    value: str
    kind: str  # "access" or "refresh"
    user_uuid: str
    client_id: str
    grant_id: str
    created_at: datetime
    expires_at: datetime | None  # refresh tokens do not expire until used
    scopes: frozenset[str] | None = None  # None: a legacy grant, full access
    revoked: bool = False
    used: bool = False


class TokenStore:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.clients: dict[str, Client] = {CONTROL_CLIENT_ID: Client(CONTROL_CLIENT_ID, None, [])}
        self.codes: dict[str, AuthCode] = {}
        self.tokens: dict[str, Token] = {}

    def register(self, client: Client) -> None:
        with self.lock:
            self.clients[client.client_id] = client

    def issue_code(self, code: AuthCode) -> None:
        with self.lock:
            self.codes[code.code] = code

    def issue_pair(self, user_uuid: str, client_id: str, grant_id: str, ttl: int,
                   now: datetime, scopes: frozenset[str] | None = None) -> tuple[Token, Token]:
        with self.lock:
            access = Token(secrets.token_urlsafe(32), "access", user_uuid, client_id, grant_id,
                           now, now + timedelta(seconds=ttl), scopes)
            refresh = Token(secrets.token_hex(32), "refresh", user_uuid, client_id, grant_id,
                            now, None, scopes)
            self.tokens[access.value] = access
            self.tokens[refresh.value] = refresh
            return access, refresh

    def valid_access(self, value: str, now: datetime) -> Token | None:
        token = self.tokens.get(value)
        if token is None or token.kind != "access" or token.revoked:
            return None
        return token if token.expires_at and now < token.expires_at else None

    def revoke(self, value: str) -> bool:
        """An access token alone; a refresh token with every token of its grant (RFC 7009)."""
        with self.lock:
            token = self.tokens.get(value)
            if token is None:
                return False
            if token.kind == "refresh":
                self.revoke_grant(token.grant_id)
            token.revoked = True
            return True

    def revoke_grant(self, grant_id: str) -> None:
        with self.lock:
            for token in self.tokens.values():
                if token.grant_id == grant_id:
                    token.revoked = True

    def revoke_user(self, user_uuid: str) -> int:
        with self.lock:
            found = [t for t in self.tokens.values() if t.user_uuid == user_uuid and not t.revoked]
            for token in found:
                token.revoked = True
            return len(found)

    def status(self, value: str, now: datetime) -> dict[str, str | None]:
        token = self.tokens.get(value)
        if token is None:
            return {"status": "unknown", "kind": None}
        if token.revoked or token.used:
            state = "revoked"
        elif token.expires_at and now >= token.expires_at:
            state = "expired"
        else:
            state = "active"
        return {"status": state, "kind": token.kind}
