"""The money mutations (issue 4) through the real BFF over a real sandbox, in-process: checkouts at the
sandbox gateway, wallet payments, gift cards, renewals, saved cards, autopay and notifications.

These tests change data, so each one gets its own copy of a sandbox seeded once per session.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from adapters.ports.billing import BillingPort
from sandbox.app import Sandbox
from tests.harness.portal import Portal, SignIn
from tests.schema.helpers import codes, gid, nodes, subscriber

PAY_INVOICE = """
mutation($input: PayInvoiceInput!) {
  payInvoice(input: $input) {
    invoice { id number status balance { amount currency } }
    checkoutUrl
    userErrors { field message code }
  }
}
"""
TOP_UP = """
mutation($input: TopUpWalletInput!) {
  topUpWallet(input: $input) { wallet { balance { amount } } checkoutUrl userErrors { field message code } }
}
"""
APPLY_WALLET = """
mutation($input: ApplyWalletToInvoiceInput!) {
  applyWalletToInvoice(input: $input) {
    invoice { id status amountPaid { amount } balance { amount } }
    wallet { balance { amount currency } }
    userErrors { field message code }
  }
}
"""
REDEEM = """
mutation($code: String!) {
  redeemGiftCard(input: {code: $code}) {
    wallet { balance { amount } }
    credited { amount currency }
    userErrors { field message code }
  }
}
"""
RENEW = """
mutation($input: RenewServiceInput!) {
  renewService(input: $input) {
    subService { id expiresAt renewable renewalPrice { amount currency } }
    wallet { balance { amount } }
    userErrors { field message code }
  }
}
"""
ADD_CARD = """
mutation($input: AddPaymentMethodInput!) {
  addPaymentMethod(input: $input) { checkoutUrl userErrors { field message code } }
}
"""
CARDS = """
query {
  viewer { subscriber {
    paymentMethods { id brand last4 expMonth expYear isDefault expired }
    autopay { enabled paymentMethod { id last4 } }
  } }
}
"""
SET_DEFAULT = """
mutation($id: ID!) {
  setDefaultPaymentMethod(input: {paymentMethodId: $id}) {
    paymentMethod { id isDefault }
    subscriber { paymentMethods { id isDefault } }
    userErrors { field message code }
  }
}
"""
SET_AUTOPAY = """
mutation($enabled: Boolean!) {
  setAutopay(input: {enabled: $enabled}) {
    autopay { enabled paymentMethod { id } }
    userErrors { field message code }
  }
}
"""
REMOVE_CARD = """
mutation($id: ID!) {
  removePaymentMethod(input: {paymentMethodId: $id}) {
    removedPaymentMethodId
    subscriber { paymentMethods { id } autopay { enabled } }
    userErrors { field message code }
  }
}
"""
INVOICES = """
query { viewer { subscriber {
  invoices(first: 50) { nodes { id number status total { amount } balance { amount } } }
  wallet { balance { amount } }
} } }
"""
WALLET = "query { viewer { subscriber { wallet { balance { amount currency } } } } }"
SERVICE = """
query($id: ID!) {
  node(id: $id) { ... on SubService { id expiresAt renewable renewalPrice { amount currency } } }
}
"""
NOTIFICATIONS = """
query { viewer { subscriber { notifications(first: 50) { unreadCount nodes { id read } } } } }
"""
MARK_READ = """
mutation($ids: [ID!]!) {
  markNotificationsRead(input: {ids: $ids}) { unreadCount userErrors { code } }
}
"""


async def payload(portal: Portal, query: str, variables: dict[str, Any], name: str) -> dict[str, Any]:
    result = await portal.data(query, variables)
    value: dict[str, Any] = result[name]
    return value


async def invoices_of(portal: Portal) -> list[dict[str, Any]]:
    return nodes(subscriber(await portal.data(INVOICES))["invoices"])


async def wallet_of(portal: Portal) -> Decimal:
    return Decimal(subscriber(await portal.data(WALLET))["wallet"]["balance"]["amount"])


def money_calls(portal: Portal) -> int:
    """Requests to the systems that move money (the viewer's own lookup goes to the CRM)."""
    return portal.transport.calls["billing.test"] + portal.transport.calls["gateway.test"]


def error_codes(result: dict[str, Any]) -> list[str]:
    return [e["code"] for e in result["userErrors"]]


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


@pytest.mark.parametrize("email", ["auditor@northwind.example", "airport@northwind.example"])
async def test_viewer_and_site_users_may_not_move_money(sign_in: SignIn, email: str) -> None:
    owner = await sign_in("it@northwind.example")
    invoice = next(i for i in await invoices_of(owner) if i["status"] == "OPEN")
    portal = await sign_in(email)
    attempts = [
        (PAY_INVOICE, {"input": {"invoiceId": invoice["id"], "idempotencyKey": "k"}}),
        (TOP_UP, {"input": {"amount": "20.00", "idempotencyKey": "k"}}),
        (APPLY_WALLET, {"input": {"invoiceId": invoice["id"], "idempotencyKey": "k"}}),
        (REDEEM, {"code": "WG-GIFT-25"}),
        (RENEW, {"input": {"subServiceId": gid("SubService", "SS-2001-6"), "idempotencyKey": "k"}}),
        (ADD_CARD, {"input": {"idempotencyKey": "k"}}),
        (SET_AUTOPAY, {"enabled": False}),
        (SET_DEFAULT, {"id": gid("PaymentMethod", "pm_0000001")}),
        (REMOVE_CARD, {"id": gid("PaymentMethod", "pm_0000001")}),
    ]
    for query, variables in attempts:
        result = await portal.execute(query, variables)
        assert codes(result) == ["FORBIDDEN"], (query, result)
        assert result["data"] is None
    # Nothing moved: the owner still sees the whole credit and the gift card is still unused.
    assert await wallet_of(owner) == Decimal("250.00")
    redeemed = await payload(owner, REDEEM, {"code": "WG-GIFT-25"}, "redeemGiftCard")
    assert redeemed["credited"] == {"amount": "25.00", "currency": "USD"}


async def test_anonymous_money_mutations_are_unauthenticated(portal: Portal) -> None:
    result = await portal.execute(TOP_UP, {"input": {"amount": "20.00", "idempotencyKey": "k"}})
    assert codes(result) == ["UNAUTHENTICATED"]


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


@pytest.mark.parametrize("key", ["", "   ", "x" * 101])
async def test_idempotency_key_must_be_short_and_non_empty(sign_in: SignIn, key: str) -> None:
    ana = await sign_in("ana@lima.example")
    [open_] = [i for i in await invoices_of(ana) if i["status"] == "OPEN"]
    calls = money_calls(ana)

    result = await payload(
        ana, PAY_INVOICE, {"input": {"invoiceId": open_["id"], "idempotencyKey": key}}, "payInvoice"
    )

    assert result["userErrors"][0]["code"] == "IDEMPOTENCY_KEY_INVALID"
    assert result["userErrors"][0]["field"] == ["input", "idempotencyKey"]
    assert money_calls(ana) == calls  # refused before anything was asked of a backend


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


async def test_money_is_never_a_float(sign_in: SignIn) -> None:
    ana = await sign_in("ana@lima.example")
    result = await ana.execute(
        'mutation { topUpWallet(input: {amount: 25.5, idempotencyKey: "k"}) { checkoutUrl } }'
    )
    assert result["data"] is None and "errors" in result


# ---------------------------------------------------------------------------------------- wallet → invoice


async def test_apply_wallet_pays_part_then_the_rest_of_an_invoice(sign_in: SignIn) -> None:
    dana = await sign_in("it@northwind.example")
    invoice = next(i for i in await invoices_of(dana) if i["status"] == "OPEN")
    balance = Decimal(invoice["balance"]["amount"])
    assert await wallet_of(dana) == Decimal("250.00")

    part = await payload(
        dana,
        APPLY_WALLET,
        {"input": {"invoiceId": invoice["id"], "amount": "100.00", "idempotencyKey": "part"}},
        "applyWalletToInvoice",
    )
    assert part["userErrors"] == []
    assert Decimal(part["invoice"]["balance"]["amount"]) == balance - Decimal("100.00")
    assert part["wallet"]["balance"] == {"amount": "150.00", "currency": "USD"}

    # The same key again changes nothing.
    again = await payload(
        dana,
        APPLY_WALLET,
        {"input": {"invoiceId": invoice["id"], "amount": "100.00", "idempotencyKey": "part"}},
        "applyWalletToInvoice",
    )
    assert again["wallet"]["balance"]["amount"] == "150.00"
    assert await wallet_of(dana) == Decimal("150.00")

    rest = await payload(
        dana,
        APPLY_WALLET,
        {"input": {"invoiceId": invoice["id"], "idempotencyKey": "rest"}},
        "applyWalletToInvoice",
    )
    assert rest["userErrors"] == []
    used = min(balance - Decimal("100.00"), Decimal("150.00"))
    assert Decimal(rest["wallet"]["balance"]["amount"]) == Decimal("150.00") - used
    assert Decimal(rest["invoice"]["balance"]["amount"]) == balance - Decimal("100.00") - used
    # The seeded invoice (1,215.00) outweighs the wallet: the rest of the wallet goes, the invoice stays open.
    assert used == Decimal("150.00") < balance - Decimal("100.00")
    assert rest["invoice"]["status"] == "OPEN"
    assert await wallet_of(dana) == Decimal("150.00") - used


async def test_apply_wallet_refusals(sign_in: SignIn) -> None:
    ben = await sign_in("ben@okafor.example")
    [overdue] = [i for i in await invoices_of(ben) if i["status"] == "OVERDUE"]
    assert await wallet_of(ben) == Decimal("10.00")  # a gift card redeemed before
    empty = await payload(
        ben,
        APPLY_WALLET,
        {"input": {"invoiceId": overdue["id"], "amount": "10.01", "idempotencyKey": "k"}},
        "applyWalletToInvoice",
    )
    assert error_codes(empty) == ["INSUFFICIENT_BALANCE"]
    assert empty["invoice"] is None and empty["wallet"] is None

    dana = await sign_in("it@northwind.example")
    invoice = next(i for i in await invoices_of(dana) if i["status"] == "OPEN")
    for amount in ("0", "1.001", "-3"):
        bad = await payload(
            dana,
            APPLY_WALLET,
            {"input": {"invoiceId": invoice["id"], "amount": amount, "idempotencyKey": "k"}},
            "applyWalletToInvoice",
        )
        assert error_codes(bad) == ["AMOUNT_INVALID"], amount
    foreign = await payload(
        dana,
        APPLY_WALLET,
        {"input": {"invoiceId": overdue["id"], "idempotencyKey": "k"}},
        "applyWalletToInvoice",
    )
    assert error_codes(foreign) == ["NOT_FOUND"]
    paid = next(i for i in await invoices_of(dana) if i["status"] == "PAID")
    already = await payload(
        dana,
        APPLY_WALLET,
        {"input": {"invoiceId": paid["id"], "idempotencyKey": "k2"}},
        "applyWalletToInvoice",
    )
    assert error_codes(already) == ["ALREADY_PAID"]
    assert await wallet_of(dana) == Decimal("250.00")


async def test_two_subscribers_using_the_same_key_do_not_collide(
    sign_in: SignIn, billing_port: BillingPort
) -> None:
    await billing_port.redeem_gift_card(subscriber_id="SUB-1003", code="WG-GIFT-10")  # Cara: 30.00
    dana = await sign_in("it@northwind.example")
    cara = await sign_in("cara@jensen.example")
    danas = next(i for i in await invoices_of(dana) if i["status"] == "OPEN")
    caras = next(i for i in await invoices_of(cara) if i["status"] == "OPEN")

    first = await payload(
        dana,
        APPLY_WALLET,
        {"input": {"invoiceId": danas["id"], "amount": "10.00", "idempotencyKey": "shared"}},
        "applyWalletToInvoice",
    )
    second = await payload(
        cara,
        APPLY_WALLET,
        {"input": {"invoiceId": caras["id"], "amount": "10.00", "idempotencyKey": "shared"}},
        "applyWalletToInvoice",
    )

    assert first["userErrors"] == [] and second["userErrors"] == []
    assert second["wallet"]["balance"]["amount"] == "20.00"


# ---------------------------------------------------------------------------------------------- gift cards


async def test_gift_card_credits_once(sign_in: SignIn) -> None:
    ana = await sign_in("ana@lima.example")

    first = await payload(ana, REDEEM, {"code": "WG-GIFT-25"}, "redeemGiftCard")
    second = await payload(ana, REDEEM, {"code": "WG-GIFT-25"}, "redeemGiftCard")
    unknown = await payload(ana, REDEEM, {"code": "WG-NOPE-99"}, "redeemGiftCard")
    garbage = await payload(ana, REDEEM, {"code": "<script>"}, "redeemGiftCard")

    assert first["userErrors"] == []
    assert first["credited"] == {"amount": "25.00", "currency": "USD"}
    assert first["wallet"] == {"balance": {"amount": "30.00"}}
    assert error_codes(second) == ["GIFT_CARD_ALREADY_USED"]
    assert error_codes(unknown) == ["GIFT_CARD_INVALID"]
    assert error_codes(garbage) == ["GIFT_CARD_INVALID"]
    assert second["userErrors"][0]["field"] == ["input", "code"]
    assert await wallet_of(ana) == Decimal("30.00")


async def test_gift_card_guessing_is_rate_limited_per_user(sign_in: SignIn) -> None:
    ana = await sign_in("ana@lima.example")
    for n in range(5):
        result = await payload(ana, REDEEM, {"code": f"WG-GUESS-{n}"}, "redeemGiftCard")
        assert error_codes(result) == ["GIFT_CARD_INVALID"]

    calls = money_calls(ana)
    blocked = await payload(ana, REDEEM, {"code": "WG-GIFT-25"}, "redeemGiftCard")
    assert error_codes(blocked) == ["RATE_LIMITED"]
    assert money_calls(ana) == calls  # the valid code was not even tried
    assert await wallet_of(ana) == Decimal("5.00")

    # Another user of the same app has a budget of their own.
    ben = await sign_in("ben@okafor.example")
    assert (await payload(ben, REDEEM, {"code": "WG-GIFT-25"}, "redeemGiftCard"))["userErrors"] == []


# --------------------------------------------------------------------------------------------- renewals


async def test_renew_prepaid_voip_extends_a_month_and_debits_the_wallet(sign_in: SignIn) -> None:
    cara = await sign_in("cara@jensen.example")
    voip = gid("SubService", "SS-1003-2")
    before = (await cara.data(SERVICE, {"id": voip}))["node"]
    assert before["renewable"] is True
    assert before["renewalPrice"] == {"amount": "9.99", "currency": "USD"}
    wallet = await wallet_of(cara)

    result = await payload(
        cara, RENEW, {"input": {"subServiceId": voip, "idempotencyKey": "renew-1"}}, "renewService"
    )

    assert result["userErrors"] == []
    old, new = (
        datetime.fromisoformat(before["expiresAt"]),
        datetime.fromisoformat(result["subService"]["expiresAt"]),
    )
    assert (new.year * 12 + new.month) - (old.year * 12 + old.month) == 1
    assert new.day == min(old.day, calendar.monthrange(new.year, new.month)[1])  # month-end clamping
    assert Decimal(result["wallet"]["balance"]["amount"]) == wallet - Decimal("9.99")
    assert await wallet_of(cara) == wallet - Decimal("9.99")
    # Replaying the key renews nothing more.
    await payload(cara, RENEW, {"input": {"subServiceId": voip, "idempotencyKey": "renew-1"}}, "renewService")
    assert await wallet_of(cara) == wallet - Decimal("9.99")
    after = (await cara.data(SERVICE, {"id": voip}))["node"]
    assert after["expiresAt"] == result["subService"]["expiresAt"]
    assert after["renewable"] is True  # 10.01 left covers another 9.99


async def test_renew_refusals(sign_in: SignIn) -> None:
    cara = await sign_in("cara@jensen.example")
    internet = await payload(
        cara,
        RENEW,
        {"input": {"subServiceId": gid("SubService", "SS-1003-1"), "idempotencyKey": "k"}},
        "renewService",
    )
    assert error_codes(internet) == ["NOT_PREPAID"]
    internet_node = (await cara.data(SERVICE, {"id": gid("SubService", "SS-1003-1")}))["node"]
    assert internet_node["renewable"] is False and internet_node["renewalPrice"] is None

    foreign = await payload(
        cara,
        RENEW,
        {"input": {"subServiceId": gid("SubService", "SS-2001-2"), "idempotencyKey": "k"}},
        "renewService",
    )
    made_up = await payload(
        cara,
        RENEW,
        {"input": {"subServiceId": gid("SubService", "SS-0000-0"), "idempotencyKey": "k"}},
        "renewService",
    )
    assert error_codes(foreign) == ["NOT_FOUND"] and foreign == made_up

    # 20.00 in the wallet pays two periods of 9.99; the third finds the wallet too low.
    voip = gid("SubService", "SS-1003-2")
    for key in ("a", "b"):
        done = await payload(
            cara, RENEW, {"input": {"subServiceId": voip, "idempotencyKey": key}}, "renewService"
        )
        assert done["userErrors"] == []
    assert done["subService"]["renewable"] is False
    assert await wallet_of(cara) == Decimal("0.02")
    third = await payload(
        cara, RENEW, {"input": {"subServiceId": voip, "idempotencyKey": "c"}}, "renewService"
    )
    assert error_codes(third) == ["INSUFFICIENT_BALANCE"]
    assert third["subService"] is None and third["wallet"] is None


# ------------------------------------------------------------------------------------------- cards, autopay


async def test_add_payment_method_opens_a_setup_checkout(sign_in: SignIn) -> None:
    ana = await sign_in("ana@lima.example")
    result = await payload(ana, ADD_CARD, {"input": {"idempotencyKey": "card-1"}}, "addPaymentMethod")
    assert result["userErrors"] == []
    assert "/gateway/pay/cs_" in result["checkoutUrl"]
    # Nothing is stored before the gateway reports the card.
    me = subscriber(await ana.data(CARDS))
    assert me["paymentMethods"] == []
    assert me["autopay"] == {"enabled": False, "paymentMethod": None}


async def test_cards_default_autopay_and_removal(sign_in: SignIn, billing_port: BillingPort) -> None:
    ana = await sign_in("ana@lima.example")
    refused = await payload(ana, SET_AUTOPAY, {"enabled": True}, "setAutopay")
    assert error_codes(refused) == ["AUTOPAY_REQUIRES_CARD"]
    assert refused["autopay"] is None

    year = date.today().year + 3
    visa = await billing_port.add_payment_method(
        "SUB-1001", gateway_token="pm_test_visa", brand="visa", last4="4242", exp_month=12, exp_year=year
    )
    master = await billing_port.add_payment_method(
        "SUB-1001", gateway_token="pm_test_mc", brand="mastercard", last4="4444", exp_month=1, exp_year=year
    )

    me = subscriber(await ana.data(CARDS))
    listed = {m["last4"]: m for m in me["paymentMethods"]}
    assert set(listed) == {"4242", "4444"}
    assert listed["4242"] == {
        "id": gid("PaymentMethod", visa.id),
        "brand": "visa",
        "last4": "4242",
        "expMonth": 12,
        "expYear": year,
        "isDefault": True,  # the first card saved becomes the default
        "expired": False,
    }
    assert me["autopay"] == {
        "enabled": False,
        "paymentMethod": {"id": gid("PaymentMethod", visa.id), "last4": "4242"},
    }

    chosen = await payload(
        ana, SET_DEFAULT, {"id": gid("PaymentMethod", master.id)}, "setDefaultPaymentMethod"
    )
    assert chosen["userErrors"] == []
    assert chosen["paymentMethod"] == {"id": gid("PaymentMethod", master.id), "isDefault": True}
    assert {m["id"]: m["isDefault"] for m in chosen["subscriber"]["paymentMethods"]} == {
        gid("PaymentMethod", visa.id): False,
        gid("PaymentMethod", master.id): True,
    }

    on = await payload(ana, SET_AUTOPAY, {"enabled": True}, "setAutopay")
    assert on == {
        "autopay": {"enabled": True, "paymentMethod": {"id": gid("PaymentMethod", master.id)}},
        "userErrors": [],
    }

    in_use = await payload(ana, REMOVE_CARD, {"id": gid("PaymentMethod", master.id)}, "removePaymentMethod")
    assert error_codes(in_use) == ["PAYMENT_METHOD_IN_USE"]
    assert in_use["removedPaymentMethodId"] is None

    removed = await payload(ana, REMOVE_CARD, {"id": gid("PaymentMethod", visa.id)}, "removePaymentMethod")
    assert removed["userErrors"] == []
    assert removed["removedPaymentMethodId"] == gid("PaymentMethod", visa.id)
    assert removed["subscriber"] == {
        "paymentMethods": [{"id": gid("PaymentMethod", master.id)}],
        "autopay": {"enabled": True},
    }

    off = await payload(ana, SET_AUTOPAY, {"enabled": False}, "setAutopay")
    assert off["autopay"]["enabled"] is False
    gone = await payload(ana, REMOVE_CARD, {"id": gid("PaymentMethod", master.id)}, "removePaymentMethod")
    assert gone["userErrors"] == []
    assert subscriber(await ana.data(CARDS))["paymentMethods"] == []


async def test_cards_of_another_subscriber_are_not_found(sign_in: SignIn, billing_port: BillingPort) -> None:
    year = date.today().year + 2
    bens = await billing_port.add_payment_method(
        "SUB-1002", gateway_token="pm_test_ben", brand="visa", last4="1111", exp_month=5, exp_year=year
    )
    ana = await sign_in("ana@lima.example")
    for query, name in ((SET_DEFAULT, "setDefaultPaymentMethod"), (REMOVE_CARD, "removePaymentMethod")):
        foreign = await payload(ana, query, {"id": gid("PaymentMethod", bens.id)}, name)
        made_up = await payload(ana, query, {"id": gid("PaymentMethod", "pm_9999999")}, name)
        assert error_codes(foreign) == ["NOT_FOUND"] and foreign == made_up
    node = await ana.data("query($id: ID!) { node(id: $id) { id } }", {"id": gid("PaymentMethod", bens.id)})
    assert node["node"] is None
    ben = await sign_in("ben@okafor.example")
    assert subscriber(await ben.data(CARDS))["paymentMethods"] == [
        {
            "id": gid("PaymentMethod", bens.id),
            "brand": "visa",
            "last4": "1111",
            "expMonth": 5,
            "expYear": year,
            "isDefault": True,
            "expired": False,
        }
    ]


async def test_an_expired_card_cannot_become_the_default(
    sign_in: SignIn, billing_port: BillingPort, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    year = date.today().year
    await billing_port.add_payment_method(
        "SUB-1001", gateway_token="pm_test_a", brand="visa", last4="4242", exp_month=12, exp_year=year + 1
    )
    # A card stored back when it was still valid (Billing refuses to store an expired one).
    monkeypatch.setattr(sandbox.billing, "today", lambda: date(year - 2, 1, 1))
    old = await billing_port.add_payment_method(
        "SUB-1001", gateway_token="pm_test_old", brand="visa", last4="0005", exp_month=6, exp_year=year - 1
    )
    monkeypatch.undo()
    ana = await sign_in("ana@lima.example")

    listed = {m["last4"]: m for m in subscriber(await ana.data(CARDS))["paymentMethods"]}
    result = await payload(ana, SET_DEFAULT, {"id": gid("PaymentMethod", old.id)}, "setDefaultPaymentMethod")

    assert listed["0005"]["expired"] is True and listed["4242"]["expired"] is False
    assert error_codes(result) == ["CARD_EXPIRED"]
    assert result["userErrors"][0]["field"] == ["input", "paymentMethodId"]
    assert {m["last4"]: m["isDefault"] for m in subscriber(await ana.data(CARDS))["paymentMethods"]} == {
        "4242": True,
        "0005": False,
    }


@pytest.mark.parametrize("email", ["auditor@northwind.example", "airport@northwind.example"])
async def test_cards_and_autopay_are_null_for_viewer_and_site(sign_in: SignIn, email: str) -> None:
    portal = await sign_in(email)
    me = subscriber(await portal.data(CARDS))
    assert me == {"paymentMethods": None, "autopay": None}


async def test_finance_manages_cards(sign_in: SignIn) -> None:
    fiona = await sign_in("finance@northwind.example")
    me = subscriber(await fiona.data(CARDS))
    assert me == {"paymentMethods": [], "autopay": {"enabled": False, "paymentMethod": None}}


# ---------------------------------------------------------------------------------------- notifications


async def test_mark_notifications_read_lowers_the_unread_count(sign_in: SignIn) -> None:
    ana = await sign_in("ana@lima.example")
    before = subscriber(await ana.data(NOTIFICATIONS))["notifications"]
    unread = [n["id"] for n in before["nodes"] if not n["read"]]
    assert unread, "the seed gives Ana unread notifications"

    result = await payload(ana, MARK_READ, {"ids": unread[:1]}, "markNotificationsRead")

    assert result == {"unreadCount": before["unreadCount"] - 1, "userErrors": []}
    after = subscriber(await ana.data(NOTIFICATIONS))["notifications"]
    assert after["unreadCount"] == before["unreadCount"] - 1
    assert {n["id"]: n["read"] for n in after["nodes"]}[unread[0]] is True
    # Marking nothing, or again, changes nothing.
    assert (await payload(ana, MARK_READ, {"ids": []}, "markNotificationsRead"))["unreadCount"] == after[
        "unreadCount"
    ]
    assert (await payload(ana, MARK_READ, {"ids": unread[:1]}, "markNotificationsRead"))[
        "unreadCount"
    ] == after["unreadCount"]


async def test_marking_someone_elses_notifications_does_nothing(sign_in: SignIn) -> None:
    ana = await sign_in("ana@lima.example")
    anas_before = subscriber(await ana.data(NOTIFICATIONS))["notifications"]
    ben = await sign_in("ben@okafor.example")
    bens_before = subscriber(await ben.data(NOTIFICATIONS))["notifications"]["unreadCount"]

    result = await payload(
        ben, MARK_READ, {"ids": [n["id"] for n in anas_before["nodes"]]}, "markNotificationsRead"
    )

    assert result["unreadCount"] == bens_before
    assert subscriber(await ana.data(NOTIFICATIONS))["notifications"] == anas_before


# ------------------------------------------------------------------------------------------------ outages


async def test_outages_are_top_level_backend_unavailable(sign_in: SignIn) -> None:
    dana = await sign_in("it@northwind.example")
    invoice = next(i for i in await invoices_of(dana) if i["status"] == "OPEN")

    dana.transport.down.add("gateway.test")
    result = await dana.execute(PAY_INVOICE, {"input": {"invoiceId": invoice["id"], "idempotencyKey": "k"}})
    assert codes(result) == ["BACKEND_UNAVAILABLE"] and result["data"] is None

    dana.transport.down.add("billing.test")
    for query, variables in (
        (APPLY_WALLET, {"input": {"invoiceId": invoice["id"], "idempotencyKey": "k"}}),
        (REDEEM, {"code": "WG-GIFT-25"}),
        (SET_AUTOPAY, {"enabled": False}),
    ):
        result = await dana.execute(query, variables)
        assert codes(result) == ["BACKEND_UNAVAILABLE"], result

    dana.transport.down.clear()
    assert await wallet_of(dana) == Decimal("250.00")
    # Nothing was applied during the outage: the gift card is still there to redeem.
    redeemed = await payload(dana, REDEEM, {"code": "WG-GIFT-25"}, "redeemGiftCard")
    assert redeemed["userErrors"] == []
