"""The dashboard's fair share of each user's rate limit (issue #18, item 1), against the
sandbox limiting per user as Calendly does: a user's tokens share one window, so the
dashboard and the user's other integrations (a second token of the same user here) spend
from the same requests. The dashboard spends at most CALENDLY_BUDGET_SHARE of the limit,
and yields until the reset once an answer says only the others' part remains.

Calendly's minute is 3 s here, on both sides (the sandbox's window, the budget's window
with its margin), so the default suite runs these in seconds."""

from __future__ import annotations

import threading

import pytest
import requests
from django.core.exceptions import ImproperlyConfigured

from calendly import ratebudget
from calendly.ratebudget import FileBudget
from sandbox.seed import DEMO_OWNER_EMAIL
from tests.availability.conftest import static_client

LIMIT = 20  # per 3 s window
WINDOW = 3


@pytest.fixture
def shared_limit(calendly, settings, tmp_path):
    """The sandbox at LIMIT per user per window; the dashboard configured for that limit
    with the default share (0.6: 12 of 20 ours, 8 left for the user's other tools)."""
    settings.CALENDLY_RATE_LIMIT_PER_MINUTE = LIMIT
    settings.CALENDLY_BUDGET_SHARE = 0.6
    calendly.configure(
        rate_limit_per_minute=LIMIT, rate_limit_scope="user", rate_limit_window_seconds=WINDOW
    )
    budget = FileBudget(tmp_path, limit=ratebudget.our_part(LIMIT), window=WINDOW + 1)
    client, grant = static_client(calendly, DEMO_OWNER_EMAIL, budget=budget)
    other = calendly.mint_token(DEMO_OWNER_EMAIL)["access_token"]
    return client, grant["access_token"], other


def spend(calendly, token: str, count: int) -> None:
    for _ in range(count):
        requests.get(f"{calendly.url}/users/me", headers=calendly.auth(token), timeout=10)


def test_the_parts_of_a_limit():
    assert (ratebudget.our_part(500), ratebudget.floor_for_others(500)) == (300, 200)
    assert (ratebudget.our_part(50), ratebudget.floor_for_others(50)) == (30, 20)
    assert ratebudget.our_part(1) == 1  # a limit of one still lets a request go


@pytest.mark.parametrize("share", [0, -0.5, 1.01])
def test_a_share_outside_0_to_1_is_a_configuration_error(settings, share):
    settings.CALENDLY_BUDGET_SHARE = share
    with pytest.raises(
        ImproperlyConfigured, match=r"CALENDLY_BUDGET_SHARE=.* above 0 and at most 1"
    ):
        ratebudget.our_part(500)


def test_alone_the_dashboard_spends_its_share_of_a_window_and_no_more(calendly, shared_limit):
    client, ours, _ = shared_limit
    for _ in range(15):  # more than one window's share: the last three wait for the reset
        client.current_user()
    served = calendly.stats()
    assert served["rate_limited"] == 0
    # 12 requests in the first window left 8, the others' part, untouched.
    assert served["lowest_remaining"][ours] == ratebudget.floor_for_others(LIMIT) == 8
    assert client.stats.waited_seconds > 0


def test_when_the_users_other_integration_spends_more_the_dashboard_yields(calendly, shared_limit):
    client, ours, other = shared_limit
    spend(calendly, other, 10)  # the user's CRM took half the window: 10 remain
    for _ in range(5):
        client.current_user()
    served = calendly.stats()
    # Two requests brought the window to 8; the other three waited for the next window.
    assert served["rate_limited"] == 0 and served["per_token"][ours] == 5
    assert served["lowest_remaining"][ours] == 8
    assert client.stats.waited_seconds > 0
    spend(calendly, other, 8)  # and the others' part was still there for them
    assert calendly.stats()["rate_limited"] == 0


def test_beside_a_steady_second_client_nobody_is_refused(calendly, shared_limit):
    """The other integration spends 30% of every window, steadily, while the dashboard
    sends more than it may: neither is ever refused, and the dashboard's answers never
    went far into the others' part (a request of theirs may land between two of ours)."""
    client, ours, other = shared_limit
    stop = threading.Event()

    def steady() -> None:  # one request every 0.5 s: 6 of a 3 s window
        while not stop.is_set():
            spend(calendly, other, 1)
            stop.wait(0.5)

    spender = threading.Thread(target=steady, daemon=True)
    spender.start()
    try:
        for _ in range(30):
            client.current_user()
    finally:
        stop.set()
        spender.join(timeout=10)
    served = calendly.stats()
    assert served["rate_limited"] == 0, served["statuses"]
    assert served["per_token"][other] >= 6  # the second client did spend meanwhile
    assert served["lowest_remaining"][ours] >= ratebudget.floor_for_others(LIMIT) - 2
