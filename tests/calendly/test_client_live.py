"""The Calendly client over real HTTP: pagination, every error type, retries, the host check."""

from __future__ import annotations

import re

import pytest
import requests

from accounts.models import CalendlyCredential
from accounts.tokens import CredentialTokens, NeedsReconnect
from availability.models import SyncRun
from calendly import (
    BadRequest,
    CalendlyClient,
    ExternalCalendarError,
    NotFound,
    PermissionDenied,
    RetryPolicy,
    ServerError,
    StaticTokenSource,
    Unauthorized,
    Unavailable,
    UnexpectedResponse,
    UntrustedURL,
)
from calendly.ratebudget import FileBudget
from calendly.resources import MalformedResource
from sandbox.seed import DEMO_ADMIN_EMAIL, DEMO_MEMBER_EMAIL, DEMO_OWNER_EMAIL
from sync import runs, windows
from tests.availability.conftest import static_client
from tests.availability.peers import running_peer


def soon_span():
    """The first sync window from now: in the future, as Calendly wants."""
    window = windows.sync_windows()[0]
    return window.start, window.end


def test_a_collection_is_read_page_by_page_each_page_once(calendly):
    client, grant = static_client(calendly, DEMO_OWNER_EMAIL)
    query = {"organization": grant["organization"], "count": 3}
    pages = list(client.pages("/organization_memberships", query))
    assert [len(page) for page in pages] == [3, 3, 2]
    assert len({row["uri"] for page in pages for row in page}) == 8
    assert calendly.stats()["requests"] == {"GET /organization_memberships": 3}
    assert client.stats.calls == 3 and client.stats.retries == 0


def test_a_resource_is_fetched_by_its_uri(calendly):
    client, grant = static_client(calendly, DEMO_OWNER_EMAIL)
    assert client.user(grant["owner"]).email == DEMO_OWNER_EMAIL
    assert client.current_user().uri == grant["owner"]


def test_400_is_our_mistake_and_not_retried(calendly):
    client, grant = static_client(calendly, DEMO_OWNER_EMAIL)
    start, _ = soon_span()
    with pytest.raises(BadRequest, match=r"^400 Invalid Argument: .*start_time: must be in the future") as caught:
        client.busy_times(grant["owner"], start.replace(year=2020), start)
    assert caught.value.title == "Invalid Argument"
    assert caught.value.details[0]["parameter"] == "start_time"
    assert client.stats.calls == 1


def test_401_with_a_token_that_cannot_be_refreshed(calendly):
    client = CalendlyClient(StaticTokenSource("not-a-token", "nobody"))
    with pytest.raises(Unauthorized, match=r"^401: The access token was rejected and cannot be refreshed$"):
        client.current_user()


@pytest.mark.django_db(transaction=True)
def test_401_refreshes_once_through_the_token_function(calendly, connect):
    credential = connect(DEMO_OWNER_EMAIL, access_token="revoked-elsewhere")
    client = CalendlyClient(CredentialTokens(credential.pk))
    assert client.current_user().uri == credential.calendly_user_uri
    credential.refresh_from_db()
    assert credential.access_token != "revoked-elsewhere" and credential.last_refreshed_at
    assert (client.stats.calls, client.stats.retries) == (2, 1)


@pytest.mark.django_db(transaction=True)
def test_401_then_a_refused_refresh_means_reconnect(calendly, connect):
    credential = connect(DEMO_OWNER_EMAIL)
    calendly.revoke_user_tokens(DEMO_OWNER_EMAIL)
    with pytest.raises(NeedsReconnect, match=r"refused to renew access \(invalid_grant\)"):
        CalendlyClient(CredentialTokens(credential.pk)).current_user()
    credential.refresh_from_db()
    assert credential.state == CalendlyCredential.State.NEEDS_RECONNECT
    result = runs.sync_user(credential.pk)
    assert result.status == SyncRun.Status.FAILED and "not connected" in result.summary


def test_403_carries_calendlys_words(calendly):
    client, _ = static_client(calendly, DEMO_MEMBER_EMAIL)
    admin = static_client(calendly, DEMO_ADMIN_EMAIL)[1]["owner"]
    with pytest.raises(PermissionDenied, match=r"^403 Permission Denied: This user is not in your organization$") as caught:
        client.busy_times(admin, *soon_span())
    assert caught.value.message == "This user is not in your organization"
    assert client.stats.calls == 1


def test_404(calendly):
    client, grant = static_client(calendly, DEMO_OWNER_EMAIL)
    with pytest.raises(NotFound, match=r"^404 Resource Not Found"):
        client.user(grant["owner"].rsplit("/", 1)[0] + "/NOSUCHUSER")


def test_424_is_an_external_calendar_problem():
    # The sandbox has no way to fail a calendar connection: a stand-in API answers 424.
    body = {
        "title": "External Calendar Error",
        "message": "There is a problem accessing your calendar.",
    }
    with running_peer(lambda path: (424, {}, body)) as api:
        client = CalendlyClient(StaticTokenSource("t", "u"), base_url=api.url)
        with pytest.raises(ExternalCalendarError, match=r"^424 External Calendar Error") as caught:
            client.busy_times(f"{api.url}/users/U", *soon_span())
    assert "problem accessing your calendar" in str(caught.value)
    assert len(api.seen) == 1


def test_5xx_are_retried_with_backoff_then_reported(calendly):
    calendly.configure(error_rate=1.0)
    client, _ = static_client(calendly, DEMO_OWNER_EMAIL)
    with pytest.raises(ServerError, match=r"^500 Internal Server Error") as caught:
        client.current_user()
    assert caught.value.status == 500
    assert (client.stats.calls, client.stats.retries) == (4, 3)
    assert calendly.stats()["injected_errors"] == 4


def test_intermittent_5xx_are_absorbed(calendly):
    calendly.configure(error_rate=0.5)
    policy = RetryPolicy(max_attempts=12, base_delay=0.01, max_delay=0.05)
    client, grant = static_client(calendly, DEMO_OWNER_EMAIL, policy=policy)
    for _ in range(8):
        assert client.user(grant["owner"]).email == DEMO_OWNER_EMAIL
    assert client.stats.retries == calendly.stats()["injected_errors"] > 0


def test_a_stall_times_out_and_is_retried_then_reported(calendly):
    calendly.configure(stall_rate=1.0, stall_seconds=1.0)
    client, _ = static_client(
        calendly,
        DEMO_OWNER_EMAIL,
        timeout=(1.0, 0.2),
        policy=RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02),
    )
    with pytest.raises(Unavailable, match=r"did not answer after 2 attempts \(ReadTimeout\)"):
        client.current_user()
    assert client.stats.calls == 2


@pytest.mark.parametrize("kind", ["non_json", "truncated"])
def test_a_garbled_body_is_retried(calendly, kind):
    calendly.fault("/users/me", kind, count=1)
    client, grant = static_client(calendly, DEMO_OWNER_EMAIL)
    assert client.current_user().uri == grant["owner"]
    assert client.stats.retries == 1


def test_a_body_still_garbled_after_the_attempts_is_unexpected(calendly):
    calendly.fault("/users/me", "non_json", count=10)
    client, _ = static_client(calendly, DEMO_OWNER_EMAIL)
    with pytest.raises(UnexpectedResponse, match=r"answered 200 without a JSON object"):
        client.current_user()


def test_an_invalid_time_zone_is_kept_and_flagged(calendly):
    calendly.fault("/organization_memberships", "invalid_timezone", count=1)
    client, grant = static_client(calendly, DEMO_OWNER_EMAIL)
    people = list(client.memberships(organization=grant["organization"]))
    assert {p.user.timezone for p in people} == {"Mars/Olympus_Mons"}
    assert not any(p.user.timezone_known for p in people)


@pytest.mark.parametrize("kind", ["wrong_types", "missing_fields"])
def test_mangled_records_are_skipped_and_named_never_crash(calendly, kind):
    calendly.fault("/event_types", kind, count=1)
    client, grant = static_client(calendly, DEMO_OWNER_EMAIL)
    listing = client.event_types(organization=grant["organization"])
    assert list(listing) == []  # a record without a URI cannot be stored
    assert listing.rejected and client.stats.rejected == listing.rejected
    assert all(name.startswith("/event_types ") for name in listing.rejected)


@pytest.mark.parametrize("kind", ["wrong_types", "missing_fields"])
def test_a_mangled_busy_time_fails_its_window_in_words(calendly, kind):
    """Busy times replace what is stored: one left out would show its time as free."""
    calendly.fault("/user_busy_times", kind, count=1)
    client, grant = static_client(calendly, DEMO_OWNER_EMAIL)
    start, end = soon_span()
    with pytest.raises(MalformedResource, match="start_time|end_time"):
        client.busy_times(grant["owner"], start, end)


def test_a_huge_page_is_read(calendly):
    calendly.fault("/event_types", "huge_page", count=1)
    client, grant = static_client(calendly, DEMO_OWNER_EMAIL)
    assert len(list(client.event_types(organization=grant["organization"]))) >= 5000


# --- The token stays on the API's host ---------------------------------------------


def test_a_resource_uri_on_another_host_is_never_sent_the_token(calendly):
    client, _ = static_client(calendly, DEMO_OWNER_EMAIL)
    with running_peer() as elsewhere:
        for uri in (
            f"{elsewhere.url}/users/ABC",
            "http://localhost:1/users/ABC",
            f"{calendly.url}@127.0.0.1:{elsewhere.server.server_port}/users/ABC",
        ):
            with pytest.raises(UntrustedURL, match=f"Refusing to send the Calendly token to {re.escape(repr(uri))}"):
                client.user(uri)
        assert elsewhere.seen == []
    assert client.stats.calls == 0


def url_tricks(api: str, evil: str) -> list[str]:
    """URLs that name ``evil`` to one parser and the API's host to another, or to neither
    plainly. ``api`` and ``evil`` are ``host:port``."""
    return [
        f"http://{evil}\\@{api}/users/ABC",  # urllib3 (requests) connects to evil
        f"http://{evil}\\{api}/users/ABC",
        f"http://{api}\\@{evil}/users/ABC",
        f"http://{evil}%40{api}/users/ABC",
        f"http://{api}%2F@{evil}/users/ABC",
        f"http://{api}@{evil}/users/ABC",
        f"http://user:pw@{api}/users/ABC",  # userinfo, even for the right host
        f"http://{api}#@{evil}/users/ABC",
        f"http://{api}/users/ABC#@{evil}",
        f"http://{api}\t/users/ABC",
        f"http://{api}/users/ABC\r\nHost: {evil}",
        f"http://{api}/users/ABC\x00",
        f"http://{api} /users/ABC",
        f"//{evil}/users/ABC",
        f"http://{evil}/users/ABC",
        f"https://{api}/users/ABC",  # another scheme is another origin
        "http://127.0.0.1./users/ABC",  # trailing dot
        f"http://[::1]:{api.rsplit(':', 1)[1]}/users/ABC",  # an IPv6 literal is another host
        f"http://{api}/users/%2e%2e/%2e%2e/oauth/token",
        f"http://{api}/users%2fABC",
        f"http://{api}/users/ÄBC",
    ]


def test_no_url_trick_sends_the_token_anywhere_but_the_api():
    with running_peer() as elsewhere, running_peer() as api:
        evil = f"localhost:{elsewhere.server.server_port}"
        client = CalendlyClient(StaticTokenSource("secret-token", "u"), base_url=api.url)
        for uri in [*url_tricks(api.url.removeprefix("http://"), evil), None, 42]:
            with pytest.raises(UntrustedURL, match="Refusing to send the Calendly token"):
                client.get(uri)
        assert elsewhere.seen == [] and api.seen == []
        assert client.stats.calls == 0
        # The same host in capitals is the same host: rebuilt on the configured base.
        port = api.server.server_port
        assert client.get(f"HTTP://127.0.0.1:{port}/users/ABC?page_token=a@b") == {}
        assert [seen["path"] for seen in api.seen] == ["/users/ABC?page_token=a@b"]


def test_a_next_page_on_another_host_is_never_followed():
    with running_peer() as elsewhere:
        page = {
            "collection": [{"uri": "https://x/event_types/1"}],
            "pagination": {"next_page": f"{elsewhere.url}/event_types?page_token=t"},
        }
        with running_peer(lambda path: (200, {}, page)) as api:
            client = CalendlyClient(StaticTokenSource("secret-token", "u"), base_url=api.url)
            with pytest.raises(UntrustedURL, match=r"Refusing to send the Calendly token to 'http://127\.0\.0\.1:\d+/event_types\?page_token=t'"):
                list(client.event_types(user=f"{api.url}/users/U"))
            assert api.seen[0]["headers"]["Authorization"] == "Bearer secret-token"
        assert elsewhere.seen == []


def test_a_redirect_is_not_followed():
    with running_peer() as elsewhere:
        moved = (302, {"Location": f"{elsewhere.url}/users/me"}, {})
        with running_peer(lambda path: moved) as api:
            client = CalendlyClient(StaticTokenSource("secret-token", "u"), base_url=api.url)
            with pytest.raises(UnexpectedResponse, match=r"^302: HTTP 302$"):
                client.current_user()
        assert elsewhere.seen == []


# --- Rate limit ------------------------------------------------------------------------


def test_a_429_is_waited_out_by_every_sender_and_the_limit_is_learned(calendly, tmp_path):
    """Another program spends the token's minute; the client waits for the announced
    reset, then keeps under the limit Calendly announced, sending nothing early. Calendly's
    minute is 3 s here, on both sides, so the default suite runs it; the sandbox counts a
    request before the reset it announced as an early retry, which is the wait's proof."""
    calendly.configure(rate_limit_per_minute=4, rate_limit_window_seconds=3)
    budget = FileBudget(tmp_path, limit=500, window=3 + 1)  # the margin of window_seconds()
    client, grant = static_client(calendly, DEMO_OWNER_EMAIL, budget=budget)
    for _ in range(4):
        requests.get(
            f"{calendly.url}/users/me", headers=calendly.auth(grant["access_token"]), timeout=5
        ).raise_for_status()
    assert client.current_user().uri == grant["owner"]
    stats = calendly.stats()
    assert stats["rate_limited"] == 1 and stats["early_retries"] == 0
    assert client.stats.rate_limited == 1 and client.stats.retries == 1
    for _ in range(3):  # the new minute's other three: sent at once, none refused
        client.current_user()
    assert calendly.stats()["rate_limited"] == 1 and calendly.stats()["early_retries"] == 0
