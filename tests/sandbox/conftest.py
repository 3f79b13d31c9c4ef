"""Fixtures of the sandbox's own tests: tokens for the seeded roles, an HTTP helper, and
Calendly's OpenAPI description loaded for response validation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from django.conf import settings

from sandbox.seed import (
    DEMO_ADMIN_EMAIL,
    DEMO_MEMBER_EMAIL,
    DEMO_OWNER_EMAIL,
    OTHER_ORG_MEMBER_EMAIL,
)
from tests.needs import unavailable
from tests.sandbox_process import SandboxProcess


@dataclass
class Caller:
    """A seeded person with a fresh access token, and their user and organization URIs."""

    email: str
    token: str
    uri: str
    org: str
    base: str

    def get(self, path: str, **params: Any) -> requests.Response:
        url = path if path.startswith("http") else f"{self.base}{path}"
        return requests.get(url, params=params, headers=self.headers, timeout=15)

    def post(self, path: str, body: dict) -> requests.Response:
        return requests.post(f"{self.base}{path}", json=body, headers=self.headers, timeout=15)

    def delete(self, url: str) -> requests.Response:
        return requests.delete(url, headers=self.headers, timeout=15)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def caller_for(server: SandboxProcess, email: str, scopes: list[str] | None = None) -> Caller:
    """A caller with a token of ``scopes`` (None: a legacy app's, full access)."""
    minted = server.mint_token(email, scopes=scopes)
    return Caller(email, minted["access_token"], minted["owner"], minted["organization"],
                  server.url)


@pytest.fixture
def owner(sandbox: SandboxProcess) -> Caller:
    return caller_for(sandbox, DEMO_OWNER_EMAIL)


@pytest.fixture
def admin(sandbox: SandboxProcess) -> Caller:
    return caller_for(sandbox, DEMO_ADMIN_EMAIL)


@pytest.fixture
def member(sandbox: SandboxProcess) -> Caller:
    return caller_for(sandbox, DEMO_MEMBER_EMAIL)


@pytest.fixture
def outsider(sandbox: SandboxProcess) -> Caller:
    return caller_for(sandbox, OTHER_ORG_MEMBER_EMAIL)


def repair_unsatisfiable_enums(node: Any, path: str = "") -> list[str]:
    """Calendly's file writes `enum: "text"` where JSON Schema needs a list (the shared 401
    response), which no value can satisfy; read it as the one-item list it means.
    Returns where it did so. Nothing else in the loaded description is changed."""
    repaired = []
    if isinstance(node, dict):
        if isinstance(node.get("enum"), str):
            node["enum"] = [node["enum"]]
            repaired.append(path)
        for key, value in node.items():
            repaired += repair_unsatisfiable_enums(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            repaired += repair_unsatisfiable_enums(value, f"{path}/{index}")
    return repaired


# What api-2026.md says changed since the April 2024 file, in the schemas the sandbox's
# answers meet: (where, what, the section saying so). Nothing else is changed.
CHANGES_2026 = (
    ("/components/schemas/EventType/properties/pooling_type/enum", "add multi_pool", "§3"),
    ("/components/schemas/EventType/required", "drop kind_description", "§3"),
    ("/components/schemas/WebhookSubscription/properties/scope/enum", "add group", "§3"),
    ("/components/schemas/WebhookSubscription/properties/events/items/enum",
     "add event_type.created event_type.updated event_type.deleted", "§5"),
)


def apply_2026_changes(spec: dict) -> list[str]:
    """Apply CHANGES_2026 in memory; returns where each applied (so a test can say that
    these and no others were)."""
    applied = []
    for where, change, _source in CHANGES_2026:
        node: Any = spec
        for key in where.strip("/").split("/"):
            node = node[key]
        verb, *values = change.split()
        for value in values:
            if verb == "add" and value not in node:
                node.insert(len(node) - (node[-1] is None), value)
            elif verb == "drop" and value in node:
                node.remove(value)
            else:
                continue
            applied.append(f"{where}: {verb} {value}")
    return applied


@pytest.fixture(scope="session")
def spec_dict() -> dict:
    path = Path(settings.CALENDLY_OPENAPI_PATH)
    try:
        loaded = yaml.safe_load(path.read_text())
    except OSError as error:
        unavailable(
            f"Calendly's openapi.yaml not found at {path} (CALENDLY_OPENAPI_PATH): {error}"
        )
    # An extension key (x-...), which OpenAPI tools ignore, keeps the record with the spec.
    loaded["x-test-repairs"] = repair_unsatisfiable_enums(loaded)
    loaded["x-2026-changes"] = apply_2026_changes(loaded)
    return loaded


@pytest.fixture(scope="session")
def validator_for(spec_dict: dict) -> Callable[[str], Callable]:
    """`validator_for(url)`: a checker of responses of the sandbox at `url` against the spec
    (its `servers` set to that URL in memory); raises on any mismatch."""
    from openapi_core import Config, OpenAPI
    from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

    def make(url: str) -> Callable:
        spec = OpenAPI.from_dict({**spec_dict, "servers": [{"url": url}]},
                                 config=Config(spec_validator_cls=None))

        def check(response: requests.Response, status: int | None = None) -> requests.Response:
            if status is not None:
                assert response.status_code == status, (response.request.url, response.text[:500])
            spec.validate_response(RequestsOpenAPIRequest(response.request),
                                   RequestsOpenAPIResponse(response))
            return response

        return check

    return make


@pytest.fixture(scope="session")
def check_response(validator_for: Callable, sandbox_server: SandboxProcess) -> Callable:
    return validator_for(sandbox_server.url)
