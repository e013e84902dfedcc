"""A checkout of several invoices end to end: started by `start_invoices_payment`, paid on the sandbox
gateway's hosted page, its webhooks delivered by the gateway (and again) → each invoice paid once in Billing,
the services it allows back in AAA, one notification in the CRM, a `payment.settled` per invoice. An invoice
paid or cancelled meanwhile: its share goes to the wallet, and the notification says so. A settlement cut
short after any invoice is finished once by one that remembers nothing."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal

import pytest

from adapters.ports.gateway import PaymentReference
from adapters.ports.money import Money as Amount
from adapters.stripe.webhook import verify_event
from bff.core.auth.viewer import Viewer
from bff.core.bus import BusEvent, MemoryBus
from bff.core.payments.checkout import PaymentError, start_invoices_payment
from bff.core.payments.effects import PAYMENT_RECORDED, AfterStep
from bff.core.payments.settlement import Settlement
from tests.harness.money import WEBHOOK_SECRET, Listener, Money, signed

MANAGER = Viewer(
    "USR-31", "manager@harborview.example", "Harborview", "MANAGER", "SUB-3001", frozenset(), "s31"
)
A, B, C = "inv_0000137", "inv_0000138", "inv_0000139"  # apartments 101, 102 and 103: 29.99 each
SS_A, SS_B = "SS-3001-101", "SS-3001-102"


async def pay_invoices(money: Money, invoice_ids: list[str]) -> str:
    started = await start_invoices_payment(
        money.backends,
        money.settings,
        MANAGER,
        invoice_ids,
        idempotency_key="k-1",
        return_url=None,
        cancel_url=None,
    )
    assert started.invoice_ids == tuple(invoice_ids)
    response = await money.pay(started.checkout_url)
    assert response.status_code == 303, response.text
    return started.session_id


def overdue_and_suspended(money: Money, pairs: list[tuple[str, str]]) -> None:
    for invoice_id, subservice_id in pairs:
        money.sandbox.billing.db.execute("UPDATE invoices SET status = 'OVERDUE' WHERE id = ?", (invoice_id,))
        money.sandbox.aaa.service.set_down(subservice_id, "SUSPENDED", "NON_PAYMENT")


async def settled_events(listener: Listener, n: int) -> list[BusEvent]:
    """The first `n` `payment.settled` events, waiting for them (bounded)."""
    async with asyncio.timeout(5):
        while True:
            found = [e for e in listener.events if e.type == "payment.settled"]
            if len(found) >= n:
                return found[:n]
            await asyncio.sleep(0.01)  # the Listener collects in the background (as its own `wait_for`)


def notification_body(money: Money) -> str:
    rows = money.sandbox.crm.db.all(
        "SELECT body FROM notifications WHERE subscriber_id = 'SUB-3001' AND kind = 'PAYMENT_RECEIVED'"
    )
    assert len(rows) == 1, [r["body"] for r in rows]
    return str(rows[0]["body"])


def wallet_credits(money: Money) -> list[tuple[str, int]]:
    rows = money.sandbox.billing.db.all(
        "SELECT kind, amount FROM wallet_entries WHERE subscriber_id = 'SUB-3001' AND amount > 0"
        " AND kind IN ('OVERPAYMENT', 'TOPUP') ORDER BY seq"
    )
    return [(r["kind"], r["amount"]) for r in rows]


async def test_two_overdue_invoices_paid_at_once_bring_both_apartments_back(money: Money) -> None:
    app = await money.instance()
    overdue_and_suspended(money, [(A, SS_A), (B, SS_B)])
    async with Listener(app.bus, "SUB-3001") as listener:
        await pay_invoices(money, [A, B])
        statuses = await money.deliver_all(app)
        settled = await settled_events(listener, 2)
    assert statuses and all(s == 200 for s in statuses)
    assert (money.invoice_status(A), money.invoice_status(B)) == ("PAID", "PAID")
    assert (money.payments(A), money.payments(B)) == (1, 1)
    assert money.service_status(SS_A) == ("ACTIVE", None)
    assert money.service_status(SS_B) == ("ACTIVE", None)
    body = notification_body(money)
    assert "$59.98 for 2 invoices (INV-202611-00137, INV-202611-00138)" in body
    assert "Your services are active again." in body
    assert money.emails("SUB-3001") == ["Payment received"]
    assert wallet_credits(money) == []
    by_invoice = {e.data["invoice_id"]: e for e in settled}
    assert set(by_invoice) == {A, B}
    assert Decimal(str(by_invoice[A].data["amount"])) == Decimal("29.99")
    assert by_invoice[A].data["reactivated_subservice_ids"] == [SS_A]
    assert by_invoice[B].subservice_ids == (SS_B,)
    # Every event delivered again (the gateway's retry, a replayed webhook): nothing happens twice.
    money.redeliver_all()
    again = await money.deliver_all(app)
    assert again and all(s == 200 for s in again)
    assert (money.payments(A), money.payments(B)) == (1, 1)
    assert money.reactivations(SS_A) == 1 and money.reactivations(SS_B) == 1
    notification_body(money)  # still exactly one
    assert money.emails("SUB-3001") == ["Payment received"]


async def test_an_invoice_paid_elsewhere_meanwhile_goes_to_the_wallet_and_is_said(money: Money) -> None:
    app = await money.instance()
    await pay_invoices(money, [A, B, C])
    # Paid at the bank's counter before the card payment settled.
    await money.backends.billing.record_payment(
        external_ref="bank-transfer-1",
        invoice_id=B,
        amount=Amount(Decimal("29.99"), "USD"),
        method="BANK_TRANSFER",
    )
    assert wallet_credits(money) == []

    assert all(s == 200 for s in await money.deliver_all(app))

    assert [money.invoice_status(i) for i in (A, B, C)] == ["PAID", "PAID", "PAID"]
    assert money.payments(B) == 2  # the bank's and the card's share, which Billing credited on
    assert wallet_credits(money) == [("OVERPAYMENT", 2999)]  # never lost, never charged twice
    body = notification_body(money)
    assert "$89.97 for 3 invoices" in body
    assert "Invoice INV-202611-00138 was already paid, so $29.99 was added to your wallet instead." in body
    money.redeliver_all()
    assert all(s == 200 for s in await money.deliver_all(app))
    assert wallet_credits(money) == [("OVERPAYMENT", 2999)]
    assert money.payments(A) == 1 and money.payments(B) == 2 and money.payments(C) == 1


async def test_an_invoice_cancelled_meanwhile_goes_to_the_wallet(money: Money) -> None:
    app = await money.instance()
    await pay_invoices(money, [A, B])
    money.sandbox.billing.db.execute("UPDATE invoices SET status = 'VOID' WHERE id = ?", (A,))

    assert all(s == 200 for s in await money.deliver_all(app))
    money.redeliver_all()
    assert all(s == 200 for s in await money.deliver_all(app))

    assert money.invoice_status(A) == "VOID" and money.payments(A) == 0
    assert money.invoice_status(B) == "PAID" and money.payments(B) == 1
    credits = money.sandbox.billing.db.all(
        "SELECT amount, description FROM wallet_entries WHERE subscriber_id = 'SUB-3001' AND amount > 0"
        " AND description LIKE 'Payment for cancelled invoice%'"
    )
    assert [(r["amount"], r["description"]) for r in credits] == [
        (2999, "Payment for cancelled invoice INV-202611-00137")
    ]
    assert "Invoice INV-202611-00137 was cancelled, so $29.99 was added" in notification_body(money)


class Stop(Exception):
    """Stands for the process dying after a step."""


def stop_after_recording(n: int) -> AfterStep:
    done: list[str] = []

    def after_step(step: str) -> None:
        done.append(step)
        if done.count(PAYMENT_RECORDED) == n:
            raise Stop(step)

    return after_step


@pytest.mark.parametrize("recorded", [1, 2])
async def test_cut_short_after_an_invoice_it_is_finished_once_by_a_settlement_that_remembers_nothing(
    money: Money, recorded: int
) -> None:
    overdue_and_suspended(money, [(A, SS_A), (B, SS_B)])
    await pay_invoices(money, [A, B])
    body = money.raw_event("payment_intent.succeeded")
    event = verify_event(body, signed(body)["stripe-signature"], WEBHOOK_SECRET)
    bus = MemoryBus()
    with pytest.raises(Stop):
        await Settlement(money.backends, bus, after_step=stop_after_recording(recorded)).handle(event)
    assert money.payments(A) == 1 and money.payments(B) == recorded - 1

    assert await Settlement(money.backends, bus).handle(event) == "settled"
    assert await Settlement(money.backends, bus).handle(event) == "settled"  # the other event of the payment

    assert (money.payments(A), money.payments(B)) == (1, 1)
    assert money.reactivations(SS_A) == 1 and money.reactivations(SS_B) == 1
    assert "Your services are active again." in notification_body(money)
    await bus.close()


async def test_shares_that_do_not_add_up_are_rejected_and_nothing_is_recorded(money: Money) -> None:
    app = await money.instance()
    await pay_invoices(money, [A, B])
    raw = json.loads(money.raw_event("payment_intent.succeeded"))
    metadata = raw["data"]["object"]["metadata"]
    reference = PaymentReference.from_metadata(metadata)
    assert reference is not None
    metadata["wg_invoices_0"] = f"{A}:29.99,{B}:1.00"  # as if the list had been tampered with
    body = json.dumps(raw).encode()
    response = await app.client.post("/webhooks/gateway", content=body, headers=signed(body))
    assert response.status_code == 422
    assert money.payments(A) == 0 and money.payments(B) == 0


SITE = Viewer(
    "USR-32",
    "apt101@harborview.example",
    "Apt 101",
    "SITE",
    "SUB-3001",
    frozenset({SS_A, SS_B}),
    "s32",
)


async def test_the_flow_keeps_a_site_user_to_the_invoices_of_their_sites(money: Money) -> None:
    # The schema lets billing roles only (as for `payInvoice`); the flow applies the visibility rule as well, so
    # a SITE user, were the role allowed, could pay their own sites' invoices and nothing else.
    for invoice_id in (A, B, C):
        money.sandbox.billing.db.execute("UPDATE invoices SET status = 'OVERDUE' WHERE id = ?", (invoice_id,))
    with pytest.raises(PaymentError) as refused:
        await start_invoices_payment(
            money.backends,
            money.settings,
            SITE,
            [A, C],
            idempotency_key="k",
            return_url=None,
            cancel_url=None,
        )
    assert refused.value.code == "NOT_FOUND"
    started = await start_invoices_payment(
        money.backends,
        money.settings,
        SITE,
        None,
        all_overdue=True,
        idempotency_key="k",
        return_url=None,
        cancel_url=None,
    )
    assert sorted(started.invoice_ids) == [A, B]
