"""`HttpBilling` under faults the sandbox never produces on its own, injected with respx."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal

import httpx
import pytest
import respx

from adapters.errors import ContractViolation, NotFound, Rejected, Unavailable
from adapters.ports.money import Money
from adapters.wispgate.billing import HttpBilling
from adapters.wispgate.client import BackendConfig, CoreClient, make_http_client

BASE = "http://billing.test"
MONEY = {"amount": "5.00", "currency": "USD"}
WALLET = {"subscriber_id": "SUB-1", "balance": MONEY}


@pytest.fixture
async def billing() -> AsyncIterator[HttpBilling]:
    async with make_http_client(BackendConfig(base_url=BASE, api_key="k")) as http:
        yield HttpBilling(CoreClient("billing", http))


@pytest.fixture
def core() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=True) as router:
        yield router


async def test_timeout_is_unavailable(billing: HttpBilling, core: respx.MockRouter) -> None:
    core.post("/v1/wallets:batch").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(Unavailable):
        await billing.wallet_balances(["SUB-1"])


async def test_503_is_unavailable(billing: HttpBilling, core: respx.MockRouter) -> None:
    core.post("/v1/payments").respond(503, text="maintenance")
    with pytest.raises(Unavailable):
        await billing.record_payment(
            external_ref="gw-1", invoice_id="inv_1", amount=Money(Decimal("5.00"), "USD"), method="CARD"
        )


async def test_malformed_json_is_contract_violation(billing: HttpBilling, core: respx.MockRouter) -> None:
    core.post("/v1/accounts:batch").respond(200, text="<html>oops</html>")
    with pytest.raises(ContractViolation):
        await billing.accounts(["SUB-1"])


async def test_missing_required_field_is_contract_violation(
    billing: HttpBilling, core: respx.MockRouter
) -> None:
    core.post("/v1/wallets:batch").respond(200, json={"items": [{"subscriber_id": "SUB-1"}]})
    with pytest.raises(ContractViolation):
        await billing.wallet_balances(["SUB-1"])


async def test_bad_amount_is_contract_violation(billing: HttpBilling, core: respx.MockRouter) -> None:
    core.post("/v1/wallets:batch").respond(
        200, json={"items": [{**WALLET, "balance": {"amount": "lots", "currency": "USD"}}]}
    )
    with pytest.raises(ContractViolation):
        await billing.wallet_balances(["SUB-1"])


async def test_404_is_not_found(billing: HttpBilling, core: respx.MockRouter) -> None:
    core.get("/v1/invoices/inv_9").respond(
        404, json={"error": {"code": "NOT_FOUND", "message": "invoice not found"}}
    )
    with pytest.raises(NotFound):
        await billing.invoice("inv_9")


async def test_409_with_code_is_rejected(billing: HttpBilling, core: respx.MockRouter) -> None:
    core.post("/v1/wallet/apply").respond(
        409, json={"error": {"code": "INSUFFICIENT_BALANCE", "message": "the wallet balance is not enough"}}
    )
    with pytest.raises(Rejected) as refused:
        await billing.apply_wallet(subscriber_id="SUB-1", invoice_id="inv_1", idempotency_key="k")
    assert (refused.value.code, refused.value.status) == ("INSUFFICIENT_BALANCE", 409)


async def test_ids_are_escaped_in_paths(billing: HttpBilling, core: respx.MockRouter) -> None:
    route = core.get("/v1/subscribers/SUB%2F1/payment-methods").respond(200, json={"items": []})
    assert await billing.payment_methods("SUB/1") == []
    assert route.called


async def test_batches_above_1000_are_split(billing: HttpBilling, core: respx.MockRouter) -> None:
    seen: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        ids = json.loads(request.content)["ids"]
        seen.append(len(ids))
        return httpx.Response(200, json={"items": [{"subscriber_id": i, "balance": MONEY} for i in ids]})

    core.post("/v1/wallets:batch").mock(side_effect=answer)
    balances = await billing.wallet_balances([f"SUB-{i}" for i in range(2500)] + ["SUB-1"])
    assert sorted(seen) == [500, 1000, 1000] and len(balances) == 2500
