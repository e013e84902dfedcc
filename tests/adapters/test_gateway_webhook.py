"""`verify_event`: the webhook signature over the raw body (valid, tampered, wrong secret, stale, future,
missing, several v1 values) and the event parsed into the port's DTO."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.errors import ContractViolation
from adapters.stripe.webhook import SignatureError, verify_event
from adapters.wispgate.signing import compute, sign

SECRET = "whsec_test_0123456789abcdef"
NOW = 1_790_000_000


def payment_intent_event() -> dict[str, Any]:
    return {
        "id": "evt_3NGM5f2eZvKYlo2C0bQ9hXyZ",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": NOW - 5,
        "data": {
            "object": {
                "id": "pi_3NGM5f2eZvKYlo2C0H8ZcC6h",
                "object": "payment_intent",
                "amount": 4999,
                "amount_received": 4999,
                "created": NOW - 10,
                "currency": "usd",
                "customer": "cus_NffrFeUfNV2Hib",
                "last_payment_error": None,
                "livemode": False,
                "metadata": {"invoice_id": "INV-2026-0042"},
                "payment_method": "pm_1MqM05LkdIwHu7ixlDxxO6Mc",
                "status": "succeeded",
            }
        },
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": "payment_intent.succeeded",
    }


def signed(body: bytes, *, secret: str = SECRET, at: int = NOW) -> str:
    return sign(secret, body, timestamp=at)


def test_valid_signature_parses_the_event() -> None:
    body = json.dumps(payment_intent_event()).encode()
    event = verify_event(body, signed(body), SECRET, now=NOW)
    assert (event.id, event.type, event.object_type) == (
        "evt_3NGM5f2eZvKYlo2C0bQ9hXyZ",
        "payment_intent.succeeded",
        "payment_intent",
    )
    assert event.payment_intent is not None and event.payment_intent.metadata == {
        "invoice_id": "INV-2026-0042"
    }
    assert str(event.payment_intent.amount) == "49.99 USD"
    assert event.checkout_session is None and event.object_id == "pi_3NGM5f2eZvKYlo2C0H8ZcC6h"


def test_valid_with_real_clock() -> None:
    body = json.dumps(payment_intent_event()).encode()
    assert verify_event(body, sign(SECRET, body), SECRET).type == "payment_intent.succeeded"


def test_tampered_body_is_rejected() -> None:
    body = json.dumps(payment_intent_event()).encode()
    header = signed(body)
    with pytest.raises(SignatureError, match="mismatch"):
        verify_event(body.replace(b"4999", b"9999"), header, SECRET, now=NOW)


def test_wrong_secret_is_rejected() -> None:
    body = json.dumps(payment_intent_event()).encode()
    with pytest.raises(SignatureError):
        verify_event(body, signed(body, secret="whsec_other"), SECRET, now=NOW)


def test_stale_timestamp_is_rejected() -> None:
    body = json.dumps(payment_intent_event()).encode()
    with pytest.raises(SignatureError, match="tolerance"):
        verify_event(body, signed(body, at=NOW - 301), SECRET, now=NOW)
    assert verify_event(body, signed(body, at=NOW - 299), SECRET, now=NOW).type  # inside the tolerance
    with pytest.raises(SignatureError):
        verify_event(body, signed(body, at=NOW - 61), SECRET, tolerance=60, now=NOW)


def test_future_timestamp_is_rejected() -> None:
    body = json.dumps(payment_intent_event()).encode()
    with pytest.raises(SignatureError, match="future"):
        verify_event(body, signed(body, at=NOW + 3600), SECRET, now=NOW)
    assert verify_event(body, signed(body, at=NOW + 5), SECRET, now=NOW).type  # small clock skew is fine


@pytest.mark.parametrize("header", [None, "", "garbage", "t=abc,v1=00", f"t={NOW}", "v1=abc"])
def test_missing_or_malformed_header_is_rejected(header: str | None) -> None:
    body = json.dumps(payment_intent_event()).encode()
    with pytest.raises(SignatureError):
        verify_event(body, header, SECRET, now=NOW)


def test_any_of_several_v1_values_may_match() -> None:
    body = json.dumps(payment_intent_event()).encode()
    good = compute(SECRET, NOW, body)
    bad = compute("whsec_old_secret", NOW, body)
    assert verify_event(body, f"t={NOW},v1={bad},v1={good}", SECRET, now=NOW).id
    assert verify_event(body, f"t={NOW},v0=ignored,v1={good}", SECRET, now=NOW).id
    with pytest.raises(SignatureError):
        verify_event(body, f"t={NOW},v1={bad},v1={'0' * 64}", SECRET, now=NOW)


def test_signed_but_malformed_body_is_contract_violation() -> None:
    for body in (b"not json", b"[]", json.dumps({"object": "event", "id": "evt_1"}).encode()):
        with pytest.raises(ContractViolation):
            verify_event(body, signed(body), SECRET, now=NOW)
    broken = payment_intent_event()
    broken["data"]["object"]["amount"] = "49.99"
    body = json.dumps(broken).encode()
    with pytest.raises(ContractViolation):
        verify_event(body, signed(body), SECRET, now=NOW)


def test_unknown_object_types_are_kept_raw() -> None:
    event = payment_intent_event()
    event["type"] = "charge.succeeded"
    event["data"]["object"] = {"id": "ch_1", "object": "charge", "amount": 4999}
    body = json.dumps(event).encode()
    parsed = verify_event(body, signed(body), SECRET, now=NOW)
    assert parsed.object_type == "charge" and parsed.payment_intent is None and parsed.data["amount"] == 4999
