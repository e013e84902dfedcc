"""Autopay through the combined sandbox in-process: a card saved at the gateway on its hosted page and stored in
Billing, then the billing run charges it off-session through the gateway (`CardCharger`).

Billing never marks the invoice paid itself: settling is the BFF's job when `payment_intent.succeeded` arrives,
through `POST /v1/payments` like any manual payment.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from pypdf import PdfReader
from starlette.applications import Starlette

from sandbox.app import Sandbox, build_sandbox, mount
from sandbox.billing.system import BillingSystem
from sandbox.common.system import SystemConfig
from sandbox.settings import SandboxSettings
from sandbox.world import World

SERVICE_KEY = "autopay-service-key"
OPERATOR_KEY = "autopay-operator-key"
GATEWAY_KEY = SandboxSettings.gateway_secret_key
BASE = "http://sandbox.test"
RETURN = "https://portal.test/payment-methods?session={CHECKOUT_SESSION_ID}"
GOOD_CARD = "4242 4242 4242 4242"
CHARGE_FAILS_CARD = "4000 0000 0000 0341"  # saving succeeds, every charge is declined


@dataclass
class Clients:
    sandbox: Sandbox
    gateway: httpx.AsyncClient  # the gateway's Stripe-style API (secret key)
    browser: httpx.AsyncClient  # the hosted page, no key
    billing: httpx.AsyncClient  # Billing with the service key (the BFF)
    ops: httpx.AsyncClient  # Billing with the operator key (the console)


@pytest.fixture(name="c")
async def clients(tmp_path: Path, today: date) -> AsyncIterator[Clients]:
    sandbox = build_sandbox(
        SandboxSettings(
            data_dir=tmp_path,
            service_key=SERVICE_KEY,
            operator_key=OPERATOR_KEY,
            today=today,
            public_url=f"{BASE}/_sandbox",
        )
    )
    app = Starlette(routes=[mount("/_sandbox", sandbox.asgi())])

    def client(path: str, headers: dict[str, str]) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app)
        return httpx.AsyncClient(transport=transport, base_url=f"{BASE}/_sandbox/{path}", headers=headers)

    async with (
        client("gateway", {"authorization": f"Bearer {GATEWAY_KEY}"}) as gateway,
        client("gateway", {}) as browser,
        client("billing", {"x-api-key": SERVICE_KEY}) as billing,
        client("billing", {"x-api-key": OPERATOR_KEY}) as ops,
    ):
        yield Clients(sandbox, gateway, browser, billing, ops)
    sandbox.close()


async def gateway_customer(c: Clients, subscriber_id: str) -> str:
    r = await c.gateway.post(
        "/v1/customers", data={"name": subscriber_id, "metadata[subscriber_id]": subscriber_id}
    )
    assert r.status_code == 200, r.text
    customer: str = r.json()["id"]
    r = await c.billing.put(
        f"/v1/subscribers/{subscriber_id}/gateway-customer", json={"gateway_customer_id": customer}
    )
    assert r.status_code == 200, r.text
    return customer


async def save_card(
    c: Clients, subscriber_id: str, customer: str, number: str, *, default: bool = True
) -> str:
    """A setup-mode Checkout Session paid on the hosted page with the card form, then the card stored in
    Billing as the BFF's setup webhook handler does. Returns Billing's payment method id."""
    r = await c.gateway.post(
        "/v1/checkout/sessions",
        data={
            "mode": "setup",
            "currency": "usd",
            "customer": customer,
            "success_url": RETURN,
            "cancel_url": "https://portal.test/payment-methods",
            "setup_intent_data[metadata][wg_kind]": "setup",
            "setup_intent_data[metadata][wg_subscriber_id]": subscriber_id,
        },
    )
    assert r.status_code == 200, r.text
    session = r.json()["id"]
    page = await c.browser.post(
        f"/pay/{session}",
        data={"card_number": number, "card_expiry": "12 / 34", "card_cvc": "123", "card_name": "Ana Lima"},
    )
    assert page.status_code == 303, page.text
    done = await c.gateway.get(
        f"/v1/checkout/sessions/{session}", params={"expand[]": "setup_intent.payment_method"}
    )
    method = done.json()["setup_intent"]["payment_method"]
    assert method["customer"] == customer
    r = await c.billing.post(
        f"/v1/subscribers/{subscriber_id}/payment-methods",
        json={
            "gateway_token": method["id"],
            "brand": method["card"]["brand"],
            "last4": method["card"]["last4"],
            "exp_month": method["card"]["exp_month"],
            "exp_year": method["card"]["exp_year"],
            "make_default": default,
        },
    )
    assert r.status_code == 201, r.text
    method_id: str = r.json()["id"]
    return method_id


async def autopay(c: Clients, subscriber_id: str, enabled: bool) -> None:
    r = await c.billing.put(f"/v1/subscribers/{subscriber_id}/autopay", json={"enabled": enabled})
    assert r.status_code == 200, r.text


async def run(c: Clients, **body: str) -> dict[str, Any]:
    r = await c.ops.post("/v1/ops/billing-runs", json=body)
    assert r.status_code == 200, r.text
    summary: dict[str, Any] = r.json()
    return summary


async def unpaid_invoices(c: Clients, subscriber_id: str) -> list[dict[str, Any]]:
    r = await c.billing.post("/v1/invoices:by-subscriber", json={"ids": [subscriber_id]})
    assert r.status_code == 200, r.text
    return [i for i in r.json()["items"] if i["status"] in ("OPEN", "OVERDUE")]


async def invoice(c: Clients, invoice_id: str) -> dict[str, Any]:
    r = await c.billing.get(f"/v1/invoices/{invoice_id}")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def gateway_events(c: Clients, type_: str) -> list[dict[str, Any]]:
    r = await c.gateway.get("/v1/events", params={"type": type_, "limit": "100"})
    assert r.status_code == 200, r.text
    events: list[dict[str, Any]] = r.json()["data"]
    return events


def minor(amount: dict[str, str]) -> int:
    return int(Decimal(amount["amount"]) * 100)


def attempts(c: Clients) -> list[dict[str, Any]]:
    rows = c.sandbox.billing.db.all("SELECT * FROM autopay_attempts ORDER BY id")
    return [dict(r) for r in rows]


async def test_saved_card_is_charged_off_session_once_and_left_for_the_webhook_to_settle(c: Clients) -> None:
    customer = await gateway_customer(c, "SUB-1001")
    await save_card(c, "SUB-1001", customer, GOOD_CARD)
    await autopay(c, "SUB-1001", True)
    [due] = await unpaid_invoices(c, "SUB-1001")
    balance = minor(due["balance"])
    assert balance > 0

    summary = await run(c)

    assert summary["autopay"] == "RAN"
    [charge] = summary["charged"]  # nobody else in the seed world is on autopay
    assert charge["invoice_id"] == due["id"]
    assert charge["succeeded"] is True and charge["decline_code"] is None
    assert charge["amount"] == due["balance"]
    intent = (await c.gateway.get(f"/v1/payment_intents/{charge['payment_intent_id']}")).json()
    assert intent["status"] == "succeeded"
    assert intent["amount"] == intent["amount_received"] == balance
    assert intent["currency"] == "usd" and intent["customer"] == customer
    assert intent["metadata"] == {
        "wg_kind": "invoice",
        "wg_invoice_id": due["id"],
        "wg_subscriber_id": "SUB-1001",
        "wg_origin": "autopay",
    }
    [succeeded] = await gateway_events(c, "payment_intent.succeeded")
    assert succeeded["data"]["object"]["id"] == intent["id"]
    assert await gateway_events(c, "payment_intent.payment_failed") == []
    # Settlement is the BFF's job (from the webhook): Billing has not marked anything paid.
    after = await invoice(c, due["id"])
    assert after["status"] == "OPEN" and after["balance"] == due["balance"]
    [attempt] = attempts(c)
    assert attempt["outcome"] == "SUCCEEDED" and attempt["payment_intent_id"] == intent["id"]
    assert attempt["idempotency_key"] == f"autopay-{due['id']}-{balance}"

    again = await run(c)
    assert again["charged"] == []
    assert len(await gateway_events(c, "payment_intent.succeeded")) == 1
    assert len(attempts(c)) == 1


async def test_the_charge_is_the_gateway_api_request_an_http_retry_replays(c: Clients) -> None:
    customer = await gateway_customer(c, "SUB-1001")
    await save_card(c, "SUB-1001", customer, GOOD_CARD)
    await autopay(c, "SUB-1001", True)
    [charge] = (await run(c))["charged"]
    intent = (await c.gateway.get(f"/v1/payment_intents/{charge['payment_intent_id']}")).json()

    # The same request over HTTP with the same key is a replay of the run's charge, not a second charge.
    r = await c.gateway.post(
        "/v1/payment_intents",
        data={
            "amount": str(intent["amount"]),
            "currency": "usd",
            "customer": customer,
            "payment_method": intent["payment_method"],
            "confirm": "true",
            "off_session": "true",
            "metadata[wg_kind]": "invoice",
            "metadata[wg_invoice_id]": charge["invoice_id"],
            "metadata[wg_subscriber_id]": "SUB-1001",
            "metadata[wg_origin]": "autopay",
        },
        headers={"idempotency-key": f"autopay-{charge['invoice_id']}-{intent['amount']}"},
    )
    assert r.status_code == 200, r.text
    assert r.headers["idempotent-replayed"] == "true"
    assert r.json()["id"] == intent["id"]
    assert len(await gateway_events(c, "payment_intent.succeeded")) == 1


async def test_settled_invoice_is_not_charged_again_and_a_new_invoice_is(c: Clients) -> None:
    customer = await gateway_customer(c, "SUB-1001")
    await save_card(c, "SUB-1001", customer, GOOD_CARD)
    await autopay(c, "SUB-1001", True)
    [first] = (await run(c))["charged"]
    # What the BFF does on payment_intent.succeeded.
    r = await c.billing.post(
        "/v1/payments",
        json={
            "external_ref": first["payment_intent_id"],
            "invoice_id": first["invoice_id"],
            "amount": first["amount"]["amount"],
            "currency": first["amount"]["currency"],
            "method": "GATEWAY",
        },
    )
    assert r.status_code == 201, r.text
    assert (await invoice(c, first["invoice_id"]))["status"] == "PAID"

    # The next period: its invoice is issued and charged; the paid one is not touched.
    december = await run(c, as_of="2026-12-20", subscriber_id="SUB-1001")
    assert len(december["invoices_issued"]) == 1
    [second] = december["charged"]
    assert second["invoice_id"] == december["invoices_issued"][0] != first["invoice_id"]
    assert second["succeeded"] is True
    assert len(await gateway_events(c, "payment_intent.succeeded")) == 2


async def test_overdue_invoice_is_charged_too(c: Clients) -> None:
    customer = await gateway_customer(c, "SUB-1002")
    await save_card(c, "SUB-1002", customer, GOOD_CARD)
    await autopay(c, "SUB-1002", True)
    overdue = [i for i in await unpaid_invoices(c, "SUB-1002") if i["status"] == "OVERDUE"]
    assert overdue

    summary = await run(c, subscriber_id="SUB-1002")

    charged = {item["invoice_id"]: item for item in summary["charged"]}
    for due in overdue:
        assert charged[due["id"]]["succeeded"] is True
        assert charged[due["id"]]["amount"] == due["balance"]


async def test_declined_card_leaves_the_invoice_open_and_is_not_retried_the_same_day(c: Clients) -> None:
    customer = await gateway_customer(c, "SUB-1001")
    await save_card(c, "SUB-1001", customer, CHARGE_FAILS_CARD)  # attaching works
    await autopay(c, "SUB-1001", True)
    [due] = await unpaid_invoices(c, "SUB-1001")

    summary = await run(c)

    [charge] = summary["charged"]
    assert charge["invoice_id"] == due["id"]
    assert charge["succeeded"] is False
    assert charge["decline_code"] == "generic_decline"
    [failed] = await gateway_events(c, "payment_intent.payment_failed")
    intent = failed["data"]["object"]
    assert intent["id"] == charge["payment_intent_id"]
    assert intent["status"] == "requires_payment_method"
    assert intent["last_payment_error"]["decline_code"] == "generic_decline"
    assert intent["metadata"]["wg_origin"] == "autopay"
    assert await gateway_events(c, "payment_intent.succeeded") == []
    assert (await invoice(c, due["id"]))["status"] == "OPEN"
    [attempt] = attempts(c)
    assert attempt["outcome"] == "DECLINED" and attempt["decline_code"] == "generic_decline"

    # The card is not hammered again the same day, even with another default card: the dunning schedule
    # (tests/sandbox/test_billing_dunning.py) says when the next charge is, and it charges the card of that day.
    await save_card(c, "SUB-1001", customer, GOOD_CARD, default=True)
    assert (await run(c))["charged"] == []
    assert len(await gateway_events(c, "payment_intent.payment_failed")) == 1
    assert await gateway_events(c, "payment_intent.succeeded") == []


async def test_autopay_off_means_no_charge(c: Clients) -> None:
    customer = await gateway_customer(c, "SUB-1001")
    await save_card(c, "SUB-1001", customer, GOOD_CARD)
    await autopay(c, "SUB-1001", True)
    await autopay(c, "SUB-1001", False)

    summary = await run(c)

    assert summary["autopay"] == "RAN" and summary["charged"] == []
    assert await gateway_events(c, "payment_intent.*") == []
    assert attempts(c) == []


async def test_card_the_gateway_does_not_know_is_refused_without_an_error(c: Clients) -> None:
    customer = await gateway_customer(c, "SUB-1001")
    r = await c.billing.post(
        "/v1/subscribers/SUB-1001/payment-methods",
        json={
            "gateway_token": "pm_unknown",
            "brand": "visa",
            "last4": "4242",
            "exp_month": 12,
            "exp_year": 2034,
        },
    )
    assert r.status_code == 201, r.text
    await autopay(c, "SUB-1001", True)
    [due] = await unpaid_invoices(c, "SUB-1001")

    [charge] = (await run(c))["charged"]

    assert charge == {
        "invoice_id": due["id"],
        "amount": due["balance"],
        "payment_intent_id": None,
        "succeeded": False,
        "decline_code": "resource_missing",
        "retry": 0,
    }
    assert await gateway_events(c, "payment_intent.*") == []
    assert customer.startswith("cus_")


def test_billing_alone_skips_autopay_and_says_so(tmp_path: Path, world: World) -> None:
    system = BillingSystem(SystemConfig(db_path=str(tmp_path / "billing.sqlite3")), today=world.today)
    system.seed(world)
    system.service.set_gateway_customer("SUB-1001", "cus_test")
    system.service.add_payment_method(
        "SUB-1001", gateway_token="pm_test", brand="visa", last4="4242", exp_month=12, exp_year=2034
    )
    system.service.set_autopay("SUB-1001", True)

    summary = system.service.billing_run()

    assert summary["autopay"] == "SKIPPED_NO_CHARGER"
    assert summary["charged"] == []
    assert system.db.scalar("SELECT COUNT(*) FROM autopay_attempts") == 0


async def test_the_autopay_payment_names_the_card_it_was_charged_to(c: Clients) -> None:
    """The webhook's payment is recorded against the autopay charge's gateway payment: Billing knows which
    stored card that was, so the receipt says the brand and last four digits (and nothing more)."""
    customer = await gateway_customer(c, "SUB-1001")
    await save_card(c, "SUB-1001", customer, GOOD_CARD)
    await autopay(c, "SUB-1001", True)
    [charge] = (await run(c))["charged"]
    r = await c.billing.post(
        "/v1/payments",
        json={
            "external_ref": charge["payment_intent_id"],
            "invoice_id": charge["invoice_id"],
            "amount": charge["amount"]["amount"],
            "currency": charge["amount"]["currency"],
            "method": "CARD",
        },
    )
    assert r.status_code == 201, r.text
    payment = r.json()["payment"]
    assert (payment["card_brand"], payment["card_last4"]) == ("visa", "4242")
    receipt = await c.billing.get(f"/v1/payments/{payment['id']}/receipt.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(receipt.content)).pages)
    assert "VISA **** 4242" in text and "4242 4242" not in text
