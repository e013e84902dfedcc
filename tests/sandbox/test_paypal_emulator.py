"""The sandbox's PayPal emulator on its own, as PayPal's REST API answers: client-credentials tokens, orders
with `PayPal-Request-Id` replays, capture rules in PayPal's error shape, the approval page, and
`verify-webhook-signature` accepting only what it sent."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.paypal.system import PayPalConfig, PayPalSystem

BASE = "http://paypal.test"
CONFIG = PayPalConfig()
ORDER = {
    "intent": "CAPTURE",
    "purchase_units": [
        {"amount": {"currency_code": "USD", "value": "29.99"}, "custom_id": "wg1|topup|SUB-1||portal"}
    ],
    "payment_source": {
        "paypal": {
            "experience_context": {"return_url": "https://p.example/r", "cancel_url": "https://p.example/c"}
        }
    },
}


@pytest.fixture
async def paypal(tmp_path: Path) -> AsyncIterator[tuple[PayPalSystem, httpx.AsyncClient]]:
    system = PayPalSystem(PayPalConfig(db_path=str(tmp_path / "paypal.sqlite3"), public_base_url=BASE))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=system.asgi()), base_url=BASE) as client:
        basic = base64.b64encode(f"{CONFIG.client_id}:{CONFIG.client_secret}".encode()).decode()
        token = await client.post(
            "/v1/oauth2/token",
            content=b"grant_type=client_credentials",
            headers={"authorization": f"Basic {basic}"},
        )
        assert token.status_code == 200
        assert token.json()["token_type"] == "Bearer" and token.json()["expires_in"] > 0
        client.headers["authorization"] = f"Bearer {token.json()['access_token']}"
        yield system, client
    system.db.close()


async def _create(
    client: httpx.AsyncClient, body: dict[str, Any] = ORDER, request_id: str = "r-1"
) -> httpx.Response:
    return await client.post(
        "/v2/checkout/orders",
        json=body,
        headers={"paypal-request-id": request_id, "prefer": "return=representation"},
    )


async def test_wrong_client_secret_is_401_invalid_client(
    paypal: tuple[PayPalSystem, httpx.AsyncClient],
) -> None:
    _, client = paypal
    basic = base64.b64encode(f"{CONFIG.client_id}:wrong".encode()).decode()
    answer = await client.post(
        "/v1/oauth2/token",
        content=b"grant_type=client_credentials",
        headers={"authorization": f"Basic {basic}"},
    )
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"
    refused = await client.get("/v2/checkout/orders/X", headers={"authorization": "Bearer made-up"})
    assert refused.status_code == 401 and refused.json()["name"] == "AUTHENTICATION_FAILURE"


async def test_create_replays_by_request_id_and_links_the_approval_page(
    paypal: tuple[PayPalSystem, httpx.AsyncClient],
) -> None:
    _system, client = paypal
    first = await _create(client)
    assert first.status_code == 201
    order = first.json()
    assert order["status"] == "PAYER_ACTION_REQUIRED"
    [payer_action] = [link for link in order["links"] if link["rel"] == "payer-action"]
    assert payer_action["href"] == f"{BASE}/checkoutnow?token={order['id']}"
    assert (await _create(client)).json()["id"] == order["id"]
    assert (await _create(client, request_id="r-2")).json()["id"] != order["id"]
    page = await client.get(f"/checkoutnow?token={order['id']}")
    assert page.status_code == 200 and "$29.99" in page.text


@pytest.mark.parametrize(
    ("amount", "issue"),
    [
        ("0.00", "CANNOT_BE_ZERO_OR_NEGATIVE"),
        ("1.234", "DECIMAL_PRECISION"),
        ("abc", "INVALID_PARAMETER_SYNTAX"),
    ],
)
async def test_bad_amounts_are_refused(
    paypal: tuple[PayPalSystem, httpx.AsyncClient], amount: str, issue: str
) -> None:
    _, client = paypal
    body = json.loads(json.dumps(ORDER))
    body["purchase_units"][0]["amount"]["value"] = amount
    answer = await _create(client, body, request_id=f"bad-{amount}")
    assert answer.status_code in (400, 422)
    assert answer.json()["details"][0]["issue"] == issue


async def test_capture_rules(paypal: tuple[PayPalSystem, httpx.AsyncClient]) -> None:
    system, client = paypal
    order_id = (await _create(client)).json()["id"]
    early = await client.post(f"/v2/checkout/orders/{order_id}/capture", headers={"paypal-request-id": "c-0"})
    assert early.status_code == 422 and early.json()["details"][0]["issue"] == "ORDER_NOT_APPROVED"
    back = await client.post("/checkoutnow", data={"token": order_id, "choice": "pay"})
    assert back.status_code == 303
    assert back.headers["location"] == f"https://p.example/r?token={order_id}&PayerID=SANDBOXPAYER1"
    headers = {"paypal-request-id": "c-1", "prefer": "return=representation"}
    captured = await client.post(f"/v2/checkout/orders/{order_id}/capture", headers=headers)
    assert captured.status_code == 201 and captured.json()["status"] == "COMPLETED"
    capture = captured.json()["purchase_units"][0]["payments"]["captures"][0]
    assert capture["status"] == "COMPLETED" and capture["amount"] == {
        "currency_code": "USD",
        "value": "29.99",
    }
    replay = await client.post(f"/v2/checkout/orders/{order_id}/capture", headers=headers)
    assert replay.json() == captured.json()  # the same request id: the first answer
    other = await client.post(f"/v2/checkout/orders/{order_id}/capture", headers={"paypal-request-id": "c-2"})
    assert other.status_code == 422 and other.json()["details"][0]["issue"] == "ORDER_ALREADY_CAPTURED"
    types = [r["type"] for r in system.db.all("SELECT type FROM event_outbox ORDER BY seq")]
    assert types == ["CHECKOUT.ORDER.APPROVED", "PAYMENT.CAPTURE.COMPLETED"]


async def test_verify_accepts_only_its_own_unchanged_events(
    paypal: tuple[PayPalSystem, httpx.AsyncClient],
) -> None:
    system, client = paypal
    order_id = (await _create(client)).json()["id"]
    await client.post("/checkoutnow", data={"token": order_id, "choice": "pay"})
    raw = str(system.db.scalar("SELECT body FROM event_outbox")).encode()
    sent = system.outbox.delivery_headers("x", raw)

    def request(event: dict[str, Any], **override: str) -> dict[str, Any]:
        return {
            "auth_algo": sent["paypal-auth-algo"],
            "cert_url": sent["paypal-cert-url"],
            "transmission_id": sent["paypal-transmission-id"],
            "transmission_sig": sent["paypal-transmission-sig"],
            "transmission_time": sent["paypal-transmission-time"],
            "webhook_id": CONFIG.webhook_id,
            "webhook_event": event,
            **override,
        }

    async def status(body: dict[str, Any]) -> str:
        answer = await client.post("/v1/notifications/verify-webhook-signature", json=body)
        assert answer.status_code == 200
        return str(answer.json()["verification_status"])

    event = json.loads(raw)
    assert await status(request(event)) == "SUCCESS"
    changed = {**event, "summary": "changed"}
    assert await status(request(changed)) == "FAILURE"
    assert await status(request(event, webhook_id="OTHERWEBHOOK")) == "FAILURE"
    assert await status(request(event, transmission_id="another-transmission")) == "FAILURE"


async def test_operator_routes_need_the_operator_key(paypal: tuple[PayPalSystem, httpx.AsyncClient]) -> None:
    _, client = paypal
    assert (await client.get("/_ops/events")).status_code == 401
    listed = await client.get("/_ops/events", headers={"x-api-key": CONFIG.operator_key})
    assert listed.status_code == 200
