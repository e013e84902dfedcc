"""The payment mutations through the real BFF over the test's own sandbox, in-process: paying an invoice,
topping up the wallet and saving a card each open a checkout at the sandbox gateway."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness.portal import SignIn
from tests.schema.helpers import error_codes, gid, invoices_of, payload, subscriber
from tests.schema.queries import ADD_CARD, CARDS, PAY_INVOICE, TOP_UP

# ---------------------------------------------------------------------------------------------- payInvoice


async def test_pay_invoice_opens_the_gateway_checkout_for_the_open_invoice(sign_in: SignIn) -> None:
    ana = await sign_in("ana@lima.example")
    [open_] = [i for i in await invoices_of(ana) if i["status"] == "OPEN"]

    result = await payload(
        ana, PAY_INVOICE, {"input": {"invoiceId": open_["id"], "idempotencyKey": "k-1"}}, "payInvoice"
    )

    assert result["userErrors"] == []
    assert result["checkoutUrl"].startswith("http://127.0.0.1:8000/_sandbox/gateway/pay/cs_")
    assert result["invoice"]["id"] == open_["id"]
    assert result["invoice"]["status"] == "OPEN"  # nothing is paid before the gateway says so
    # The hosted page is really there, showing the invoice's balance.
    page = await ana.transport.handle_async_request(
        _get("http://gateway.test" + result["checkoutUrl"].split("/_sandbox/gateway", 1)[1])
    )
    assert page.status_code == 200
    await page.aread()
    assert open_["balance"]["amount"] in page.text


def _get(url: str) -> Any:
    import httpx

    return httpx.Request("GET", url)


async def test_same_idempotency_key_replays_the_same_checkout(sign_in: SignIn) -> None:
    ana = await sign_in("ana@lima.example")
    [open_] = [i for i in await invoices_of(ana) if i["status"] == "OPEN"]
    variables = {"input": {"invoiceId": open_["id"], "idempotencyKey": "same-key"}}

    first = await payload(ana, PAY_INVOICE, variables, "payInvoice")
    second = await payload(ana, PAY_INVOICE, variables, "payInvoice")
    other = await payload(
        ana, PAY_INVOICE, {"input": {"invoiceId": open_["id"], "idempotencyKey": "other"}}, "payInvoice"
    )

    assert first["checkoutUrl"] and first["checkoutUrl"] == second["checkoutUrl"]
    assert other["checkoutUrl"] != first["checkoutUrl"]


async def test_pay_invoice_refuses_a_paid_invoice(sign_in: SignIn) -> None:
    ana = await sign_in("ana@lima.example")
    paid = next(i for i in await invoices_of(ana) if i["status"] == "PAID")

    result = await payload(
        ana, PAY_INVOICE, {"input": {"invoiceId": paid["id"], "idempotencyKey": "k"}}, "payInvoice"
    )

    assert error_codes(result) == ["ALREADY_PAID"]
    assert result["checkoutUrl"] is None


async def test_foreign_and_made_up_invoices_are_the_same_not_found(sign_in: SignIn) -> None:
    ben = await sign_in("ben@okafor.example")
    [bens] = [i for i in await invoices_of(ben) if i["status"] == "OVERDUE"]
    ana = await sign_in("ana@lima.example")

    foreign = await payload(
        ana, PAY_INVOICE, {"input": {"invoiceId": bens["id"], "idempotencyKey": "k"}}, "payInvoice"
    )
    made_up = await payload(
        ana,
        PAY_INVOICE,
        {"input": {"invoiceId": gid("Invoice", "INV-DOES-NOT-EXIST"), "idempotencyKey": "k"}},
        "payInvoice",
    )

    assert error_codes(foreign) == ["NOT_FOUND"]
    assert foreign == made_up
    assert foreign["userErrors"][0]["field"] == ["input", "invoiceId"]


async def test_return_url_must_be_on_an_allowed_origin(sign_in: SignIn) -> None:
    ana = await sign_in("ana@lima.example")
    [open_] = [i for i in await invoices_of(ana) if i["status"] == "OPEN"]

    refused = await payload(
        ana,
        PAY_INVOICE,
        {
            "input": {
                "invoiceId": open_["id"],
                "idempotencyKey": "k",
                "returnUrl": "https://evil.example/payments/return",
            }
        },
        "payInvoice",
    )
    allowed = await payload(
        ana,
        PAY_INVOICE,
        {
            "input": {
                "invoiceId": open_["id"],
                "idempotencyKey": "k2",
                "returnUrl": "http://127.0.0.1:8000/payments/return?custom=1",
            }
        },
        "payInvoice",
    )

    assert refused["userErrors"] == [
        {
            "field": ["input", "returnUrl"],
            "message": "This return address is not on the portal's list of allowed sites.",
            "code": "RETURN_URL_NOT_ALLOWED",
        }
    ]
    assert refused["checkoutUrl"] is None
    assert allowed["userErrors"] == [] and allowed["checkoutUrl"]


# ---------------------------------------------------------------------------------------------- top-ups


@pytest.mark.parametrize("amount", ["4.99", "1000.01", "1.234", "0", "-5.00"])
async def test_top_up_amount_rules(sign_in: SignIn, amount: str) -> None:
    ana = await sign_in("ana@lima.example")
    result = await payload(ana, TOP_UP, {"input": {"amount": amount, "idempotencyKey": "k"}}, "topUpWallet")
    assert error_codes(result) == ["AMOUNT_INVALID"]
    assert result["userErrors"][0]["field"] == ["input", "amount"]
    assert result["checkoutUrl"] is None


async def test_top_up_opens_a_checkout_and_credits_nothing_yet(sign_in: SignIn) -> None:
    ana = await sign_in("ana@lima.example")
    result = await payload(ana, TOP_UP, {"input": {"amount": "25.50", "idempotencyKey": "k"}}, "topUpWallet")
    assert result["userErrors"] == []
    assert "/gateway/pay/cs_" in result["checkoutUrl"]
    assert result["wallet"] == {"balance": {"amount": "5.00"}}


# ------------------------------------------------------------------------------------------ saving a card


async def test_add_payment_method_opens_a_setup_checkout(sign_in: SignIn) -> None:
    ana = await sign_in("ana@lima.example")
    result = await payload(ana, ADD_CARD, {"input": {"idempotencyKey": "card-1"}}, "addPaymentMethod")
    assert result["userErrors"] == []
    assert "/gateway/pay/cs_" in result["checkoutUrl"]
    # Nothing is stored before the gateway reports the card.
    me = subscriber(await ana.data(CARDS))
    assert me["paymentMethods"] == []
    assert me["autopay"] == {"enabled": False, "paymentMethod": None}
