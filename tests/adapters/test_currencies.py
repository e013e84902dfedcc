"""JPY, USD, EUR and KWD through the adapters: each amount leaves and comes back with exactly its currency's
decimals (ISO 4217: 0, 2, 2, 3), to the gateway in integer minor units and to Billing as a Decimal string."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from typing import Any

import pytest
import respx

from adapters.errors import Rejected
from adapters.ports.money import Money
from adapters.stripe import amounts
from adapters.stripe.gateway import HttpStripeGateway, StripeConfig, make_stripe_http
from adapters.wispgate.billing import HttpBilling
from adapters.wispgate.client import BackendConfig, CoreClient, make_http_client
from tests.adapters.test_gateway_faults import API, CHECKOUT_SESSION, KEY, PAYMENT_INTENT, form_of

# (amount, currency, the gateway's minor units, Billing's wire string)
CASES = [
    ("5000", "JPY", 5000, "5000"),
    ("49.99", "USD", 4999, "49.99"),
    ("19.9", "EUR", 1990, "19.90"),
    ("1.234", "KWD", 1234, "1.234"),
]
BILLING = "http://billing.test"


@pytest.mark.parametrize(("amount", "currency", "minor", "wire"), CASES)
def test_stripe_amounts_both_ways(amount: str, currency: str, minor: int, wire: str) -> None:
    money = Money(Decimal(amount), currency)
    assert amounts.to_minor(money) == minor
    back = amounts.from_minor(minor, currency.lower())
    assert back == money and str(back.amount) == wire


@pytest.mark.parametrize(("amount", "currency"), [("0.5", "JPY"), ("49.999", "USD"), ("1.2345", "KWD")])
def test_stripe_refuses_an_amount_finer_than_its_currency(amount: str, currency: str) -> None:
    with pytest.raises(Rejected) as refused:
        amounts.to_minor(Money(Decimal(amount), currency))
    assert refused.value.code == "invalid_amount"


def test_stripe_departures_from_iso() -> None:
    # Stripe's API counts ISK in hundredths and MGA in whole ariary.
    assert amounts.to_minor(Money(Decimal("500"), "ISK")) == 50000
    assert amounts.from_minor(50000, "isk") == Money(Decimal("500"), "ISK")
    assert amounts.to_minor(Money(Decimal("5000"), "MGA")) == 5000
    with pytest.raises(Rejected):
        amounts.to_minor(Money(Decimal("5000.50"), "MGA"))


@pytest.fixture
def stripe_api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=API, assert_all_called=True) as router:
        yield router


@pytest.fixture
async def gateway() -> AsyncIterator[HttpStripeGateway]:
    async with make_stripe_http(StripeConfig(api_key=KEY)) as http:
        yield HttpStripeGateway(http)


@pytest.mark.parametrize(("amount", "currency", "minor", "wire"), CASES)
async def test_gateway_sends_and_reads_minor_units(
    stripe_api: respx.MockRouter,
    gateway: HttpStripeGateway,
    amount: str,
    currency: str,
    minor: int,
    wire: str,
) -> None:
    answer = {
        **CHECKOUT_SESSION,
        "amount_total": minor,
        "amount_subtotal": minor,
        "currency": currency.lower(),
    }
    route = stripe_api.post("/v1/checkout/sessions").respond(200, json=answer)
    money = Money(Decimal(amount), currency)
    session = await gateway.create_payment_session(
        money, "Invoice", {}, None, "https://portal.test/ok", "https://portal.test/no", "k"
    )
    sent = form_of(route.calls.last.request)
    assert sent["line_items[0][price_data][unit_amount]"] == [str(minor)]
    assert sent["line_items[0][price_data][currency]"] == [currency.lower()]
    assert session.amount == money and session.currency == currency
    assert session.amount is not None and str(session.amount.amount) == wire

    intent = {**PAYMENT_INTENT, "amount": minor, "currency": currency.lower()}
    charge = stripe_api.post("/v1/payment_intents").respond(200, json=intent)
    charged = await gateway.charge_off_session("cus_1", "pm_1", money, {}, "k-charge")
    assert form_of(charge.calls.last.request)["amount"] == [str(minor)]
    assert charged.amount == money and str(charged.amount.amount) == wire


def _money(amount: str, currency: str) -> dict[str, str]:
    return {"amount": amount, "currency": currency}


def _payment_result(wire: str, currency: str) -> dict[str, Any]:
    zero = "0" if currency == "JPY" else "0." + "0" * (3 if currency == "KWD" else 2)
    return {
        "payment": {
            "id": "PAY-1",
            "external_ref": "pi_1",
            "invoice_id": "INV-1",
            "subscriber_id": "SUB-1",
            "amount": _money(wire, currency),
            "applied": _money(wire, currency),
            "method": "CARD",
            "recorded_at": "2026-11-25T10:00:00Z",
        },
        "invoice": {
            "id": "INV-1",
            "number": "INV-202611-00001",
            "subscriber_id": "SUB-1",
            "subservice_id": None,
            "status": "PAID",
            "issued_on": "2026-11-01",
            "due_on": "2026-11-15",
            "period_start": "2026-11-01",
            "period_end": "2026-11-30",
            "total": _money(wire, currency),
            "amount_paid": _money(wire, currency),
            "balance": _money(zero, currency),
            "lines": [{"subservice_id": "SS-1", "description": "Plan", "amount": _money(wire, currency)}],
            "subservice_ids": ["SS-1"],
        },
        "wallet_credit": None,
        "duplicate": False,
    }


@pytest.fixture
async def billing() -> AsyncIterator[HttpBilling]:
    async with make_http_client(BackendConfig(base_url=BILLING, api_key="k")) as http:
        yield HttpBilling(CoreClient("billing", http))


@pytest.mark.parametrize(("amount", "currency", "minor", "wire"), CASES)
async def test_billing_writes_and_reads_the_currencys_decimals(
    billing: HttpBilling, amount: str, currency: str, minor: int, wire: str
) -> None:
    with respx.mock(base_url=BILLING, assert_all_called=True) as core:
        route = core.post("/v1/payments").respond(200, json=_payment_result(wire, currency))
        money = Money(Decimal(amount), currency)
        result = await billing.record_payment(
            external_ref="pi_1", invoice_id="INV-1", amount=money, method="CARD"
        )
    assert json.loads(route.calls.last.request.content)["amount"] == wire
    assert result.payment.amount == money and str(result.invoice.total.amount) == wire
    assert result.invoice.lines[0].amount == money


async def test_billing_refuses_an_amount_finer_than_its_currency_before_sending(billing: HttpBilling) -> None:
    with respx.mock(base_url=BILLING, assert_all_called=False) as core:
        route = core.post("/v1/payments").respond(500)
        with pytest.raises(Rejected) as refused:
            await billing.record_payment(
                external_ref="pi_1", invoice_id="INV-1", amount=Money(Decimal("1.234"), "USD"), method="CARD"
            )
    assert (refused.value.code, route.called) == ("AMOUNT_INVALID", False)
