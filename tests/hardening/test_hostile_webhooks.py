"""Hostile requests at the webhook receiver (issue #17, finding 1): each one a real bug the
review found, or its close kin. Every one gets a clean 4xx with a reason, never a 500, and
writes nothing. Run them on PostgreSQL too (``DATABASE_URL``): NUL bytes and lone
surrogates pass SQLite's columns but not PostgreSQL's.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.webhooks.conftest import (
    HOST,
    KEY,
    RECEIVER,
    delivery_body,
    organization_subscription,
    signed,
)
from webhooks import payload, signature
from webhooks.models import WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db
NOW = int(time.time())
GOOD_DIGEST = "0" * 64


@pytest.fixture(autouse=True)
def subscription(db, settings) -> WebhookSubscription:
    settings.RATE_LIMIT_WEBHOOKS = "100000/m"  # floods are test_brute_force's business
    return organization_subscription()


@pytest.fixture
def sent(monkeypatch) -> list[int]:
    from webhooks import tasks

    queued: list[int] = []
    monkeypatch.setattr(tasks.handle_delivery, "delay", queued.append)
    return queued


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """The Django test client re-raises a view's exception: a 500 fails the test loudly."""

    def send(body: bytes, header: str | None):
        extra = {} if header is None else {"HTTP_CALENDLY_WEBHOOK_SIGNATURE": header}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(RECEIVER, body, content_type="application/json", **extra)

    return send


def assert_refused(response, status: int, sent: list[int]) -> None:
    assert response.status_code == status, response.content
    assert response.json()["detail"]
    assert sent == [] and not WebhookDelivery.objects.exists()


# --- The signature header: ASCII digits of a bounded length, hex digests ------------------


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(f"t={'9' * 400},v1={GOOD_DIGEST}", id="400-digit-timestamp"),  # OverflowError
        pytest.param(f"t=\u00b2,v1={GOOD_DIGEST}", id="superscript-two"),  # isdigit, not int
        pytest.param(f"t=\u0661\u0662,v1={GOOD_DIGEST}", id="arabic-indic-digits"),
        pytest.param(f"t=-{NOW},v1={GOOD_DIGEST}", id="negative"),
        pytest.param(f"t=+{NOW},v1={GOOD_DIGEST}", id="plus-sign"),
        pytest.param(f"t={NOW:_},v1={GOOD_DIGEST}", id="underscores"),
        pytest.param(f"t={NOW},t={NOW},v1={GOOD_DIGEST}", id="two-timestamps"),
        pytest.param(f"t={NOW},v1={'é' * 64}", id="non-ascii-digest"),  # compare_digest TypeError
        pytest.param(f"t={NOW},v1={'z' * 64}", id="non-hex-digest"),
        pytest.param(f"t={NOW},v1={'0' * 65}", id="long-digest"),
        pytest.param(f"t={NOW}," + ",".join([f"v1={GOOD_DIGEST}"] * 50), id="50-digests"),
        pytest.param(f"t={NOW},v1={GOOD_DIGEST}," + "x" * 5000, id="5k-header"),
    ],
)
def test_a_malformed_signature_header_is_403_never_500(post, sent, header):
    body = delivery_body()
    response = post(body, header)
    assert_refused(response, 403, sent)
    assert response.json()["detail"] == "malformed signature header"


@pytest.mark.parametrize(
    ("header", "why"),
    [
        (f"t={'9' * 400},v1={GOOD_DIGEST}", "malformed"),
        ("t=\u00b2,v1=" + GOOD_DIGEST, "malformed"),
        (f"t={NOW},v1={'é' * 64}", "malformed"),
    ],
)
def test_the_parser_itself_refuses_them(header, why):
    with pytest.raises(signature.InvalidSignature, match=why):
        signature.parse(header)


def test_calendly_s_own_header_shape_still_parses():
    made = signature.sign(KEY, b"{}", NOW)
    stamp, digest = made.split(",v1=")
    parsed = signature.parse(f" {stamp} , v1={digest.upper()} ")  # spaces, upper-case hex
    assert parsed.timestamp == NOW and parsed.digests == (digest,)


# --- The body: bounded nesting, decided before the JSON parser recurses ----------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"[" * 30_000, id="30k-brackets"),  # RecursionError in json
        pytest.param(b'{"a":' * 10_000 + b"1" + b"}" * 10_000, id="10k-objects"),
        pytest.param(b"[" * 30_000 + b"]" * 30_000, id="30k-balanced"),
        pytest.param(
            b'{"event": "invitee.created", "payload": {"x": '
            + b"[" * 33
            + b"1"
            + b"]" * 33
            + b"}}",
            id="a-payload-35-deep",
        ),
    ],
)
def test_a_deeply_nested_body_is_400_never_500(post, sent, body):
    response = post(body, signature.sign(KEY, body, int(time.time())))
    assert_refused(response, 400, sent)
    assert "nested" in response.json()["detail"]


def test_brackets_inside_strings_are_not_nesting():
    body = json.loads(delivery_body())
    body["payload"]["name"] = "[[[[{{{{" * 1000 + '\\"[[['
    assert payload.parse(json.dumps(body).encode()).event == "invitee.created"


def test_the_depth_check_is_linear_on_pathological_quotes():
    started = time.perf_counter()
    with pytest.raises(payload.MalformedDelivery, match="not JSON"):
        payload.parse(b'"\\' * 30_000)
    assert time.perf_counter() - started < 1.0


def test_calendly_s_real_payload_depth_is_accepted(post, sent, subscription):
    body = json.loads(delivery_body())
    body["payload"]["questions_and_answers"] = [{"question": "q", "answer": "a", "position": 0}]
    body["payload"]["tracking"] = {"utm_source": None}
    body["payload"]["scheduled_event"]["location"] = {"type": "zoom", "data": {"extra": {}}}
    raw = json.dumps(body).encode()
    assert post(raw, signature.sign(KEY, raw, int(time.time()))).status_code == 202


# --- What is stored: no control characters, no lone surrogates, nothing truncated ---------

SCHEDULED = "https://api.calendly.test/scheduled_events/EV1"


def hostile(where: str, value: str) -> bytes:
    body = json.loads(delivery_body())
    inner = body["payload"]
    if where == "event":
        inner["event"] = inner["scheduled_event"]["uri"] = value
    elif where == "host":
        inner["scheduled_event"]["event_memberships"] = [{"user": value}]
    elif where == "event_type":
        inner["scheduled_event"]["event_type"] = value
    elif where == "name":
        inner["scheduled_event"]["name"] = value
    elif where == "start":
        inner["scheduled_event"]["start_time"] = value
    elif where == "kind":
        body["event"] = value
    return json.dumps(body).encode()


@pytest.mark.parametrize(
    ("where", "value"),
    [
        pytest.param("event", SCHEDULED + "\x00", id="nul-in-the-event-uri"),
        pytest.param("event", SCHEDULED + "\x1b[2J", id="escape-in-the-event-uri"),
        pytest.param("event", SCHEDULED + "\ud800", id="surrogate-in-the-event-uri"),
        pytest.param("event", SCHEDULED + "/" + "x" * 600, id="over-500-chars"),
        pytest.param("event", SCHEDULED + " x", id="space-in-the-event-uri"),
        pytest.param("kind", "invitee.created\x00", id="nul-in-the-event-name"),
        pytest.param("kind", "invitee.created\ud800", id="surrogate-in-the-event-name"),
    ],
)
def test_a_delivery_whose_event_uri_or_kind_is_unstorable_is_400(post, sent, where, value):
    body = hostile(where, value)
    response = post(body, signed(body)["HTTP_CALENDLY_WEBHOOK_SIGNATURE"])
    assert_refused(response, 400, sent)


@pytest.mark.parametrize(
    ("where", "value"),
    [
        pytest.param("host", HOST + "\x00", id="nul-in-a-host"),
        pytest.param("host", HOST + "\ud800", id="surrogate-in-a-host"),
        pytest.param(
            "event_type", "https://api.calendly.test/event_types/\x00", id="nul-in-the-type"
        ),
        pytest.param("name", "Intro\x00call", id="nul-in-the-name"),
        pytest.param("name", "Intro\ud800", id="surrogate-in-the-name"),
        pytest.param("start", "0001-01-01T00:00:00+14:00", id="before-year-one-in-utc"),
        pytest.param("start", "9999-12-31T23:59:59-14:00", id="after-year-9999-in-utc"),
    ],
)
def test_an_unstorable_part_of_the_scheduled_event_is_dropped_not_stored(post, sent, where, value):
    """The delivery is still known by its event URI: the worker reads the event from Calendly
    (as for an older payload) instead of trusting the part that cannot be stored."""
    body = hostile(where, value)
    response = post(body, signed(body)["HTTP_CALENDLY_WEBHOOK_SIGNATURE"])
    assert response.status_code == 202, response.content
    row = WebhookDelivery.objects.get()
    stored = [row.scheduled_event_uri, row.event_type_uri, row.event_name, *row.hosts]
    assert not [s for s in stored if "\x00" in s or any(0xD800 <= ord(c) < 0xE000 for c in s)]
    assert sent == [row.pk]


def test_parse_refuses_a_uri_with_a_control_character():
    with pytest.raises(payload.MalformedDelivery, match="names no scheduled event"):
        payload.parse(hostile("event", SCHEDULED + "\n"))


# --- The length: read as ASCII digits, of a bounded size, before the body is ----------------


@pytest.mark.parametrize(
    "length",
    [
        pytest.param("\u00b2", id="superscript-two"),  # isdigit, not int
        pytest.param("9" * 5000, id="5000-digits"),  # int() refuses past 4300 digits
        pytest.param("9" * 400, id="400-digits"),
        pytest.param("-1", id="negative"),
    ],
)
def test_an_unreadable_content_length_is_413_never_500(client, sent, length):
    body = delivery_body()
    response = client.post(
        RECEIVER,
        body,
        content_type="application/json",
        CONTENT_LENGTH=length,
        **signed(body),
    )
    assert_refused(response, 413, sent)
