"""Billing in JPY, USD, EUR and KWD: amounts are held in the currency's minor unit and written with exactly its
decimals (JPY 0, USD and EUR 2, KWD 3), requests finer than the currency are refused, and autopay charges the
gateway the same minor units.

A sandbox runs in one currency, chosen by `SANDBOX_CURRENCY` (`SystemConfig.currency` here): the seed states
its prices once and rounds them to the currency's minor unit (49.99 becomes 50 JPY).
"""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from pypdf import PdfReader
from starlette.applications import Starlette

from sandbox.app import build_sandbox, mount
from sandbox.billing.system import BillingSystem
from sandbox.common.system import SystemConfig
from sandbox.settings import SandboxSettings
from sandbox.world import World
from tests.sandbox.test_billing_autopay import (
    BASE,
    GATEWAY_KEY,
    GOOD_CARD,
    OPERATOR_KEY,
    SERVICE_KEY,
    Clients,
    autopay,
    gateway_customer,
    run,
    save_card,
)


@dataclass(frozen=True)
class Case:
    currency: str
    places: int
    payment: str  # a valid amount in the currency
    too_fine: str  # one decimal more than the currency has
    credit: str


CASES = [
    Case("JPY", 0, "5000", "29.99", "1000"),
    Case("USD", 2, "29.99", "1.234", "10.50"),
    Case("EUR", 2, "12.34", "0.001", "7.05"),
    Case("KWD", 3, "1.234", "1.2345", "0.125"),
]


@pytest.fixture(params=CASES, ids=[c.currency for c in CASES])
def case(request: pytest.FixtureRequest) -> Case:
    value: Case = request.param
    return value


@pytest.fixture
async def billing(tmp_path: Path, world: World, case: Case) -> AsyncIterator[httpx.AsyncClient]:
    config = SystemConfig(
        db_path=str(tmp_path / "billing.sqlite3"),
        service_key=SERVICE_KEY,
        operator_key=OPERATOR_KEY,
        currency=case.currency,
    )
    system = BillingSystem(config, today=world.today)
    system.seed(world)
    # The operator key opens every route, the service's and the operator's.
    transport = httpx.ASGITransport(app=system.asgi())
    async with httpx.AsyncClient(
        transport=transport, base_url="http://billing.test", headers={"x-api-key": OPERATOR_KEY}
    ) as client:
        yield client
    system.db.close()


def amounts(value: Any) -> list[dict[str, str]]:
    """Every Money object inside a JSON value."""
    if isinstance(value, dict):
        if set(value) == {"amount", "currency"}:
            return [value]
        return [m for v in value.values() for m in amounts(v)]
    if isinstance(value, list):
        return [m for v in value for m in amounts(v)]
    return []


def written_with(places: int) -> re.Pattern[str]:
    return re.compile(r"-?[0-9]+" + (rf"\.[0-9]{{{places}}}" if places else ""))


def text(minor: int, case: Case) -> str:
    return f"{Decimal(minor).scaleb(-case.places):.{case.places}f}"


def minor(amount: str, case: Case) -> int:
    return int(Decimal(amount).scaleb(case.places))


async def open_invoice(billing: httpx.AsyncClient, subscriber_id: str) -> dict[str, Any]:
    r = await billing.post("/v1/invoices:by-subscriber", json={"ids": [subscriber_id], "status": "OPEN"})
    assert r.status_code == 200, r.text
    invoice: dict[str, Any] = r.json()["items"][0]
    return invoice


async def wallet(billing: httpx.AsyncClient, subscriber_id: str) -> str:
    r = await billing.post("/v1/wallets:batch", json={"ids": [subscriber_id]})
    balance: str = r.json()["items"][0]["balance"]["amount"]
    return balance


async def test_accounts_and_invoices_are_held_in_the_currency(billing: httpx.AsyncClient, case: Case) -> None:
    accounts = (await billing.post("/v1/accounts:batch", json={"ids": ["SUB-1001", "SUB-3001"]})).json()
    invoices = (await billing.post("/v1/invoices:by-subscriber", json={"ids": ["SUB-1001"]})).json()
    plans = (await billing.post("/v1/installments:batch", json={"ids": ["SS-1001-1"]})).json()

    money = amounts([accounts, invoices, plans])
    assert money and {m["currency"] for m in money} == {case.currency}
    assert all(written_with(case.places).fullmatch(m["amount"]) for m in money), money
    for invoice in invoices["items"]:
        lines = sum(minor(line["amount"]["amount"], case) for line in invoice["lines"])
        assert minor(invoice["total"]["amount"], case) == lines
    # The seed's 49.99 plan, rounded to the currency's minor unit.
    fiber = next(i for i in invoices["items"][0]["lines"] if i["description"] == "Fiber 300")
    assert (
        fiber["amount"]["amount"]
        == {"JPY": "50", "USD": "49.99", "EUR": "49.99", "KWD": "49.990"}[case.currency]
    )


async def test_a_payment_in_the_currency_settles_and_credits_the_rest(
    billing: httpx.AsyncClient, case: Case
) -> None:
    invoice = await open_invoice(billing, "SUB-1003")
    before = await wallet(billing, "SUB-1003")
    paid = text(minor(invoice["balance"]["amount"], case) + minor(case.payment, case), case)
    body = {
        "external_ref": "gw-1",
        "invoice_id": invoice["id"],
        "amount": paid,
        "currency": case.currency,
        "method": "GATEWAY",
    }

    r = await billing.post("/v1/payments", json=body)

    assert r.status_code == 201, r.text
    result = r.json()
    assert result["payment"]["amount"] == {"amount": paid, "currency": case.currency}
    assert result["payment"]["applied"] == invoice["balance"]
    assert result["invoice"]["status"] == "PAID"
    assert result["invoice"]["balance"]["amount"] == text(0, case)
    assert result["wallet_credit"] == {"amount": case.payment, "currency": case.currency}
    assert await wallet(billing, "SUB-1003") == text(minor(before, case) + minor(case.payment, case), case)
    again = await billing.post("/v1/payments", json=body)
    assert again.status_code == 200 and again.json()["duplicate"] is True


async def test_an_amount_finer_than_the_currency_is_refused(billing: httpx.AsyncClient, case: Case) -> None:
    invoice = await open_invoice(billing, "SUB-1001")
    payment = {
        "external_ref": "gw-2",
        "invoice_id": invoice["id"],
        "amount": case.too_fine,
        "currency": case.currency,
        "method": "CARD",
    }
    credit = {"subscriber_id": "SUB-1001", "kind": "PROMO", "amount": case.too_fine, "description": "x"}
    apply = {
        "subscriber_id": "SUB-1001",
        "invoice_id": invoice["id"],
        "idempotency_key": "k",
        "amount": case.too_fine,
    }

    responses = [
        await billing.post("/v1/payments", json=payment),
        await billing.post("/v1/ops/wallet/credits", json=credit),
        await billing.post("/v1/wallet/apply", json=apply),
        await billing.post("/v1/ops/gift-cards", json={"value": case.too_fine}),
    ]

    assert [(r.status_code, r.json()["error"]["code"]) for r in responses] == [(422, "AMOUNT_INVALID")] * 4
    assert case.currency in responses[0].json()["error"]["message"]


async def test_a_wallet_credit_and_a_gift_card_in_the_currency(
    billing: httpx.AsyncClient, case: Case
) -> None:
    before = minor(await wallet(billing, "SUB-1001"), case)

    credited = await billing.post(
        "/v1/ops/wallet/credits",
        json={"subscriber_id": "SUB-1001", "kind": "PROMO", "amount": case.credit, "description": "Outage"},
    )
    card = await billing.post("/v1/ops/gift-cards", json={"value": "25", "code": f"WG-{case.currency}-25"})
    redeemed = await billing.post(
        "/v1/gift-cards/redeem", json={"subscriber_id": "SUB-1001", "code": f"WG-{case.currency}-25"}
    )

    assert credited.status_code == 201, credited.text
    assert credited.json()["entry"]["amount"] == {"amount": case.credit, "currency": case.currency}
    assert card.json()["value"] == {"amount": text(minor("25", case), case), "currency": case.currency}
    expected = before + minor(case.credit, case) + minor("25", case)
    assert redeemed.json()["wallet_balance"]["amount"] == text(expected, case)
    assert await wallet(billing, "SUB-1001") == text(expected, case)


async def test_the_invoice_pdf_prints_the_currency_s_decimals(billing: httpx.AsyncClient, case: Case) -> None:
    invoice = await open_invoice(billing, "SUB-1001")

    r = await billing.get(f"/v1/invoices/{invoice['id']}/pdf")

    page = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    assert f"{case.currency} {invoice['total']['amount']}" in page
    assert f"Amount ({case.currency})" in page
    for line in invoice["lines"]:
        assert line["amount"]["amount"] in page


@pytest.mark.parametrize("currency", ["JPY", "KWD"])
async def test_autopay_charges_the_gateway_the_same_minor_units(
    tmp_path: Path, today: date, currency: str
) -> None:
    sandbox = build_sandbox(
        SandboxSettings(
            data_dir=tmp_path,
            service_key=SERVICE_KEY,
            operator_key=OPERATOR_KEY,
            today=today,
            public_url=f"{BASE}/_sandbox",
            currency=currency,
        )
    )
    app = Starlette(routes=[mount("/_sandbox", sandbox.asgi())])

    def client(path: str, headers: dict[str, str]) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app)
        return httpx.AsyncClient(transport=transport, base_url=f"{BASE}/_sandbox/{path}", headers=headers)

    async with (
        client("gateway", {"authorization": f"Bearer {GATEWAY_KEY}"}) as gateway,
        client("gateway", {}) as browser,
        client("billing", {"x-api-key": SERVICE_KEY}) as billing,
        client("billing", {"x-api-key": OPERATOR_KEY}) as ops,
    ):
        c = Clients(sandbox, gateway, browser, billing, ops)
        customer = await gateway_customer(c, "SUB-1001")
        await save_card(c, "SUB-1001", customer, GOOD_CARD)
        await autopay(c, "SUB-1001", True)
        invoice = await open_invoice(billing, "SUB-1001")

        summary = await run(c, subscriber_id="SUB-1001")

        charged = {i["invoice_id"]: i for i in summary["charged"]}[invoice["id"]]
        assert charged["succeeded"] is True and charged["amount"] == invoice["balance"]
        intent = (await gateway.get(f"/v1/payment_intents/{charged['payment_intent_id']}")).json()
        places = 0 if currency == "JPY" else 3
        assert intent["currency"] == currency.lower()
        assert intent["amount"] == int(Decimal(invoice["balance"]["amount"]).scaleb(places))
    sandbox.close()
