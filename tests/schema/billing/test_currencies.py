"""Money through the graph in currencies with 0, 2 and 3 decimals: every amount the subscriber reads keeps its
currency's exact decimals from Billing to the GraphQL answer, and the money mutations refuse an amount finer
than the currency rather than rounding it.

Each case runs the real BFF over a sandbox seeded in that currency (`SANDBOX_CURRENCY`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from bff.core.settings import Settings
from sandbox.app import build_sandbox
from sandbox.settings import SandboxSettings
from tests.harness.portal import Portal, start_portal
from tests.harness.transport import DispatchTransport

DECIMALS = {"JPY": 0, "USD": 2, "EUR": 2, "KWD": 3}

DASHBOARD = """
query {
  viewer { subscriber {
    financialSummary { outstanding { amount currency } monthlyCharges { amount currency }
                       walletBalance { amount currency } }
    wallet { balance { amount currency } }
    invoices(first: 10) { nodes { number total { amount currency } balance { amount currency }
                                  lines { amount { amount currency } } } }
    subServices(first: 10) { nodes { billing { outstanding { amount currency }
                                               monthlyCharge { amount currency } } } }
  } }
}
"""
APPLY = """
mutation($input: ApplyWalletToInvoiceInput!) {
  applyWalletToInvoice(input: $input) { userErrors { code message field } }
}
"""
TOP_UP = """
mutation($input: TopUpWalletInput!) {
  topUpWallet(input: $input) { checkoutUrl userErrors { code message field } }
}
"""


def amounts(value: object) -> list[dict[str, str]]:
    """Every `{amount, currency}` in a GraphQL answer."""
    found: list[dict[str, str]] = []
    if isinstance(value, dict):
        if set(value) == {"amount", "currency"}:
            found.append(value)
        else:
            for item in value.values():
                found += amounts(item)
    elif isinstance(value, list):
        for item in value:
            found += amounts(item)
    return found


@pytest.fixture(params=sorted(DECIMALS))
async def ana(
    request: pytest.FixtureRequest, settings: Settings, today: date, tmp_path: Path
) -> AsyncIterator[tuple[str, Portal]]:
    currency: str = request.param
    sandbox = build_sandbox(SandboxSettings(data_dir=tmp_path / currency, today=today, currency=currency))
    try:
        async with start_portal(settings, DispatchTransport.to(sandbox.systems)) as portal:
            yield currency, await portal.another().sign_in("ana@lima.example")
    finally:
        sandbox.close()


async def test_every_amount_has_its_currencys_decimals(ana: tuple[str, Portal]) -> None:
    currency, portal = ana
    data = await portal.data(DASHBOARD)
    found = amounts(data)
    assert len(found) > 10
    places = DECIMALS[currency]
    for money in found:
        assert money["currency"] == currency
        whole, _, fraction = money["amount"].lstrip("-").partition(".")
        assert whole.isdigit() and len(fraction) == places, money
    invoices = data["viewer"]["subscriber"]["invoices"]["nodes"]
    for invoice in invoices:
        lines = sum(Decimal(line["amount"]["amount"]) for line in invoice["lines"])
        assert lines == Decimal(invoice["total"]["amount"])  # exact: nothing rounded away on the way


async def test_an_amount_finer_than_the_currency_is_refused_not_rounded(ana: tuple[str, Portal]) -> None:
    currency, portal = ana
    too_fine = {"JPY": "10.5", "USD": "10.005", "EUR": "10.005", "KWD": "10.0005"}[currency]
    invoices = (await portal.data(DASHBOARD))["viewer"]["subscriber"]["invoices"]["nodes"]
    open_invoice = (
        await portal.data("query { viewer { subscriber { invoices(status: OPEN) { nodes { id } } } } }")
    )["viewer"]["subscriber"]["invoices"]["nodes"][0]["id"]
    assert invoices
    applied = await portal.data(
        APPLY,
        {"input": {"invoiceId": open_invoice, "amount": too_fine, "idempotencyKey": f"fine-{currency}"}},
    )
    [error] = applied["applyWalletToInvoice"]["userErrors"]
    assert (error["code"], error["field"]) == ("AMOUNT_INVALID", ["input", "amount"])
    assert f"at most {DECIMALS[currency]} decimal" in error["message"]
    topped = await portal.data(TOP_UP, {"input": {"amount": too_fine, "idempotencyKey": f"top-{currency}"}})
    [error] = topped["topUpWallet"]["userErrors"]
    assert error["code"] == "AMOUNT_INVALID" and topped["topUpWallet"]["checkoutUrl"] is None


async def test_an_exact_amount_in_the_currency_is_accepted(ana: tuple[str, Portal]) -> None:
    currency, portal = ana
    exact = {"JPY": "1000", "USD": "10.01", "EUR": "10.01", "KWD": "10.001"}[currency]
    topped = await portal.data(TOP_UP, {"input": {"amount": exact, "idempotencyKey": f"exact-{currency}"}})
    assert topped["topUpWallet"]["userErrors"] == []
    assert topped["topUpWallet"]["checkoutUrl"]
