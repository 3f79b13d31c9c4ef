"""How a failed run is classified, against the sandbox: a token Calendly rejects even
after it was renewed, a bug of ours (an unexpected exception) in a run and in one member
batch of an organization run, and a run whose lease another worker took over while it
ran. Each asserts the run's end, its error kind, its retry and the credential's state."""

from __future__ import annotations

import logging

import pytest
from django.utils import timezone

from accounts.models import CalendlyCredential
from accounts.tokens import CredentialTokens
from availability.models import SyncRun
from calendly import CalendlyClient
from sandbox.seed import DEMO_ADMIN_EMAIL, DEMO_OWNER_EMAIL
from sync import lifecycle, runs
from tests.sandbox_process import wait_for

pytestmark = pytest.mark.django_db(transaction=True)
Kind = SyncRun.ErrorKind


class RevokedOnceRenewed(CredentialTokens):
    """The real renewal after a 401; then the person revokes the app on Calendly's side
    before the request is sent again, so Calendly rejects the renewed token too."""

    def __init__(self, credential_id: int, sandbox, email: str) -> None:
        super().__init__(credential_id)
        self.sandbox, self.email = sandbox, email

    def after_unauthorized(self, rejected_token: str) -> str:
        token = super().after_unauthorized(rejected_token)
        self.sandbox.revoke_user_tokens(self.email)
        return token


def test_a_token_rejected_after_its_renewal_ends_the_run_and_asks_to_reconnect(
    calendly, connect
):
    owner = connect(DEMO_OWNER_EMAIL, access_token="rejected-by-calendly")

    def client(credential_id, stats):
        tokens = RevokedOnceRenewed(credential_id, calendly, DEMO_OWNER_EMAIL)
        return CalendlyClient(tokens, stats=stats)

    result = runs.sync_user(owner.pk, make_client=client)
    run = SyncRun.objects.get(pk=result.run_id)
    assert (run.status, run.error_kind) == (SyncRun.Status.FAILED, Kind.NEEDS_RECONNECT)
    assert "Calendly rejected the renewed access token" in run.error
    assert result.retry_in is None
    owner.refresh_from_db()
    assert owner.state == CalendlyCredential.State.NEEDS_RECONNECT
    assert "please reconnect" in owner.state_reason


class Bug(Exception):
    """Something of ours that should not have happened."""


def failing_client(credential_id, stats):
    raise Bug("a mistake of ours")


def test_an_unexpected_exception_fails_the_run_as_an_internal_error_and_logs_it(
    calendly, connect, caplog
):
    owner = connect(DEMO_OWNER_EMAIL)
    with caplog.at_level(logging.ERROR, logger="sync.runs"):
        result = runs.sync_user(owner.pk, make_client=failing_client)
    run = SyncRun.objects.get(pk=result.run_id)
    assert (run.status, run.error_kind, run.error) == (
        SyncRun.Status.FAILED, Kind.FAILED, "Internal error: Bug"
    )
    assert "a mistake of ours" not in run.error  # the words of a bug stay in the log
    assert result.retry_in is None and run.retry_at is None
    assert [r.exc_info[0] for r in caplog.records if r.exc_info] == [Bug]
    owner.refresh_from_db()
    assert owner.state == CalendlyCredential.State.ACTIVE  # nothing of the person's fault


def test_a_member_batch_that_raises_fails_the_organization_run(calendly, connect, settings):
    settings.SYNC_MEMBERS_PER_TASK = 3  # the seeded organization's 8 members: 2 batches handed on
    admin = connect(DEMO_ADMIN_EMAIL)
    assert runs.sync_user(admin.pk).status == SyncRun.Status.SUCCEEDED
    handed: list[tuple[int, int, list[list[str]]]] = []
    started = runs.sync_organization(
        admin.organization_uri, lambda *batch: handed.append(batch)
    )
    assert started.status == SyncRun.Status.RUNNING and len(handed[0][2]) == 2
    run_id, credential_id, (first, second) = handed[0]

    failed = runs.sync_members(run_id, credential_id, first, make_client=failing_client)
    run = SyncRun.objects.get(pk=run_id)
    assert (failed.status, run.status, run.error_kind, run.error) == (
        SyncRun.Status.FAILED, SyncRun.Status.FAILED, Kind.FAILED, "Internal error: Bug"
    )
    # The other batch, arriving after the run ended, does nothing more.
    late = runs.sync_members(run_id, credential_id, second)
    assert late.status == "skipped"
    assert SyncRun.objects.get(pk=run_id).status == SyncRun.Status.FAILED


def test_a_lease_taken_over_during_a_heartbeat_is_known_lost(calendly, connect):
    owner = connect(DEMO_OWNER_EMAIL)
    run = lifecycle.claim(SyncRun.Kind.USER, owner.calendly_user_uri, credential_id=owner.pk,
                          trigger="manual")
    with lifecycle.Lease(run.pk, interval=0.05).held() as lease:
        # A first heartbeat while the run is still ours renews it.
        before = SyncRun.objects.get(pk=run.pk).heartbeat_at
        wait_for(lambda: SyncRun.objects.get(pk=run.pk).heartbeat_at != before, 10, 0.02,
                 "a heartbeat")
        assert not lease.lost.is_set()
        # Another worker takes the run over (its lease ran out meanwhile, say).
        SyncRun.objects.filter(pk=run.pk).update(status=SyncRun.Status.FAILED,
                                                  finished_at=timezone.now())
        assert lease.lost.wait(10), "the heartbeat noticed the run is no longer its own"
