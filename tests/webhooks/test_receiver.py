"""POST /webhooks/calendly/: what is accepted, what is refused with which status, and that
a refusal changes nothing (no delivery row, no task, no synced data touched)."""

from __future__ import annotations

import json
import logging
import time

import pytest

from availability.models import AvailableSlot, BusyBlock
from tests.webhooks.conftest import CREATOR, HOST, KEY, ORG, RECEIVER, delivery_body, signed
from webhooks.models import RetiredSubscription, WebhookDelivery
from webhooks.receiver import GONE, NOT_OURS

pytestmark = pytest.mark.django_db


def assert_nothing_changed(queued):
    assert queued == []
    assert not WebhookDelivery.objects.exists()
    assert not BusyBlock.objects.exists() and not AvailableSlot.objects.exists()


def test_a_valid_delivery_is_accepted_recorded_and_queued(post, subscription, queued):
    body = delivery_body()
    started = time.perf_counter()
    response = post(body, signed(body))
    elapsed = time.perf_counter() - started
    assert response.status_code == 202, response.content
    delivery = WebhookDelivery.objects.get()
    assert queued == [delivery.pk]
    assert delivery.subscription == subscription and delivery.event == "invitee.created"
    assert delivery.hosts == [HOST] and delivery.start_time < delivery.end_time
    assert elapsed < 0.5, f"answered in {elapsed * 1000:.0f} ms"


def test_a_tampered_body_is_refused(post, subscription, queued, caplog):
    body = delivery_body()
    tampered = body.replace(b"invitee.created", b"invitee.canceled")
    with caplog.at_level(logging.WARNING, logger="webhooks.views"):
        response = post(tampered, signed(body))
    assert response.status_code == 403
    assert "does not match" in caplog.text
    assert_nothing_changed(queued)


def test_a_wrong_key_is_refused(post, subscription, queued):
    body = delivery_body()
    assert post(body, signed(body, key=KEY + "x")).status_code == 403
    assert_nothing_changed(queued)


def test_a_stale_timestamp_is_refused(post, subscription, queued):
    body = delivery_body()
    response = post(body, signed(body, at=time.time() - 181))
    assert response.status_code == 403
    assert "more than 180 s" in response.json()["detail"]
    assert_nothing_changed(queued)


def test_a_missing_header_is_refused(post, subscription, queued):
    assert post(delivery_body()).status_code == 403
    assert_nothing_changed(queued)


def test_a_replayed_delivery_is_answered_2xx_and_changes_nothing(post, subscription, queued):
    body = delivery_body()
    headers = signed(body)
    assert post(body, headers).status_code == 202
    first = list(WebhookDelivery.objects.values_list("pk", "key"))
    again = post(body, headers)
    assert again.status_code == 200 and again.json()["detail"] == "already seen"
    assert list(WebhookDelivery.objects.values_list("pk", "key")) == first
    assert len(queued) == 1


def test_a_retry_signed_anew_is_a_new_delivery(post, subscription, queued):
    body = delivery_body()
    assert post(body, signed(body, at=time.time() - 5)).status_code == 202
    assert post(body, signed(body)).status_code == 202
    assert len(queued) == 2  # Calendly re-signs each attempt; the re-sync is idempotent


@pytest.mark.parametrize(
    "body", [b"not json", b"[]", b'{"event": "invitee.created"}', b'{"payload": {}}']
)
def test_a_malformed_body_is_refused_with_400(post, subscription, queued, body):
    assert post(body, signed(body)).status_code == 400
    assert_nothing_changed(queued)


STRANGER = "https://api.calendly.test/users/STRANGER"


def answer(response) -> tuple:
    return response.status_code, response["Content-Type"], response.content


def test_a_delivery_for_no_subscription_of_ours_is_refused(post, subscription, queued):
    body = delivery_body(created_by=STRANGER)
    assert post(body, signed(body)).status_code == 403
    assert_nothing_changed(queued)


def test_no_subscriber_and_a_bad_signature_get_the_same_answer(post, subscription, queued, caplog):
    """Nobody learns from the answer whether a Calendly user or organization has a
    subscription here (#17, finding 3): a delivery naming strangers, one naming our
    subscriber signed with another key, and one naming our subscriber's host signed with
    a key nobody holds are answered alike, byte for byte. The log still tells them apart."""
    stranger = delivery_body(created_by=STRANGER)
    stranger = stranger.replace(HOST.encode(), b"https://api.calendly.test/users/NOBODY")
    ours = delivery_body()
    host_only = delivery_body(created_by="")
    with caplog.at_level(logging.WARNING, logger="webhooks.views"):
        answers = {
            answer(post(stranger, signed(stranger, key="the-stranger-s-own-key"))),
            answer(post(ours, signed(ours, key="not-" + KEY))),
            answer(post(host_only, signed(host_only, key="not-" + KEY))),
        }
    [(status, _, content)] = answers
    assert status == 403 and json.loads(content) == {"detail": "the signature does not match"}
    assert "(no subscriber)" in caplog.text and "none of 1 candidate key(s)" in caplog.text
    assert_nothing_changed(queued)


def test_without_any_subscription_the_answer_is_the_same_too(post, db, queued):
    body = delivery_body()
    refused = post(body, signed(body))
    assert refused.status_code == 403
    assert refused.json() == {"detail": "the signature does not match"}
    assert_nothing_changed(queued)


def test_an_oversized_body_is_refused_with_413(post, subscription, queued):
    body = delivery_body(padding="x" * (64 * 1024))
    assert post(body, signed(body)).status_code == 413
    assert_nothing_changed(queued)


def test_only_post_is_allowed(client, subscription, queued):
    assert client.get(RECEIVER).status_code == 405
    assert_nothing_changed(queued)


def test_an_event_we_do_not_act_on_is_acknowledged_without_work(post, subscription, queued):
    body = json.dumps(
        {
            "event": "routing_form_submission.created",
            "created_by": subscription.creator_uri,
            "payload": {},
        }
    ).encode()
    assert post(body, signed(body)).status_code == 200
    assert queued == []


def test_a_user_scoped_subscription_is_found_by_its_host(post, subscription, queued):
    subscription.scope, subscription.user_uri, subscription.creator_uri = "user", HOST, HOST
    subscription.organization_uri = "https://api.calendly.test/organizations/OTHER"
    subscription.save()
    body = delivery_body(created_by="")
    assert post(body, signed(body)).status_code == 202


def retired_subscription(key: str = "the-key-of-one-we-deleted") -> RetiredSubscription:
    return RetiredSubscription.objects.create(
        uri="https://api.calendly.test/webhook_subscriptions/OLD1",
        scope="organization",
        organization_uri=ORG,
        creator_uri=CREATOR,
        signing_key=key,
    )


def test_a_delivery_for_a_subscription_we_deleted_is_answered_410(post, db, queued):
    retired = retired_subscription()
    body = delivery_body()
    response = post(body, signed(body, key="the-key-of-one-we-deleted"))
    assert response.status_code == 410 and response.json() == {"detail": GONE}
    assert_nothing_changed(queued)
    retired.refresh_from_db()
    assert retired.answered_gone_at is not None


def test_a_live_subscription_wins_over_a_retired_one_of_the_same_creator(
    post, subscription, queued
):
    retired_subscription()
    body = delivery_body()
    assert post(body, signed(body)).status_code == 202
    assert len(queued) == 1


def test_beside_a_retired_subscription_strangers_get_the_same_403(post, db, queued):
    """A retired subscription answers 410 only to its own key: anyone else still gets
    NOT_OURS, byte for byte, whether or not the names match a retired subscription."""
    retired_subscription()
    stranger = delivery_body(created_by=STRANGER)
    stranger = stranger.replace(HOST.encode(), b"https://api.calendly.test/users/NOBODY")
    ours = delivery_body()
    answers = {
        answer(post(stranger, signed(stranger, key="the-stranger-s-own-key"))),
        answer(post(ours, signed(ours, key="a-guessed-key"))),
    }
    [(status, _, content)] = answers
    assert status == 403 and json.loads(content) == {"detail": NOT_OURS}
    assert_nothing_changed(queued)
    assert RetiredSubscription.objects.get().answered_gone_at is None
