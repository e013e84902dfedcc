"""An add-on paid by card end to end: the checkout started by `start_add_on_payment`, paid on the sandbox
gateway's hosted page, its webhooks delivered by the gateway itself (and again) → Billing records the
purchase once, AAA lifts the usage cap once, the CRM notifies once, the bus says it settled."""

from __future__ import annotations

from decimal import Decimal

from adapters.ports.billing import AddOnOffer
from bff.core.payments.checkout import start_add_on_payment
from tests.harness.money import VIEWERS, Listener, Money


async def offer(money: Money, subservice_id: str, code: str) -> AddOnOffer:
    offers = await money.backends.billing.offers([subservice_id])
    return next(a for a in offers[subservice_id].add_ons if a.id == code)


async def buy_by_card(money: Money, subservice_id: str, code: str) -> None:
    started = await start_add_on_payment(
        money.backends,
        money.settings,
        VIEWERS["SUB-1001"],
        subservice_id,
        await offer(money, subservice_id, code),
        idempotency_key="k-1",
        return_url=None,
        cancel_url=None,
    )
    response = await money.pay(started.checkout_url)
    assert response.status_code == 303, response.text


def purchases(money: Money) -> list[tuple[str, str, int, str]]:
    return [
        (r["subservice_id"], r["add_on_id"], r["amount"], r["paid_by"])
        for r in money.sandbox.billing.db.all("SELECT * FROM add_on_purchases ORDER BY seq")
    ]


async def test_extra_data_by_card_is_bought_once_and_lifts_the_usage_cap(money: Money) -> None:
    app = await money.instance()
    money.sandbox.aaa.service.set_down("SS-1001-1", "RESTRICTED", "USAGE_CAP")
    async with Listener(app.bus, "SUB-1001") as listener:
        await buy_by_card(money, "SS-1001-1", "extra-data-50")
        assert all(s == 200 for s in await money.deliver_all(app))
        settled = await listener.wait_for("payment.settled")
    assert purchases(money) == [("SS-1001-1", "extra-data-50", 1000, "CARD")]
    assert money.service_status("SS-1001-1") == ("ACTIVE", None)
    assert money.notifications("SUB-1001", "PAYMENT_RECEIVED") == 1
    assert settled.data["kind"] == "ADD_ON"
    assert Decimal(settled.data["amount"]) == Decimal("10.00")
    assert settled.data["reactivated_subservice_ids"] == ["SS-1001-1"]
    wallet_entries = money.wallet_entries("SUB-1001")
    # Every event delivered again: nothing happens twice.
    money.redeliver_all()
    assert all(s == 200 for s in await money.deliver_all(app))
    assert len(purchases(money)) == 1
    assert money.reactivations("SS-1001-1") == 1
    assert money.notifications("SUB-1001", "PAYMENT_RECEIVED") == 1
    assert money.wallet_entries("SUB-1001") == wallet_entries  # the card paid, not the wallet


async def test_a_monthly_add_on_bought_meanwhile_goes_to_the_wallet_instead(money: Money) -> None:
    app = await money.instance()
    assert (await offer(money, "SS-1001-2", "movies-pack")).price_now.amount == Decimal("2.00")
    await buy_by_card(money, "SS-1001-2", "movies-pack")
    # Bought from the wallet in another tab before the card payment settled.
    await money.backends.billing.buy_add_on(
        "SS-1001-2", "movies-pack", paid_by="WALLET", idempotency_key="tab"
    )
    before = await money.backends.billing.wallet_balances(["SUB-1001"])
    assert all(s == 200 for s in await money.deliver_all(app))
    after = await money.backends.billing.wallet_balances(["SUB-1001"])
    assert len(purchases(money)) == 1  # the wallet's
    paid = (await offer(money, "SS-1001-2", "movies-pack")).price_now.amount  # 9.99 × 6/30 of November
    assert after["SUB-1001"].amount - before["SUB-1001"].amount == paid  # the card's money kept, not lost
