"""`/webhooks/gateway` end to end: a payment started through `bff.core.payments.checkout`, paid on the sandbox gateway's
hosted page, its webhooks delivered by the gateway itself (or a chosen event's body, signed as the gateway
signs it) → Billing, AAA, CRM and the bus."""

from __future__ import annotations

import contextlib
import json
import time
from decimal import Decimal

from adapters.ports.gateway import CardDeclined
from bff.core.payments.checkout import start_card_setup, start_invoice_payment, start_wallet_topup
from tests.harness.money import (
    GOOD_CARD,
    VIEWERS,
    Listener,
    Money,
    signed,
    with_type,
)


async def pay_invoice(money: Money, subscriber_id: str, invoice_id: str, key: str = "k-1") -> None:
    started = await start_invoice_payment(
        money.backends,
        money.settings,
        VIEWERS[subscriber_id],
        invoice_id,
        idempotency_key=key,
        return_url=None,
        cancel_url=None,
    )
    response = await money.pay(started.checkout_url)
    assert response.status_code == 303, response.text


async def test_ben_pays_his_overdue_invoice_and_his_internet_comes_back(money: Money) -> None:
    app = await money.instance()
    invoice_id = await money.invoice_of("SUB-1002", "OVERDUE")
    assert money.service_status("SS-1002-1") == ("SUSPENDED", "NON_PAYMENT")
    async with Listener(app.bus, "SUB-1002") as listener:
        await pay_invoice(money, "SUB-1002", invoice_id)
        statuses = await money.deliver_all(app)
        settled = await listener.wait_for("payment.settled")
    assert money.event_types()[-2:] == ["payment_intent.succeeded", "checkout.session.completed"]
    assert statuses and all(s == 200 for s in statuses)
    assert money.invoice_status(invoice_id) == "PAID"
    assert money.payments(invoice_id) == 1
    assert money.service_status("SS-1002-1") == ("ACTIVE", None)
    assert money.notifications("SUB-1002", "PAYMENT_RECEIVED") == 1
    assert money.emails("SUB-1002") == ["Payment received"]
    invoice = await money.backends.billing.invoice(invoice_id)
    body = money.sandbox.crm.db.scalar(
        "SELECT body FROM notifications WHERE subscriber_id = 'SUB-1002' AND kind = 'PAYMENT_RECEIVED'"
    )
    # Amounts read as the portal shows them.
    assert f"${invoice.total.amount:,.2f} for invoice {invoice.number}" in body
    # It links to the invoice it is about (the portal opens it from the bell).
    link = money.sandbox.crm.db.one(
        "SELECT link_kind, link_id FROM notifications WHERE subscriber_id = 'SUB-1002' AND kind = 'PAYMENT_RECEIVED'"
    )
    assert (link["link_kind"], link["link_id"]) == ("INVOICE", invoice_id)
    assert settled.subscriber_id == "SUB-1002"
    assert settled.subservice_ids == invoice.subservice_ids
    assert settled.data["kind"] == "INVOICE"
    assert settled.data["invoice_id"] == invoice_id
    assert Decimal(settled.data["amount"]) == invoice.total.amount
    assert settled.data["currency"] == "USD"
    assert settled.data["reactivated_subservice_ids"] == ["SS-1002-1"]
    assert str(settled.data["payment_ref"]).startswith("pi_")
    # Both events of the payment were handled; the bus carried the settlement once.
    assert [e.type for e in listener.events].count("payment.settled") == 1


async def test_cara_pays_but_her_administrative_suspension_stays(money: Money) -> None:
    app = await money.instance()
    invoice_id = await money.invoice_of("SUB-1003", "OPEN")
    async with Listener(app.bus, "SUB-1003") as listener:
        await pay_invoice(money, "SUB-1003", invoice_id)
        assert all(s == 200 for s in await money.deliver_all(app))
        settled = await listener.wait_for("payment.settled")
    assert money.invoice_status(invoice_id) == "PAID"
    assert money.service_status("SS-1003-1") == ("SUSPENDED", "ADMINISTRATIVE")
    assert settled.data["reactivated_subservice_ids"] == []
    assert money.notifications("SUB-1003", "PAYMENT_RECEIVED") == 1


async def test_redelivering_everything_changes_nothing(money: Money) -> None:
    app = await money.instance()
    invoice_id = await money.invoice_of("SUB-1002", "OVERDUE")
    await pay_invoice(money, "SUB-1002", invoice_id)
    await money.deliver_all(app)
    money.redeliver_all()
    again = await money.deliver_all(app)
    assert again and all(s == 200 for s in again)
    assert money.payments(invoice_id) == 1
    assert money.notifications("SUB-1002", "PAYMENT_RECEIVED") == 1
    assert money.reactivations("SS-1002-1") == 1


async def test_billing_down_answers_5xx_records_nothing_and_the_retry_settles_once(money: Money) -> None:
    app = await money.instance()
    invoice_id = await money.invoice_of("SUB-1002", "OVERDUE")
    await pay_invoice(money, "SUB-1002", invoice_id)
    body = money.raw_event("payment_intent.succeeded")
    money.transport.down.add("billing.test")
    response = await app.client.post("/webhooks/gateway", content=body, headers=signed(body))
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "UNAVAILABLE"
    money.transport.down.discard("billing.test")
    assert money.payments(invoice_id) == 0
    assert money.invoice_status(invoice_id) == "OVERDUE"
    assert money.service_status("SS-1002-1") == ("SUSPENDED", "NON_PAYMENT")
    assert money.notifications("SUB-1002", "PAYMENT_RECEIVED") == 0
    # The gateway retries the same event: recorded once, service back.
    retry = await app.client.post("/webhooks/gateway", content=body, headers=signed(body))
    assert retry.status_code == 200, retry.text
    assert money.payments(invoice_id) == 1
    assert money.invoice_status(invoice_id) == "PAID"
    assert money.service_status("SS-1002-1") == ("ACTIVE", None)
    assert money.notifications("SUB-1002", "PAYMENT_RECEIVED") == 1


async def test_aaa_down_after_recording_is_completed_by_the_retry_exactly_once(money: Money) -> None:
    app = await money.instance()
    invoice_id = await money.invoice_of("SUB-1002", "OVERDUE")
    await pay_invoice(money, "SUB-1002", invoice_id)
    body = money.raw_event("payment_intent.succeeded")
    async with Listener(app.bus, "SUB-1002") as listener:
        money.transport.down.add("aaa.test")
        response = await app.client.post("/webhooks/gateway", content=body, headers=signed(body))
        assert response.status_code == 503
        money.transport.down.discard("aaa.test")
        # Recorded (Billing answered) but not acknowledged: no notification, nothing published yet.
        assert money.payments(invoice_id) == 1
        assert money.notifications("SUB-1002", "PAYMENT_RECEIVED") == 0
        assert listener.events == []
        retry = await app.client.post("/webhooks/gateway", content=body, headers=signed(body))
        assert retry.status_code == 200
        settled = await listener.wait_for("payment.settled")
    assert money.payments(invoice_id) == 1
    assert money.service_status("SS-1002-1") == ("ACTIVE", None)
    assert money.reactivations("SS-1002-1") == 1
    assert money.notifications("SUB-1002", "PAYMENT_RECEIVED") == 1
    assert settled.data["reactivated_subservice_ids"] == ["SS-1002-1"]


async def test_crm_down_releases_the_notification_claim_so_the_retry_sends_it_once(money: Money) -> None:
    app = await money.instance()
    invoice_id = await money.invoice_of("SUB-1002", "OVERDUE")
    await pay_invoice(money, "SUB-1002", invoice_id)
    body = money.raw_event("payment_intent.succeeded")
    money.transport.down.add("crm.test")
    assert (await app.client.post("/webhooks/gateway", content=body, headers=signed(body))).status_code == 503
    money.transport.down.discard("crm.test")
    assert (await app.client.post("/webhooks/gateway", content=body, headers=signed(body))).status_code == 200
    assert (await app.client.post("/webhooks/gateway", content=body, headers=signed(body))).json()[
        "result"
    ] == "duplicate"
    assert money.notifications("SUB-1002", "PAYMENT_RECEIVED") == 1
    assert money.emails("SUB-1002") == ["Payment received"]


async def test_forged_or_stale_deliveries_are_refused_without_a_side_effect(money: Money) -> None:
    app = await money.instance()
    invoice_id = await money.invoice_of("SUB-1002", "OVERDUE")
    await pay_invoice(money, "SUB-1002", invoice_id)
    body = money.raw_event("payment_intent.succeeded")
    now = int(time.time())
    tampered = body.replace(b'"amount":', b'"amount":1', 1)
    assert tampered != body
    attempts = [
        (tampered, signed(body)),  # body changed after signing
        (body, signed(body, secret="whsec_somebody_else_0123456789abcdef")),
        (body, {"content-type": "application/json"}),  # no header
        (body, signed(body, timestamp=now - 301)),
        (body, signed(body, timestamp=now + 301)),
        (body, {"stripe-signature": "t=abc,v1=zz"}),
    ]
    for content, headers in attempts:
        response = await app.client.post("/webhooks/gateway", content=content, headers=headers)
        assert response.status_code == 400, headers
        assert response.json()["error"]["code"] == "BAD_SIGNATURE"
    # A signed body that is not an event at all.
    junk = b'{"hello": "world"}'
    response = await app.client.post("/webhooks/gateway", content=junk, headers=signed(junk))
    assert (response.status_code, response.json()["error"]["code"]) == (400, "BAD_EVENT")
    assert money.payments(invoice_id) == 0
    assert money.invoice_status(invoice_id) == "OVERDUE"
    assert money.service_status("SS-1002-1") == ("SUSPENDED", "NON_PAYMENT")
    # The genuine delivery still works afterwards (nothing was marked as handled).
    ok = await app.client.post("/webhooks/gateway", content=body, headers=signed(body))
    assert ok.status_code == 200 and money.payments(invoice_id) == 1


async def test_other_event_types_are_acknowledged_and_ignored(money: Money) -> None:
    app = await money.instance()
    invoice_id = await money.invoice_of("SUB-1002", "OVERDUE")
    await pay_invoice(money, "SUB-1002", invoice_id)
    for body in (
        money.raw_event("customer.created"),
        money.raw_event("payment_method.attached"),
        with_type(money.raw_event("payment_intent.succeeded"), "charge.refunded"),
    ):
        response = await app.client.post("/webhooks/gateway", content=body, headers=signed(body))
        assert (response.status_code, response.json()["result"]) == (200, "ignored")
    assert money.payments(invoice_id) == 0


async def test_a_wallet_top_up_credits_the_wallet_once(money: Money) -> None:
    app = await money.instance()
    viewer = VIEWERS["SUB-1003"]
    before = (await money.backends.billing.wallet_balances(["SUB-1003"]))["SUB-1003"].amount
    entries = money.wallet_entries("SUB-1003")
    started = await start_wallet_topup(
        money.backends,
        money.settings,
        viewer,
        Decimal("50.00"),
        idempotency_key="t-1",
        return_url=None,
        cancel_url=None,
    )
    async with Listener(app.bus, "SUB-1003") as listener:
        assert (await money.pay(started.checkout_url)).status_code == 303
        assert all(s == 200 for s in await money.deliver_all(app))
        money.redeliver_all()
        assert all(s == 200 for s in await money.deliver_all(app))
        settled = await listener.wait_for("payment.settled")
    after = (await money.backends.billing.wallet_balances(["SUB-1003"]))["SUB-1003"].amount
    assert after - before == Decimal("50.00")
    assert money.wallet_entries("SUB-1003") == entries + 1
    assert money.notifications("SUB-1003", "WALLET_CREDITED") == 1
    assert money.emails("SUB-1003") == ["Wallet topped up"]
    note = money.sandbox.crm.db.one(
        "SELECT body, link_kind FROM notifications WHERE subscriber_id = 'SUB-1003' AND kind = 'WALLET_CREDITED'"
    )
    assert note["link_kind"] == "WALLET"
    assert "now" not in note["body"].split() and "after the top-up" in note["body"]
    assert settled.data["kind"] == "WALLET_TOPUP" and settled.data["amount"] == "50.00"
    assert settled.data["invoice_id"] is None and settled.subservice_ids == ()


async def test_a_setup_session_stores_the_card_in_billing(money: Money) -> None:
    app = await money.instance()
    viewer = VIEWERS["SUB-1001"]
    assert await money.backends.billing.payment_methods("SUB-1001") == []
    started = await start_card_setup(
        money.backends, money.settings, viewer, idempotency_key="c-1", return_url=None, cancel_url=None
    )
    assert (await money.pay(started.checkout_url, "5555 5555 5555 4444")).status_code == 303
    assert "setup_intent.succeeded" in money.event_types()
    assert all(s == 200 for s in await money.deliver_all(app))
    money.redeliver_all()
    assert all(s == 200 for s in await money.deliver_all(app))
    [card] = await money.backends.billing.payment_methods("SUB-1001")
    assert (card.brand, card.last4, card.exp_month, card.exp_year) == ("mastercard", "4444", 12, 2034)
    assert card.is_default
    stored = money.sandbox.billing.db.one("SELECT * FROM payment_methods WHERE subscriber_id = 'SUB-1001'")
    assert stored is not None and stored["gateway_token"].startswith("pm_")
    # Only the brand, last four and expiry reach Billing: never the number.
    assert "5555555555554444" not in json.dumps(dict(stored))


async def test_an_invoice_payment_that_contradicts_billing_is_not_recorded(money: Money) -> None:
    app = await money.instance()
    ana_invoice = await money.invoice_of("SUB-1001", "OPEN")
    await pay_invoice(money, "SUB-1001", ana_invoice)
    raw = json.loads(money.raw_event("payment_intent.succeeded"))
    raw["data"]["object"]["metadata"]["wg_subscriber_id"] = "SUB-1002"  # somebody else's invoice
    body = json.dumps(raw).encode()
    response = await app.client.post("/webhooks/gateway", content=body, headers=signed(body))
    assert (response.status_code, response.json()["error"]["code"]) == (422, "REJECTED")
    assert money.payments(ana_invoice) == 0


async def saved_card(money: Money, subscriber_id: str, number: str) -> str:
    """A card saved at the gateway through a setup checkout (and stored in Billing by its webhooks)."""
    app = await money.instance()
    started = await start_card_setup(
        money.backends,
        money.settings,
        VIEWERS[subscriber_id],
        idempotency_key="c",
        return_url=None,
        cancel_url=None,
    )
    assert (await money.pay(started.checkout_url, number)).status_code == 303
    assert all(s == 200 for s in await money.deliver_all(app))
    session = await money.backends.gateway.checkout_session(started.session_id)
    assert session.payment_method_id is not None
    return session.payment_method_id


async def autopay_charge(money: Money, subscriber_id: str, invoice_id: str, number: str) -> None:
    """What the billing run does for an autopay account: an off-session charge with autopay metadata."""
    method = await saved_card(money, subscriber_id, number)
    account = (await money.backends.billing.accounts([subscriber_id]))[subscriber_id]
    assert account.gateway_customer_id is not None
    invoice = await money.backends.billing.invoice(invoice_id)
    metadata = {
        "wg_kind": "invoice",
        "wg_invoice_id": invoice_id,
        "wg_subscriber_id": subscriber_id,
        "wg_origin": "autopay",
    }
    with contextlib.suppress(CardDeclined):
        await money.backends.gateway.charge_off_session(
            account.gateway_customer_id, method, invoice.balance, metadata, f"autopay-{invoice_id}"
        )


async def test_a_declined_autopay_charge_notifies_and_leaves_the_invoice_open(money: Money) -> None:
    app = await money.instance()
    invoice_id = await money.invoice_of("SUB-1001", "OPEN")
    async with Listener(app.bus, "SUB-1001") as listener:
        await autopay_charge(money, "SUB-1001", invoice_id, "4000 0000 0000 0341")
        assert money.event_types()[-1] == "payment_intent.payment_failed"
        assert all(s == 200 for s in await money.deliver_all(app))
        money.redeliver_all()
        assert all(s == 200 for s in await money.deliver_all(app))
        failed = await listener.wait_for("payment.failed")
    assert money.invoice_status(invoice_id) == "OPEN"
    assert money.payments(invoice_id) == 0
    assert money.notifications("SUB-1001", "PAYMENT_FAILED") == 1
    assert "Payment failed" in money.emails("SUB-1001")
    invoice = await money.backends.billing.invoice(invoice_id)
    assert dict(failed.data) == {
        "invoice_id": invoice_id,
        "amount": f"{invoice.balance.amount:.2f}",
        "currency": "USD",
        "decline_code": "generic_decline",
    }
    assert [e.type for e in listener.events].count("payment.failed") == 1


async def test_a_declined_checkout_attempt_is_not_notified(money: Money) -> None:
    app = await money.instance()
    invoice_id = await money.invoice_of("SUB-1002", "OVERDUE")
    started = await start_invoice_payment(
        money.backends,
        money.settings,
        VIEWERS["SUB-1002"],
        invoice_id,
        idempotency_key="k",
        return_url=None,
        cancel_url=None,
    )
    assert (await money.pay(started.checkout_url, "4000 0000 0000 0002")).status_code == 402
    assert "payment_intent.payment_failed" in money.event_types()
    assert all(s == 200 for s in await money.deliver_all(app))
    assert money.notifications("SUB-1002", "PAYMENT_FAILED") == 0  # the subscriber saw it on the page
    assert money.invoice_status(invoice_id) == "OVERDUE"


async def test_a_successful_autopay_charge_settles_through_the_same_path(money: Money) -> None:
    app = await money.instance()
    invoice_id = await money.invoice_of("SUB-1002", "OVERDUE")
    await autopay_charge(money, "SUB-1002", invoice_id, GOOD_CARD)
    assert money.event_types()[-1] == "payment_intent.succeeded"
    assert all(s == 200 for s in await money.deliver_all(app))
    assert money.invoice_status(invoice_id) == "PAID"
    assert money.payments(invoice_id) == 1
    assert money.service_status("SS-1002-1") == ("ACTIVE", None)


async def test_an_overpayment_is_a_wallet_notice_of_its_own(money: Money) -> None:
    """The sub-service's payment notice says nothing of the wallet (a SITE user may read it); the credit is a
    WALLET_CREDITED notice, which only those who may see the wallet read."""
    app = await money.instance()
    invoice_id = await money.invoice_of("SUB-1002", "OVERDUE")
    checkouts = []
    for key in ("k-1", "k-2"):  # two tabs: both paid before either settles
        started = await start_invoice_payment(
            money.backends,
            money.settings,
            VIEWERS["SUB-1002"],
            invoice_id,
            idempotency_key=key,
            return_url=None,
            cancel_url=None,
        )
        checkouts.append(started.checkout_url)
    for url in checkouts:
        assert (await money.pay(url)).status_code == 303
    await money.deliver_all(app)
    assert money.invoice_status(invoice_id) == "PAID"
    bodies = money.sandbox.crm.db.all(
        "SELECT kind, body FROM notifications WHERE subscriber_id = 'SUB-1002' AND kind IN"
        " ('PAYMENT_RECEIVED', 'WALLET_CREDITED') ORDER BY seq"
    )
    kinds = [row["kind"] for row in bodies]
    assert kinds.count("WALLET_CREDITED") == 1, kinds
    assert all("wallet" not in row["body"] for row in bodies if row["kind"] == "PAYMENT_RECEIVED")
    [credit] = [row["body"] for row in bodies if row["kind"] == "WALLET_CREDITED"]
    assert "added to your wallet" in credit
