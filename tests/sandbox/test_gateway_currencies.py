"""The gateway in JPY, USD, EUR and KWD: amounts travel in the currency's minor unit (JPY 0 decimals, USD and
EUR 2, KWD 3), and the hosted page shows them as the currency writes them (babel's `format_currency`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from sandbox.gateway.system import GatewaySystem
from tests.sandbox.test_gateway_support import (
    client_for,
    create_customer,
    create_session,
    make_system,
    payment_form,
    saved_card,
)

# (currency, an amount in minor units, how the hosted page shows it, the smallest charge as shown)
CASES = [
    ("jpy", 5000, "¥5,000", "¥50"),
    ("usd", 2999, "$29.99", "$0.50"),
    ("eur", 1250, "€12.50", "€0.50"),
    ("kwd", 1234, "KWD\u00a01.234", "KWD\u00a00.001"),
]


@pytest.fixture
def system(tmp_path: Path) -> GatewaySystem:
    return make_system(tmp_path)


@pytest.fixture
async def api(system: GatewaySystem) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(system) as client:
        yield client


@pytest.mark.parametrize(("currency", "minor", "shown", "_smallest"), CASES)
async def test_a_checkout_session_in_minor_units_and_its_hosted_page(
    api: httpx.AsyncClient, currency: str, minor: int, shown: str, _smallest: str
) -> None:
    session = await create_session(api, payment_form(amount=minor, currency=currency))
    page = await api.get(f"/pay/{session['id']}")
    items = await api.get(f"/v1/checkout/sessions/{session['id']}/line_items")

    assert (session["amount_total"], session["currency"]) == (minor, currency)
    assert items.json()["data"][0]["price"]["unit_amount"] == minor
    assert page.status_code == 200
    assert f'<h1 data-testid="amount">{shown}</h1>' in page.text
    assert f'Invoice INV-2026-0042</td><td class="amt">{shown}</td>' in page.text
    assert f'<button type="submit" data-testid="pay-button">Pay {shown}</button>' in page.text


@pytest.mark.parametrize(("currency", "minor", "_shown", "smallest"), CASES)
async def test_an_off_session_payment_intent_in_minor_units(
    api: httpx.AsyncClient, currency: str, minor: int, _shown: str, smallest: str
) -> None:
    customer = await create_customer(api)
    method = await saved_card(api, customer)
    charge = {"customer": customer, "payment_method": method, "confirm": "true", "off_session": "true"}

    intent = await api.post(
        "/v1/payment_intents", data={"amount": str(minor), "currency": currency, **charge}
    )
    too_small = await api.post("/v1/payment_intents", data={"amount": "0", "currency": currency, **charge})

    assert intent.status_code == 200, intent.text
    body = intent.json()
    assert (body["amount"], body["amount_received"], body["currency"]) == (minor, minor, currency)
    assert body["status"] == "succeeded"
    error = too_small.json()["error"]
    assert (too_small.status_code, error["code"]) == (400, "amount_too_small")
    assert error["message"] == f"Amount must be at least {smallest} {currency}"
