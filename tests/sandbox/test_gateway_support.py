"""Helpers the gateway tests share (no tests here): a fresh sandbox gateway per test, an API client over
ASGI, and the hosted-page steps a shopper takes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from sandbox.gateway.config import GatewayConfig
from sandbox.gateway.system import GatewaySystem

SECRET = GatewayConfig().secret_key
BASE = "http://gw.test"
WEBHOOK_URL = "http://receiver.test/webhooks/gateway"
SUCCESS = "https://portal.test/pay/done?session={CHECKOUT_SESSION_ID}"
CANCEL = "https://portal.test/pay/cancelled"
GOOD_CARD = "4242 4242 4242 4242"


def make_system(tmp_path: Path, **overrides: Any) -> GatewaySystem:
    config = GatewayConfig(db_path=str(tmp_path / "gateway.sqlite3"), public_base_url=BASE, **overrides)
    return GatewaySystem(config)


def client_for(system: GatewaySystem, key: str | None = SECRET) -> httpx.AsyncClient:
    headers = {"authorization": f"Bearer {key}"} if key else {}
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=system.asgi()), base_url=BASE, headers=headers)


def payment_form(amount: int = 4999, currency: str = "usd", **extra: str) -> dict[str, str]:
    return {
        "mode": "payment",
        "success_url": SUCCESS,
        "cancel_url": CANCEL,
        "line_items[0][price_data][currency]": currency,
        "line_items[0][price_data][unit_amount]": str(amount),
        "line_items[0][price_data][product_data][name]": "Invoice INV-2026-0042",
        "line_items[0][quantity]": "1",
        "metadata[invoice_id]": "INV-2026-0042",
        "payment_intent_data[metadata][invoice_id]": "INV-2026-0042",
        **extra,
    }


def setup_form(customer: str | None, **extra: str) -> dict[str, str]:
    form = {
        "mode": "setup",
        "currency": "usd",
        "success_url": SUCCESS,
        "cancel_url": CANCEL,
        "setup_intent_data[metadata][subscriber_id]": "SUB-1001",
        **extra,
    }
    if customer:
        form["customer"] = customer
    return form


async def create_customer(client: httpx.AsyncClient, subscriber_id: str = "SUB-1001") -> str:
    response = await client.post(
        "/v1/customers",
        data={"email": "ada@example.com", "name": "Ada", "metadata[subscriber_id]": subscriber_id},
    )
    assert response.status_code == 200, response.text
    customer_id: str = response.json()["id"]
    return customer_id


async def create_session(client: httpx.AsyncClient, form: dict[str, str]) -> dict[str, Any]:
    response = await client.post("/v1/checkout/sessions", data=form)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def card(number: str = GOOD_CARD, **overrides: str) -> dict[str, str]:
    return {
        "card_number": number,
        "card_expiry": "12 / 34",
        "card_cvc": "123",
        "card_name": "Ada Lovelace",
        **overrides,
    }


async def submit_card(
    client: httpx.AsyncClient, session_id: str, number: str = GOOD_CARD, **overrides: str
) -> httpx.Response:
    return await client.post(f"/pay/{session_id}", data=card(number, **overrides))


async def saved_card(client: httpx.AsyncClient, customer: str, number: str = GOOD_CARD) -> str:
    """Save a card to the customer through a setup-mode Checkout Session, as a subscriber would."""
    session = await create_session(client, setup_form(customer))
    response = await submit_card(client, session["id"], number)
    if response.status_code == 303 and response.headers["location"].endswith("/authenticate"):
        response = await client.post(f"/pay/{session['id']}/authenticate", data={"outcome": "complete"})
    assert response.status_code == 303, response.text
    done = await client.get(f"/v1/checkout/sessions/{session['id']}", params={"expand[]": "setup_intent"})
    method: str = done.json()["setup_intent"]["payment_method"]
    return method


async def event_types(client: httpx.AsyncClient) -> list[str]:
    response = await client.get("/v1/events", params={"limit": "100"})
    return [event["type"] for event in reversed(response.json()["data"])]
