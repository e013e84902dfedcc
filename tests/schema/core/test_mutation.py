"""What every mutation shares (`schema.core.mutation`): only who may manage billing moves money, an anonymous
caller is told to log in, and an idempotency key is checked before any backend is asked."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.harness.portal import Portal, SignIn
from tests.schema.helpers import codes, gid, invoices_of, money_calls, payload, wallet_of
from tests.schema.queries import (
    ADD_CARD,
    APPLY_WALLET,
    PAY_INVOICE,
    REDEEM,
    REMOVE_CARD,
    RENEW,
    SET_AUTOPAY,
    SET_DEFAULT,
    TOP_UP,
)


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
