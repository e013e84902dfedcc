"""Settlement reads what a payment was for through `PaymentReference` and dispatches on the typed event kind:
a payment that is not the portal's is acknowledged and ignored; one whose reference is the portal's but does
not hold together is rejected, and nothing is recorded."""

from __future__ import annotations

import json

import pytest

from tests.bff.core.payments.test_webhook import pay_invoice
from tests.harness.money import Money, signed


async def deliver_with_metadata(money: Money, metadata: dict[str, str]) -> tuple[int, dict[str, object]]:
    app = await money.instance()
    raw = json.loads(money.raw_event("payment_intent.succeeded"))
    raw["data"]["object"]["metadata"] = metadata
    body = json.dumps(raw).encode()
    response = await app.client.post("/webhooks/gateway", content=body, headers=signed(body))
    return response.status_code, response.json()


async def test_a_payment_that_is_not_the_portals_is_ignored(money: Money) -> None:
    invoice_id = await money.invoice_of("SUB-1001", "OPEN")
    await pay_invoice(money, "SUB-1001", invoice_id)
    status, answer = await deliver_with_metadata(money, {"order": "42"})
    assert (status, answer["result"]) == (200, "ignored")
    assert money.payments(invoice_id) == 0


@pytest.mark.parametrize(
    "metadata",
    [
        {"wg_kind": "invoice", "wg_subscriber_id": "SUB-1001", "wg_origin": "portal"},  # which invoice?
        {"wg_kind": "refund", "wg_subscriber_id": "SUB-1001"},
        {"wg_kind": "topup"},
    ],
)
async def test_a_reference_that_does_not_hold_together_is_rejected(
    money: Money, metadata: dict[str, str]
) -> None:
    invoice_id = await money.invoice_of("SUB-1001", "OPEN")
    await pay_invoice(money, "SUB-1001", invoice_id)
    wallet_entries = money.wallet_entries("SUB-1001")
    status, answer = await deliver_with_metadata(money, metadata)
    assert (status, answer["error"]["code"]) == (422, "REJECTED")  # type: ignore[index]
    assert money.payments(invoice_id) == 0 and money.wallet_entries("SUB-1001") == wallet_entries


def test_fifty_invoices_with_the_longest_ids_fit_stripes_metadata_and_read_back() -> None:
    from decimal import Decimal

    from adapters.ports.gateway import (
        MAX_INVOICE_ID,
        InvalidPaymentReference,
        InvoiceShare,
        PaymentKind,
        PaymentReference,
    )

    shares = tuple(
        InvoiceShare(invoice_id=f"{n:02d}".ljust(MAX_INVOICE_ID, "x"), amount=Decimal("123456789.99"))
        for n in range(50)
    )
    reference = PaymentReference(kind=PaymentKind.INVOICES, subscriber_id="SUB-1", invoice_shares=shares)
    metadata = reference.to_metadata()
    assert len(metadata) <= 50 and all(len(k) <= 40 and len(v) <= 500 for k, v in metadata.items())
    assert PaymentReference.from_metadata(metadata) == reference
    # A chunk lost on the way is never taken for a shorter list.
    del metadata["wg_invoices_1"]
    with pytest.raises(InvalidPaymentReference):
        PaymentReference.from_metadata(metadata)
    with pytest.raises(InvalidPaymentReference):  # 51, or one twice
        PaymentReference(kind=PaymentKind.INVOICES, subscriber_id="S", invoice_shares=(*shares, shares[0]))
