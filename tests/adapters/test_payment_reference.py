"""`PaymentReference`, the one reader and writer of the checkout metadata, and the typed event kind the gateway
adapter parses."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.ports.gateway import (
    GatewayEventKind,
    InvalidPaymentReference,
    PaymentKind,
    PaymentOrigin,
    PaymentReference,
)
from adapters.stripe import parse
from tests.adapters.test_gateway_faults import CHECKOUT_SESSION, EVENT, PAYMENT_INTENT


@pytest.mark.parametrize(
    ("reference", "metadata"),
    [
        (
            PaymentReference(kind=PaymentKind.INVOICE, subscriber_id="SUB-1", invoice_id="INV-1"),
            {
                "wg_kind": "invoice",
                "wg_subscriber_id": "SUB-1",
                "wg_invoice_id": "INV-1",
                "wg_origin": "portal",
            },
        ),
        (
            PaymentReference(kind=PaymentKind.TOPUP, subscriber_id="SUB-1"),
            {"wg_kind": "topup", "wg_subscriber_id": "SUB-1", "wg_origin": "portal"},
        ),
        (
            PaymentReference(kind=PaymentKind.SETUP, subscriber_id="SUB-1"),
            {"wg_kind": "setup", "wg_subscriber_id": "SUB-1", "wg_origin": "portal"},
        ),
        (
            # What Billing's autopay writes on the charges it starts (sandbox/billing/autopay.py).
            PaymentReference(
                kind=PaymentKind.INVOICE,
                subscriber_id="SUB-1001",
                invoice_id="INV-9",
                origin=PaymentOrigin.AUTOPAY,
            ),
            {
                "wg_kind": "invoice",
                "wg_invoice_id": "INV-9",
                "wg_subscriber_id": "SUB-1001",
                "wg_origin": "autopay",
            },
        ),
    ],
)
def test_metadata_round_trip(reference: PaymentReference, metadata: dict[str, str]) -> None:
    assert reference.to_metadata() == metadata
    assert PaymentReference.from_metadata(metadata) == reference


def test_a_reference_without_origin_is_the_portals() -> None:
    found = PaymentReference.from_metadata({"wg_kind": "topup", "wg_subscriber_id": "SUB-1"})
    assert found is not None and found.origin is PaymentOrigin.PORTAL


@pytest.mark.parametrize("metadata", [{}, {"invoice_id": "INV-7"}, {"subscriber_id": "SUB-1", "order": "42"}])
def test_metadata_that_is_not_ours_is_no_reference(metadata: dict[str, str]) -> None:
    assert PaymentReference.from_metadata(metadata) is None


@pytest.mark.parametrize(
    ("metadata", "says"),
    [
        ({"wg_kind": "invoice", "wg_subscriber_id": "SUB-1"}, "without an invoice"),
        ({"wg_kind": "invoice", "wg_subscriber_id": "SUB-1", "wg_invoice_id": ""}, "without an invoice"),
        ({"wg_kind": "topup"}, "without a subscriber"),
        ({"wg_kind": "donation", "wg_subscriber_id": "SUB-1"}, "unknown kind 'donation'"),
        ({"wg_kind": "topup", "wg_subscriber_id": "SUB-1", "wg_origin": "mars"}, "unknown origin 'mars'"),
    ],
)
def test_our_metadata_that_does_not_hold_together_is_an_error(metadata: dict[str, str], says: str) -> None:
    with pytest.raises(InvalidPaymentReference, match=says):
        PaymentReference.from_metadata(metadata)


def test_an_inconsistent_reference_cannot_be_built_either() -> None:
    with pytest.raises(InvalidPaymentReference):
        PaymentReference(kind=PaymentKind.INVOICE, subscriber_id="SUB-1")


def test_gateway_records_expose_the_parsed_reference() -> None:
    metadata = PaymentReference(
        kind=PaymentKind.INVOICE, subscriber_id="SUB-1", invoice_id="INV-1"
    ).to_metadata()
    session = parse.checkout_session(json.dumps({**CHECKOUT_SESSION, "metadata": metadata}).encode())
    intent = parse.payment_intent(json.dumps({**PAYMENT_INTENT, "metadata": metadata}).encode())
    assert session.reference == metadata
    assert session.payment_reference == intent.payment_reference
    assert intent.payment_reference is not None and intent.payment_reference.invoice_id == "INV-1"
    foreign = parse.payment_intent(json.dumps(PAYMENT_INTENT).encode())  # metadata {"invoice_id": …}
    assert foreign.payment_reference is None


def _event(event_type: str) -> bytes:
    event: dict[str, Any] = {**EVENT, "type": event_type}
    return json.dumps(event).encode()


@pytest.mark.parametrize("kind", list(GatewayEventKind))
def test_handled_event_types_parse_to_their_kind(kind: GatewayEventKind) -> None:
    assert parse.event(_event(kind.value)).kind is kind


@pytest.mark.parametrize(
    "event_type", ["charge.refunded", "customer.created", "checkout.session.expired", ""]
)
def test_other_event_types_have_no_kind(event_type: str) -> None:
    parsed = parse.event(_event(event_type))
    assert parsed.kind is None and parsed.type == event_type and parsed.checkout_session is not None
