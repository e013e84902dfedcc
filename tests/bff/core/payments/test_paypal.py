"""PayPal end to end over the sandbox's PayPal emulator: a payment started through
`bff.core.payments.checkout` with `gateway="paypal"`, approved on the emulator's page, captured on the
browser's return and/or on PayPal's webhooks (delivered and signed by the emulator, verified by asking its
`verify-webhook-signature`) → the same settlement as Stripe's: Billing once, AAA, CRM, the bus."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from bff.core.backends import open_backends
from bff.core.payments.checkout import PaymentError, start_invoice_payment, start_wallet_topup
from bff.core.settings import Settings
from sandbox.app import Sandbox
from sandbox.paypal.system import PayPalConfig, PayPalSystem
from tests.harness.money import VIEWERS, Listener, Money, money_rig, money_settings
from tests.harness.portal import BASE_URL as PORTAL
from tests.harness.portal import Portal

PAYPAL = "http://paypal.test"


class PayPalRig:
    def __init__(self, money: Money, paypal: PayPalSystem, browser: httpx.AsyncClient) -> None:
        self.money, self.paypal, self.browser = money, paypal, browser

    async def approve(self, approve_url: str, choice: str = "pay") -> str:
        """Click on the emulator's approval page; the URL PayPal sends the browser back to."""
        assert approve_url.startswith(f"{PAYPAL}/checkoutnow?token="), approve_url
        page = await self.browser.get(approve_url.removeprefix(PAYPAL))
        assert page.status_code == 200 and "Pay" in page.text
        token = parse_qs(urlsplit(approve_url).query)["token"][0]
        answer = await self.browser.post("/checkoutnow", data={"token": token, "choice": choice})
        assert answer.status_code == 303
        return answer.headers["location"]

    async def deliver_all(self, instance: Portal) -> list[int]:
        statuses: list[int] = []

        async def record(response: httpx.Response) -> None:
            statuses.append(response.status_code)

        assert instance.app is not None
        transport = httpx.ASGITransport(app=instance.app)
        async with httpx.AsyncClient(transport=transport, event_hooks={"response": [record]}) as client:
            await self.paypal.outbox.deliver_due(client)
        return statuses

    def event_types(self) -> list[str]:
        return [r["type"] for r in self.paypal.db.all("SELECT type FROM event_outbox ORDER BY seq")]

    def raw_event(self, type_: str) -> bytes:
        row = self.paypal.db.one(
            "SELECT body FROM event_outbox WHERE type = ? ORDER BY seq DESC LIMIT 1", (type_,)
        )
        assert row is not None
        return str(row["body"]).encode()

    def headers(self, raw: bytes) -> dict[str, str]:
        return self.paypal.outbox.delivery_headers("x", raw)


@pytest.fixture
async def rig(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[PayPalRig]:
    paypal = PayPalSystem(
        PayPalConfig(
            db_path=str(tmp_path / "paypal.sqlite3"),
            public_base_url=PAYPAL,
            webhook_url=f"{PORTAL}/webhooks/paypal",
        )
    )
    async with money_rig(sandbox, tmp_path) as money, contextlib.AsyncExitStack() as stack:
        money.transport = type(money.transport).to(
            [sandbox.billing, sandbox.crm, sandbox.aaa, sandbox.oss, money.gateway, paypal]
        )
        money.settings = money_settings_with_paypal(money, tmp_path)
        money.backends = await stack.enter_async_context(open_backends(money.settings, money.transport))
        browser = await stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=paypal.asgi()), base_url=PAYPAL)
        )
        try:
            yield PayPalRig(money, paypal, browser)
        finally:
            paypal.db.close()


def money_settings_with_paypal(money: Money, tmp_path: Path) -> Settings:
    return money_settings(tmp_path, GATEWAYS="stripe,paypal", PAYPAL_URL=PAYPAL)


async def start_invoice(rig: PayPalRig, subscriber_id: str, invoice_id: str, key: str = "k-1") -> str:
    money = rig.money
    started = await start_invoice_payment(
        money.backends,
        money.settings,
        VIEWERS[subscriber_id],
        invoice_id,
        idempotency_key=key,
        return_url=None,
        cancel_url=None,
        gateway="paypal",
    )
    return started.checkout_url


async def back_from_paypal(instance: Portal, location: str) -> httpx.Response:
    assert location.startswith(f"{PORTAL}/payments/paypal/return?"), location
    return await instance.client.get(location.removeprefix(PORTAL))


async def test_ben_pays_by_paypal_on_return_then_webhooks_change_nothing(rig: PayPalRig) -> None:
    money = rig.money
    app = await money.instance()
    invoice_id = await money.invoice_of("SUB-1002", "OVERDUE")
    assert money.service_status("SS-1002-1") == ("SUSPENDED", "NON_PAYMENT")
    async with Listener(app.bus, "SUB-1002") as listener:
        location = await rig.approve(await start_invoice(rig, "SUB-1002", invoice_id))
        back = await back_from_paypal(app, location)
        settled = await listener.wait_for("payment.settled")
        # The browser lands on the portal's return page, the order id in place of Stripe's session id.
        assert back.status_code == 303
        target = back.headers["location"]
        assert target.startswith(f"{PORTAL}/payments/return?kind=invoice&invoice=")
        assert "session_id=" in target and "{CHECKOUT_SESSION_ID}" not in target
        assert money.invoice_status(invoice_id) == "PAID"
        assert money.service_status("SS-1002-1") == ("ACTIVE", None)
        # Then PayPal's webhooks arrive: approved (captured again with the same request id) and completed.
        assert rig.event_types() == ["CHECKOUT.ORDER.APPROVED", "PAYMENT.CAPTURE.COMPLETED"]
        statuses = await rig.deliver_all(app)
        assert statuses == [200, 200]
    assert money.payments(invoice_id) == 1
    assert money.reactivations("SS-1002-1") == 1
    assert money.notifications("SUB-1002", "PAYMENT_RECEIVED") == 1
    assert [e.type for e in listener.events].count("payment.settled") == 1
    assert settled.data["kind"] == "INVOICE"
    assert str(settled.data["payment_ref"]).startswith("paypal:")
    capture_id = str(settled.data["payment_ref"]).removeprefix("paypal:")
    # Billing's record carries PayPal's capture id and the settlement's own key for it.
    row = money.sandbox.billing.db.one("SELECT * FROM payments WHERE invoice_id = ?", (invoice_id,))
    assert row is not None and capture_id in json.dumps(dict(row))


async def test_webhooks_alone_settle_when_the_browser_never_returns(rig: PayPalRig) -> None:
    money = rig.money
    app = await money.instance()
    invoice_id = await money.invoice_of("SUB-1002", "OVERDUE")
    await rig.approve(await start_invoice(rig, "SUB-1002", invoice_id))
    # Only CHECKOUT.ORDER.APPROVED so far: the BFF captures on it, which makes PAYMENT.CAPTURE.COMPLETED.
    assert await rig.deliver_all(app) == [200]
    assert money.invoice_status(invoice_id) == "PAID"
    assert rig.event_types()[-1] == "PAYMENT.CAPTURE.COMPLETED"
    assert await rig.deliver_all(app) == [200]
    # Replayed: every event again.
    for row in rig.paypal.db.all("SELECT id FROM event_outbox"):
        rig.paypal.outbox.redeliver(row["id"])
    assert await rig.deliver_all(app) == [200, 200]
    assert money.payments(invoice_id) == 1
    assert money.notifications("SUB-1002", "PAYMENT_RECEIVED") == 1
    assert money.reactivations("SS-1002-1") == 1


async def test_return_and_webhook_at_once_settle_once(rig: PayPalRig) -> None:
    import asyncio

    money = rig.money
    app = await money.instance()
    invoice_id = await money.invoice_of("SUB-1002", "OVERDUE")
    location = await rig.approve(await start_invoice(rig, "SUB-1002", invoice_id))
    back, statuses = await asyncio.gather(back_from_paypal(app, location), rig.deliver_all(app))
    assert back.status_code == 303 and statuses and all(s == 200 for s in statuses)
    await rig.deliver_all(app)
    assert money.payments(invoice_id) == 1
    assert money.notifications("SUB-1002", "PAYMENT_RECEIVED") == 1


async def test_a_forged_webhook_is_refused_and_changes_nothing(rig: PayPalRig) -> None:
    money = rig.money
    app = await money.instance()
    invoice_id = await money.invoice_of("SUB-1002", "OVERDUE")
    await rig.approve(await start_invoice(rig, "SUB-1002", invoice_id))
    genuine = rig.raw_event("CHECKOUT.ORDER.APPROVED")
    headers = rig.headers(genuine)
    # The genuine headers over a changed body (an attacker's capture of somebody else's order) …
    forged = json.loads(genuine)
    forged["event_type"] = "PAYMENT.CAPTURE.COMPLETED"
    forged["resource_type"] = "capture"
    forged["resource"] = {
        "id": "FORGEDCAPTURE0001",
        "status": "COMPLETED",
        "amount": forged["resource"]["purchase_units"][0]["amount"],
        "custom_id": forged["resource"]["purchase_units"][0]["custom_id"],
    }
    body = json.dumps(forged).encode()
    refused = await app.client.post("/webhooks/paypal", content=body, headers=headers)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "BAD_SIGNATURE"
    # … a made-up signature, and no transmission headers at all.
    bad = {**headers, "paypal-transmission-sig": "bm90IGEgc2lnbmF0dXJl"}
    assert (await app.client.post("/webhooks/paypal", content=genuine, headers=bad)).status_code == 400
    assert (await app.client.post("/webhooks/paypal", content=genuine)).status_code == 400
    assert money.payments(invoice_id) == 0
    assert money.invoice_status(invoice_id) == "OVERDUE"
    # The genuine one, as delivered, is taken.
    ok = await app.client.post("/webhooks/paypal", content=genuine, headers=headers)
    assert ok.status_code == 200, ok.text
    assert money.invoice_status(invoice_id) == "PAID"


async def test_wallet_top_up_by_paypal(rig: PayPalRig) -> None:
    money = rig.money
    app = await money.instance()
    before = money.wallet_entries("SUB-1001")
    started = await start_wallet_topup(
        money.backends,
        money.settings,
        VIEWERS["SUB-1001"],
        Decimal("25.00"),
        idempotency_key="t-1",
        return_url=None,
        cancel_url=None,
        gateway="paypal",
    )
    location = await rig.approve(started.checkout_url)
    back = await back_from_paypal(app, location)
    assert back.headers["location"].startswith(f"{PORTAL}/payments/return?kind=topup")
    await rig.deliver_all(app)
    assert money.wallet_entries("SUB-1001") == before + 1
    assert money.notifications("SUB-1001", "WALLET_CREDITED") == 1
    order = json.loads(rig.paypal.db.scalar("SELECT body FROM paypal_orders"))
    assert order["purchase_units"][0]["amount"] == {"currency_code": "USD", "value": "25.00"}


async def test_a_declined_funding_source_records_nothing(rig: PayPalRig) -> None:
    money = rig.money
    app = await money.instance()
    invoice_id = await money.invoice_of("SUB-1002", "OVERDUE")
    location = await rig.approve(await start_invoice(rig, "SUB-1002", invoice_id), choice="decline")
    back = await back_from_paypal(app, location)
    assert back.status_code == 303
    assert all(s == 200 for s in await rig.deliver_all(app))
    assert money.payments(invoice_id) == 0
    assert money.invoice_status(invoice_id) == "OVERDUE"


async def test_a_gateway_the_portal_does_not_offer_is_refused(rig: PayPalRig, tmp_path: Path) -> None:
    stripe_only = money_settings(tmp_path)
    assert stripe_only.gateways == ("stripe",)
    invoice_id = await rig.money.invoice_of("SUB-1002", "OVERDUE")
    with pytest.raises(PaymentError) as refused:
        await start_invoice_payment(
            rig.money.backends,
            stripe_only,
            VIEWERS["SUB-1002"],
            invoice_id,
            idempotency_key="k",
            return_url=None,
            cancel_url=None,
            gateway="paypal",
        )
    assert refused.value.code == "GATEWAY_NOT_OFFERED"
    assert rig.paypal.db.scalar("SELECT COUNT(*) FROM paypal_orders") == 0
