"""The OAuth callback and the webhook receiver are rate-limited per client address: a flood
is answered 429, other clients and the probes are still served, over a real server too.

Each test sets a rate of its own and floods from addresses of its own: both are part of
the counter's key, so these floods never use up the budget of the suite's other sign-ins
from 127.0.0.1, nor meet the counters an earlier run left in the same Redis database (a
day-long window outlives a run, and .ci/run comes back to the same instants).
"""

from __future__ import annotations

import ipaddress
import secrets
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from ops.ratelimit import client_address

CALLBACK = "/accounts/calendly/login/callback/?code=guess&state=guess"
RECEIVER = "/webhooks/calendly/"


def fresh_rate(limit: int) -> str:
    """``limit`` per a period of 12 days to 3 years that no other test or run picks (a
    counter of its own): a hundred million periods, where a thousand met again in CI."""
    return f"{limit}/{secrets.randbelow(10**8) + 10**6}s"


def fresh_network() -> int:
    """A /64 of the documentation range (2001:db8::/32) no other run floods from, as an int."""
    return (0x20010DB8 << 96) | (secrets.randbits(32) << 64)


def host(network: int, index: int = 1, subnet: int = 0) -> str:
    """Host ``index`` of ``network``, or of its ``subnet``-th neighbouring /64."""
    return str(ipaddress.IPv6Address(network + (subnet << 64) + index))


def flood(client, method: str, path: str, times: int, address: str) -> list[int]:
    send = client.get if method == "GET" else client.post
    return [send(path, REMOTE_ADDR=address).status_code for _ in range(times)]


@pytest.mark.django_db
def test_a_flood_of_the_oauth_callback_is_answered_429_and_others_still_get_in(client, settings):
    settings.RATE_LIMIT_OAUTH_CALLBACK = fresh_rate(5)
    network = fresh_network()
    flooder, other = host(network), host(network, subnet=1)
    statuses = flood(client, "GET", CALLBACK, 12, flooder)
    assert statuses[:5] == [302] * 5  # a failed sign-in: back to the home page with a message
    assert statuses[5:] == [429] * 7
    refused = client.get(CALLBACK, REMOTE_ADDR=flooder)
    assert refused["Retry-After"] == "60" and b"Too many requests" in refused.content
    assert client.get(CALLBACK, REMOTE_ADDR=other).status_code == 302
    assert client.get("/healthz", REMOTE_ADDR=flooder).status_code == 200
    assert client.get("/", REMOTE_ADDR=flooder).status_code == 200


@pytest.mark.django_db
def test_a_flood_of_the_webhook_receiver_is_answered_429_before_any_work(client, settings):
    settings.RATE_LIMIT_WEBHOOKS = fresh_rate(20)
    network = fresh_network()
    statuses = flood(client, "POST", RECEIVER, 30, host(network))
    assert statuses[:20] == [403] * 20  # unsigned
    assert statuses[20:] == [429] * 10
    assert flood(client, "POST", RECEIVER, 1, host(network, subnet=1)) == [403]
    assert client.get("/healthz", REMOTE_ADDR=host(network)).status_code == 200


@pytest.mark.django_db
def test_ipv6_clients_are_counted_per_64(client, settings):
    settings.RATE_LIMIT_WEBHOOKS = fresh_rate(3)
    network = fresh_network()
    for index in (1, 2, 3):  # one /64
        assert flood(client, "POST", RECEIVER, 1, host(network, index)) == [403]
    assert flood(client, "POST", RECEIVER, 1, host(network, 4)) == [429]
    assert flood(client, "POST", RECEIVER, 1, host(network, subnet=1)) == [403]  # another /64


class FakeRequest:
    def __init__(self, remote: str, forwarded: str = "") -> None:
        self.META = {"REMOTE_ADDR": remote, "HTTP_X_FORWARDED_FOR": forwarded}


def test_x_forwarded_for_counts_only_behind_trusted_proxies(settings):
    spoofed = FakeRequest("10.0.0.2", "1.2.3.4, 198.51.100.20")
    settings.RATE_LIMIT_TRUSTED_PROXIES = 0
    assert client_address(spoofed) == "10.0.0.2"  # the header is the client's to forge
    settings.RATE_LIMIT_TRUSTED_PROXIES = 1
    # nginx appended the address it saw; what the client put before it is not believed.
    assert client_address(spoofed) == "198.51.100.20"
    settings.RATE_LIMIT_TRUSTED_PROXIES = 2
    assert client_address(spoofed) == "1.2.3.4"
    assert client_address(FakeRequest("10.0.0.2", "not-an-address")) == "unparsable"
    assert client_address(FakeRequest("10.0.0.2")) == "10.0.0.2"


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_flood_over_http_gets_429s_and_the_server_stays_up(live_server, settings):
    """200 requests from 20 threads at a real (threaded) server: exactly the limit gets
    through (counts are atomic on Redis and on the file cache), and the probe answers."""
    settings.RATE_LIMIT_WEBHOOKS = fresh_rate(30)
    url = f"{live_server.url}{RECEIVER}"

    def send(_):
        return requests.post(url, data=b"{}", timeout=10).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(send, range(200)))
    assert set(statuses) <= {403, 429}, sorted(set(statuses))
    assert statuses.count(403) == 30, statuses.count(403)
    assert requests.get(f"{live_server.url}/healthz", timeout=5).status_code == 200
