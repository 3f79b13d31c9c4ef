"""403 "Insufficient scope" (api-2026.md §1.5) is its own error, with the scope names; any
other 403, and any scope body that is not well formed, stays a plain PermissionDenied."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from calendly import InsufficientScope, PermissionDenied
from calendly.errors import error_for
from sandbox.seed import DEMO_ADMIN_EMAIL, DEMO_MEMBER_EMAIL
from tests.availability.conftest import static_client

MESSAGE = "This operation requires the scopes listed in the 'required_scopes' array."


def soon_span():
    start = timezone.now() + timedelta(minutes=5)
    return start, start + timedelta(days=2)


def test_a_call_without_its_scope_raises_insufficient_scope_with_the_names(calendly):
    client, grant = static_client(calendly, DEMO_MEMBER_EMAIL, scopes=["users:read"])
    assert client.current_user().uri == grant["owner"]  # what it is granted still works
    with pytest.raises(InsufficientScope, match=r"^403 Insufficient scope: .*\(required scopes: availability:read\)$") as caught:
        client.busy_times(grant["owner"], *soon_span())
    error = caught.value
    assert isinstance(error, PermissionDenied) and error.status == 403
    assert error.required_scopes == ["availability:read"]
    assert error.title == "Insufficient scope" and error.message == MESSAGE
    assert "availability:read" in str(error)
    assert client.stats.calls == 2  # a 403 is not retried


def test_a_plain_permission_denied_stays_what_it_was(calendly):
    client, _ = static_client(calendly, DEMO_MEMBER_EMAIL, scopes=["availability:read"])
    admin = static_client(calendly, DEMO_ADMIN_EMAIL)[1]["owner"]
    with pytest.raises(PermissionDenied, match=r"^403 Permission Denied: This user is not in your organization$") as caught:
        client.busy_times(admin, *soon_span())
    assert not isinstance(caught.value, InsufficientScope)
    assert caught.value.title == "Permission Denied"


GOOD = {"title": "Insufficient scope", "message": MESSAGE, "required_scopes": ["groups:read"]}


@pytest.mark.parametrize(
    "body",
    [
        {**GOOD, "required_scopes": []},
        {**GOOD, "required_scopes": "groups:read"},
        {**GOOD, "required_scopes": ["Groups:Read"]},
        {**GOOD, "required_scopes": ["groups"]},
        {**GOOD, "required_scopes": [None]},
        {k: v for k, v in GOOD.items() if k != "required_scopes"},
        {k: v for k, v in GOOD.items() if k != "message"},
        {**GOOD, "title": "Permission Denied"},
        "Insufficient scope",
    ],
)
def test_an_ill_formed_scope_body_is_a_plain_permission_error(body):
    error = error_for(403, body, "https://api.calendly.com/groups")
    assert type(error) is PermissionDenied


def test_the_well_formed_body_only_counts_on_a_403():
    assert type(error_for(403, GOOD, "u")) is InsufficientScope
    assert not isinstance(error_for(400, GOOD, "u"), InsufficientScope)
