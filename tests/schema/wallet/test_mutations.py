"""The wallet's mutations through the real BFF over the test's own sandbox: paying an invoice from the wallet,
gift cards, and renewing a prepaid service from the wallet."""

from __future__ import annotations

import calendar
from datetime import datetime
from decimal import Decimal

from adapters.ports.billing import BillingPort
from tests.harness.portal import SignIn
from tests.schema.helpers import error_codes, gid, invoices_of, money_calls, payload, wallet_of
from tests.schema.queries import APPLY_WALLET, REDEEM, RENEW, SERVICE


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
