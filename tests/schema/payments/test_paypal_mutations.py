"""Choosing PayPal through GraphQL: `paymentGateways`, `payInvoice`/`topUpWallet` with `gateway: PAYPAL` (an
order at the sandbox's PayPal emulator), a gateway the portal does not offer, and the same roles as a Stripe
payment."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bff.core.settings import Settings
from sandbox.app import Sandbox
from tests.harness.portal import GATEWAY_URL, MakePortal, portal_settings
from tests.schema.helpers import error_codes, invoices_of, payload
from tests.schema.queries import PAY_INVOICE, TOP_UP

GATEWAYS = "query { paymentGateways }"
PAYPAL_URL = "http://paypal.test"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return portal_settings(tmp_path, GATEWAY_URL=GATEWAY_URL, GATEWAYS="stripe,paypal", PAYPAL_URL=PAYPAL_URL)


async def test_payment_gateways_lists_the_configured_ones_default_first(
    make_portal: MakePortal, tmp_path: Path
) -> None:
    both = await make_portal()
    await both.login("ana@lima.example")
    assert (await both.data(GATEWAYS))["paymentGateways"] == ["STRIPE", "PAYPAL"]
    stripe_only = await make_portal(portal_settings(tmp_path, GATEWAY_URL=GATEWAY_URL))
    await stripe_only.login("ana@lima.example")
    assert (await stripe_only.data(GATEWAYS))["paymentGateways"] == ["STRIPE"]
    paypal_first = await make_portal(
        portal_settings(tmp_path, GATEWAY_URL=GATEWAY_URL, GATEWAYS="paypal,stripe", PAYPAL_URL=PAYPAL_URL)
    )
    await paypal_first.login("ana@lima.example")
    assert (await paypal_first.data(GATEWAYS))["paymentGateways"] == ["PAYPAL", "STRIPE"]
    # Signed out: nothing.
    anonymous = await make_portal()
    assert "errors" in (await anonymous.post(GATEWAYS)).json()


async def test_pay_invoice_through_paypal_opens_the_approval_page(
    make_portal: MakePortal, sandbox: Sandbox
) -> None:
    ana = await make_portal()
    await ana.login("ana@lima.example")
    [open_] = [i for i in await invoices_of(ana) if i["status"] == "OPEN"]
    variables = {"input": {"invoiceId": open_["id"], "idempotencyKey": "k-1", "gateway": "PAYPAL"}}
    result = await payload(ana, PAY_INVOICE, variables, "payInvoice")
    assert result["userErrors"] == []
    assert "/_sandbox/paypal/checkoutnow?token=" in result["checkoutUrl"]
    assert result["invoice"]["status"] == "OPEN"
    again = await payload(ana, PAY_INVOICE, variables, "payInvoice")
    assert again["checkoutUrl"] == result["checkoutUrl"]  # the same key: the same order
    order: dict[str, Any] = json.loads(sandbox.paypal.db.scalar("SELECT body FROM paypal_orders"))
    assert order["purchase_units"][0]["amount"]["value"] == open_["balance"]["amount"]
    assert sandbox.paypal.db.scalar("SELECT COUNT(*) FROM paypal_orders") == 1


async def test_top_up_through_paypal(make_portal: MakePortal, sandbox: Sandbox) -> None:
    ana = await make_portal()
    await ana.login("ana@lima.example")
    result = await payload(
        ana, TOP_UP, {"input": {"amount": "20.00", "idempotencyKey": "t", "gateway": "PAYPAL"}}, "topUpWallet"
    )
    assert result["userErrors"] == []
    assert "/_sandbox/paypal/checkoutnow?token=" in result["checkoutUrl"]
    refused = await payload(
        ana,
        TOP_UP,
        {"input": {"amount": "20.001", "idempotencyKey": "t2", "gateway": "PAYPAL"}},
        "topUpWallet",
    )
    assert error_codes(refused) == ["AMOUNT_INVALID"]
    assert sandbox.paypal.db.scalar("SELECT COUNT(*) FROM paypal_orders") == 1


async def test_a_gateway_not_offered_is_refused(
    make_portal: MakePortal, tmp_path: Path, sandbox: Sandbox
) -> None:
    ana = await make_portal(portal_settings(tmp_path, GATEWAY_URL=GATEWAY_URL))
    await ana.login("ana@lima.example")
    [open_] = [i for i in await invoices_of(ana) if i["status"] == "OPEN"]
    result = await payload(
        ana,
        PAY_INVOICE,
        {"input": {"invoiceId": open_["id"], "idempotencyKey": "k", "gateway": "PAYPAL"}},
        "payInvoice",
    )
    assert error_codes(result) == ["GATEWAY_NOT_OFFERED"]
    assert result["checkoutUrl"] is None
    assert sandbox.paypal.db.scalar("SELECT COUNT(*) FROM paypal_orders") == 0


ROLES = [
    "it@northwind.example",
    "ops@northwind.example",
    "finance@northwind.example",
    "auditor@northwind.example",
    "airport@northwind.example",
]


def _outcome(response: dict[str, Any]) -> tuple[Any, ...]:
    top = tuple(e.get("extensions", {}).get("code") for e in response.get("errors") or [])
    data = (response.get("data") or {}).get("payInvoice")
    if data is None:
        return ("top", top)
    return ("payload", tuple(e["code"] for e in data["userErrors"]), data["checkoutUrl"] is not None)


async def test_roles_are_those_of_a_stripe_payment(make_portal: MakePortal) -> None:
    admin = await make_portal()
    await admin.login("it@northwind.example")
    invoice = next(i for i in await invoices_of(admin) if i["status"] in ("OPEN", "OVERDUE"))
    for email in ROLES:
        user = await make_portal()
        await user.login(email)
        outcomes = {}
        for gateway in ("STRIPE", "PAYPAL"):
            variables = {
                "input": {
                    "invoiceId": invoice["id"],
                    "idempotencyKey": f"{email}-{gateway}",
                    "gateway": gateway,
                }
            }
            outcomes[gateway] = _outcome((await user.post(PAY_INVOICE, variables)).json())
        assert outcomes["PAYPAL"] == outcomes["STRIPE"], email
