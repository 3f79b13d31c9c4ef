"""What every handler reaches: the sandbox's services and the request being served."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime

from werkzeug.wrappers import Request

from sandbox.knobs import Faults, Knobs, RateLimiter
from sandbox.records import User
from sandbox.render import Renderer
from sandbox.stats import Stats
from sandbox.store import State
from sandbox.tokens import TokenStore
from sandbox.webhooks import WebhookDispatcher


@dataclass
class Sandbox:
    state: State
    base_url: str
    knobs: Knobs = field(default_factory=Knobs)
    tokens: TokenStore = field(default_factory=TokenStore)
    stats: Stats = field(default_factory=Stats)
    limiter: RateLimiter = field(default_factory=RateLimiter)
    token_limiter: RateLimiter = field(default_factory=RateLimiter)  # /oauth/token, per user
    faults: Faults = field(default_factory=Faults)
    seed: int = 0
    rng: random.Random = field(default_factory=random.Random)
    webhooks: WebhookDispatcher = field(init=False)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.start_knobs = self.knobs
        self.webhooks = WebhookDispatcher(self.stats, self.state,
                                          lambda: self.knobs.webhook_disable_after)

    @property
    def render(self) -> Renderer:
        return Renderer(self.base_url, self.state)


@dataclass
class Ctx:
    sandbox: Sandbox
    request: Request
    now: datetime
    caller: User | None = None
    token: str | None = None
    scopes: frozenset[str] | None = None  # the token's grant; None: legacy, full access

    @property
    def state(self) -> State:
        return self.sandbox.state

    @property
    def render(self) -> Renderer:
        return self.sandbox.render

    @property
    def args(self) -> dict[str, str]:
        return self.request.args.to_dict()

    @property
    def me(self) -> User:
        """The authenticated caller; API handlers run only after authentication."""
        assert self.caller is not None
        return self.caller
