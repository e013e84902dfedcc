"""Billing honours `Idempotency-Key` on the writes a gateway webhook makes (`POST /v1/payments`,
`POST /v1/wallet/credits`): a repeat of the key answers exactly the first answer — status, body, the invoice
as it was then — and records nothing; the same key with another request is a 409."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from adapters.ports.money import Money
from adapters.wispgate.billing import HttpBilling
from adapters.wispgate.client import CoreClient
from sandbox.app import Sandbox


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=sandbox.billing.asgi())
    headers = {"x-api-key": sandbox.settings.service_key}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://billing.test", headers=headers
    ) as http:
        yield http


def overdue_invoice(sandbox: Sandbox) -> Any:
    row = sandbox.billing.db.one(
        "SELECT id, total - amount_paid AS due FROM invoices WHERE subscriber_id = 'SUB-1002' AND status = 'OVERDUE'"
    )
    assert row is not None
    return row


def payments(sandbox: Sandbox, invoice_id: str) -> int:
    return int(sandbox.billing.db.scalar("SELECT COUNT(*) FROM payments WHERE invoice_id = ?", (invoice_id,)))


async def test_a_repeated_key_answers_the_first_answer_unchanged(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    invoice = overdue_invoice(sandbox)
    body = {
        "external_ref": "pi_1",
        "invoice_id": invoice["id"],
        "amount": "5.00",
        "currency": "USD",
        "method": "CARD",
    }
    key = {"Idempotency-Key": "stripe:pi_1:payment"}
    first = await client.post("/v1/payments", json=body, headers=key)
    assert first.status_code == 201, first.text
    # A later payment changes the invoice; the key still answers what the first call answered.
    later = {**body, "external_ref": "pi_2", "amount": "1.00"}
    assert (await client.post("/v1/payments", json=later)).status_code == 201
    again = await client.post("/v1/payments", json=body, headers=key)
    assert (again.status_code, again.content) == (201, first.content)
    assert again.headers["idempotent-replayed"] == "true"
    assert payments(sandbox, invoice["id"]) == 2


async def test_the_same_key_with_another_request_is_a_conflict(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    invoice = overdue_invoice(sandbox)
    body = {
        "external_ref": "pi_3",
        "invoice_id": invoice["id"],
        "amount": "5.00",
        "currency": "USD",
        "method": "CARD",
    }
    key = {"Idempotency-Key": "stripe:pi_3:payment"}
    assert (await client.post("/v1/payments", json=body, headers=key)).status_code == 201
    other = await client.post("/v1/payments", json={**body, "external_ref": "pi_4"}, headers=key)
    assert other.status_code == 409 and other.json()["error"]["code"] == "IDEMPOTENCY_CONFLICT"
    assert payments(sandbox, invoice["id"]) == 1


async def test_a_keyed_top_up_is_credited_once(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    port = HttpBilling(CoreClient("billing", client))
    amount = Money(Decimal("20.00"), "USD")
    args: dict[str, Any] = {"subscriber_id": "SUB-1001", "amount": amount, "external_ref": "pi_5"}
    first = await port.credit_wallet(**args, idempotency_key="stripe:pi_5:credit")
    again = await port.credit_wallet(**args, idempotency_key="stripe:pi_5:credit")
    assert again == first
    credits = sandbox.billing.db.scalar(
        "SELECT COUNT(*) FROM wallet_entries WHERE subscriber_id = 'SUB-1001' AND reference = 'wallet-credit:pi_5'"
    )
    assert credits == 1


async def test_the_adapter_sends_the_key(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    port = HttpBilling(CoreClient("billing", client))
    invoice = overdue_invoice(sandbox)
    args: dict[str, Any] = {
        "external_ref": "pi_6",
        "invoice_id": invoice["id"],
        "amount": Money(Decimal("2.00"), "USD"),
        "method": "CARD",
    }
    first = await port.record_payment(**args, idempotency_key="stripe:pi_6:payment")
    again = await port.record_payment(**args, idempotency_key="stripe:pi_6:payment")
    assert again == first  # `duplicate` included: the very first answer
    assert payments(sandbox, invoice["id"]) == 1
