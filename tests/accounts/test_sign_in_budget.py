"""Signing in while the dashboard's own syncs have filled their part of the user's rate
budget (issue #18): the syncs leave a few places of each window to people waiting
(``ratebudget.PEOPLE_RESERVE``), so the sign-in's profile read goes at once instead of
waiting out the minute and failing the sign-in. Against the sandbox, with the real budget."""

import pytest

from accounts.models import CalendlyCredential
from calendly import CalendlyClient, RateLimited, StaticTokenSource, ratebudget
from sandbox.seed import DEMO_ADMIN_EMAIL
from tests.accounts.oauth_flow import sign_in

pytestmark = pytest.mark.django_db


def test_the_sign_in_reads_the_profile_when_syncs_spent_their_part(client, calendly, settings):
    settings.CALENDLY_RATE_LIMIT_PER_MINUTE = 20  # ours 12: the syncs' 11, one for people
    settings.CALENDLY_INTERACTIVE_BUDGET_WAIT_SECONDS = 2
    grant = calendly.mint_token(DEMO_ADMIN_EMAIL)
    sync = CalendlyClient(StaticTokenSource(grant["access_token"], grant["owner"]))
    for _ in range(11):
        sync.current_user()
    with pytest.raises(RateLimited, match="rate budget would wait"):  # a twelfth would wait
        ratebudget.default_budget().acquire(sync.transport.budget_key, max_wait=0)

    response = sign_in(client, DEMO_ADMIN_EMAIL)

    assert (response.status_code, response["Location"]) == (302, "/")
    assert CalendlyCredential.objects.get().calendly_user_uri == grant["owner"]
