"""Saved cards and autopay through the real BFF over the test's own sandbox: the default card, autopay, removal,
expired and foreign cards, and who sees cards at all."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.ports.billing import BillingPort
from sandbox.app import Sandbox
from tests.harness.portal import SignIn
from tests.schema.helpers import error_codes, gid, payload, subscriber
from tests.schema.queries import CARDS, REMOVE_CARD, SET_AUTOPAY, SET_DEFAULT


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
