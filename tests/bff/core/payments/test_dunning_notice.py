"""A declined autopay charge from Billing's own run reaches the subscriber once per decline — a portal
notification and its e-mail through the CRM — saying when the retry is and linking to the invoice, where
the card is updated and the invoice paid in one step. Real parts: the billing run charges the rig's gateway,
whose webhooks the BFF receives."""

from __future__ import annotations

from datetime import date

from bff.core.payments.checkout import start_invoice_payment
from tests.bff.core.payments.test_webhook import saved_card
from tests.harness.money import GOOD_CARD, VIEWERS, Money

DECLINING = "4000 0000 0000 0341"  # saving works, every charge is declined


def notices(money: Money) -> list[dict[str, str]]:
    rows = money.sandbox.crm.db.all(
        "SELECT title, body, link_kind, link_id FROM notifications WHERE subscriber_id = 'SUB-1001'"
        " AND kind = 'PAYMENT_FAILED' ORDER BY rowid"
    )
    return [dict(r) for r in rows]


async def test_each_decline_is_told_once_with_the_retry_day_and_the_invoice(money: Money) -> None:
    app = await money.instance()
    await saved_card(money, "SUB-1001", DECLINING)
    await money.backends.billing.set_autopay("SUB-1001", True)
    billing = money.sandbox.billing.service
    billing.card_charger = money.gateway  # the run charges the rig's gateway, whose webhooks reach `app`
    invoice_id = await money.invoice_of("SUB-1001", "OPEN")

    for _ in range(2):  # the operator's run twice the same day: one charge, one notice
        billing.billing_run(date(2026, 11, 25), "SUB-1001")
        assert all(s == 200 for s in await money.deliver_all(app))
    money.redeliver_all()  # and the gateway delivering its events again changes nothing
    assert all(s == 200 for s in await money.deliver_all(app))

    [first] = notices(money)
    assert first["title"] == "Card declined: we will retry"
    assert "We will try again on Thursday 26 November" in first["body"]
    assert "until at least Tuesday 8 December" in first["body"]
    assert "Update your card and pay in one step" in first["body"]
    assert (first["link_kind"], first["link_id"]) == ("INVOICE", invoice_id)
    assert money.emails("SUB-1001").count("Card declined: we will retry") == 1

    billing.billing_run(date(2026, 11, 26), "SUB-1001")  # the first retry, declined too
    assert all(s == 200 for s in await money.deliver_all(app))

    assert len(notices(money)) == 2
    assert "We will try again on Saturday 28 November" in notices(money)[1]["body"]
    assert money.emails("SUB-1001").count("Card declined: we will retry") == 2


async def test_the_last_decline_says_no_retry_is_left_and_when_service_stops(money: Money) -> None:
    app = await money.instance()
    await saved_card(money, "SUB-1001", DECLINING)
    await money.backends.billing.set_autopay("SUB-1001", True)
    billing = money.sandbox.billing.service
    billing.card_charger = money.gateway
    billing.dunning_retry_days = (1,)

    billing.billing_run(date(2026, 11, 25), "SUB-1001")
    billing.billing_run(date(2026, 11, 26), "SUB-1001")
    assert all(s == 200 for s in await money.deliver_all(app))

    last = notices(money)[-1]
    assert last["title"] == "Card declined: last automatic attempt"
    assert "Unpaid, your service is suspended from Tuesday 8 December." in last["body"]


async def test_update_card_and_pay_settles_the_invoice_and_autopay_charges_the_new_card(money: Money) -> None:
    app = await money.instance()
    await saved_card(money, "SUB-1001", DECLINING)
    await money.backends.billing.set_autopay("SUB-1001", True)
    billing = money.sandbox.billing.service
    billing.card_charger = money.gateway
    invoice_id = await money.invoice_of("SUB-1001", "OPEN")
    billing.billing_run(date(2026, 11, 25), "SUB-1001")
    assert all(s == 200 for s in await money.deliver_all(app))

    # The one step the notice offers: pay the invoice with a new card that becomes autopay's.
    started = await start_invoice_payment(
        money.backends,
        money.settings,
        VIEWERS["SUB-1001"],
        invoice_id,
        idempotency_key="update-and-pay",
        return_url=None,
        cancel_url=None,
        save_card=True,
    )
    assert (await money.pay(started.checkout_url, GOOD_CARD)).status_code == 303
    assert all(s == 200 for s in await money.deliver_all(app))
    money.redeliver_all()
    assert all(s == 200 for s in await money.deliver_all(app))

    assert money.invoice_status(invoice_id) == "PAID"
    assert money.payments(invoice_id) == 1
    methods = await money.backends.billing.payment_methods("SUB-1001")
    default = [m for m in methods if m.is_default]
    assert [(m.last4, m.is_default) for m in default] == [("4242", True)]
    assert len(methods) == 2  # the declining card stays saved, no longer the default
    session = await money.backends.gateway.checkout_session(started.session_id)
    intent = money.gateway.service.payment_intent(session.payment_intent_id or "")
    assert intent["setup_future_usage"] == "off_session"
    # Dunning is over (paid), and the next period's invoice is charged on the new card.
    assert billing.dunning_for_subscribers(["SUB-1001"]) == []
    december = billing.billing_run(date(2026, 12, 20), "SUB-1001")
    [charge] = december["charged"]
    assert charge["succeeded"] is True


async def test_paying_without_saving_leaves_the_cards_as_they_were(money: Money) -> None:
    app = await money.instance()
    invoice_id = await money.invoice_of("SUB-1001", "OPEN")
    started = await start_invoice_payment(
        money.backends,
        money.settings,
        VIEWERS["SUB-1001"],
        invoice_id,
        idempotency_key="pay",
        return_url=None,
        cancel_url=None,
    )
    assert (await money.pay(started.checkout_url, GOOD_CARD)).status_code == 303
    assert all(s == 200 for s in await money.deliver_all(app))
    assert money.invoice_status(invoice_id) == "PAID"
    assert await money.backends.billing.payment_methods("SUB-1001") == []
