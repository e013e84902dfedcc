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
