"""The signature check on its own: pure functions, clock given."""

from __future__ import annotations

import pytest

from webhooks import signature as sig

BODY = b'{"event":"invitee.created"}'
KEY = "k3y"
NOW = 1_750_000_000


def clock(at: float = NOW):
    return lambda: at


def verify(header, body: bytes, key: str, now) -> sig.Signature:
    """The receiver's checks for one key, in its order: parsed, fresh, signed with ``key``."""
    signature = sig.parse(header)
    sig.check_fresh(signature, now)
    if sig.first_matching_key([key], signature, body) is None:
        raise sig.InvalidSignature("the signature does not match")
    return signature


def test_a_valid_signature_verifies():
    header = sig.sign(KEY, BODY, NOW - 10)
    assert verify(header, BODY, KEY, now=clock()).timestamp == NOW - 10


@pytest.mark.parametrize(
    ("header", "body", "key", "why"),
    [
        (sig.sign(KEY, BODY, NOW), BODY + b" ", KEY, "does not match"),  # tampered body
        (sig.sign("other", BODY, NOW), BODY, KEY, "does not match"),  # wrong key
        (sig.sign(KEY, BODY, NOW - 181), BODY, KEY, "more than 180 s"),  # stale
        (sig.sign(KEY, BODY, NOW + 600), BODY, KEY, "in the future"),
        (None, BODY, KEY, "no signature header"),
        ("", BODY, KEY, "no signature header"),
        ("v1=abc", BODY, KEY, "malformed"),
        (f"t={NOW}", BODY, KEY, "malformed"),
        ("t=soon,v1=abc", BODY, KEY, "malformed"),
    ],
)
def test_refused(header, body, key, why):
    with pytest.raises(sig.InvalidSignature, match=why):
        verify(header, body, key, now=clock())


def test_the_timestamp_is_part_of_what_is_signed():
    made = sig.sign(KEY, BODY, NOW)
    moved = made.replace(f"t={NOW}", f"t={NOW - 1}")
    with pytest.raises(sig.InvalidSignature, match="does not match"):
        verify(moved, BODY, KEY, now=clock())


def test_exactly_at_the_tolerance_is_accepted():
    verify(sig.sign(KEY, BODY, NOW - 180), BODY, KEY, now=clock())


def test_any_of_several_v1_values_may_match_and_spaces_are_ignored():
    good = sig.sign(KEY, BODY, NOW).split("v1=")[1]
    header = f"t={NOW}, v1={'0' * 64}, v1={good}"
    assert verify(header, BODY, KEY, now=clock())


def test_the_first_matching_key_is_found():
    header = sig.parse(sig.sign("b", BODY, NOW))
    assert sig.first_matching_key(["a", "", "b"], header, BODY) == 2
    assert sig.first_matching_key(["a", "c"], header, BODY) is None


def test_the_same_request_has_the_same_delivery_key_and_a_new_timestamp_another():
    first = sig.parse(sig.sign(KEY, BODY, NOW))
    again = sig.parse(sig.sign(KEY, BODY, NOW))
    later = sig.parse(sig.sign(KEY, BODY, NOW + 1))
    assert sig.delivery_key(first, BODY) == sig.delivery_key(again, BODY)
    assert sig.delivery_key(first, BODY) != sig.delivery_key(later, BODY)
