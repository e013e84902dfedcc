"""Webhook delivery: Stripe event objects POSTed to the webhook URL with a `Stripe-Signature` header the
adapter verifies, retried with backoff after failures (never dropped), re-delivered on operator demand."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from adapters.stripe.webhook import verify_event
from sandbox.common import clock
from sandbox.gateway.system import GatewaySystem
from tests.sandbox.test_gateway_support import (
    WEBHOOK_URL,
    client_for,
    create_customer,
    create_session,
    make_system,
    payment_form,
    submit_card,
)

OPERATOR = {"x-api-key": "sandbox-operator-key"}


class Receiver:
    """The BFF's webhook endpoint stand-in: records raw deliveries, fails the first `failures` of them."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.deliveries: list[tuple[bytes, dict[str, str]]] = []

    async def endpoint(self, request: Request) -> Response:
        self.deliveries.append((await request.body(), dict(request.headers)))
        if self.failures > 0:
            self.failures -= 1
            return JSONResponse({"error": "down"}, status_code=500)
        return JSONResponse({"received": True})

    def client(self) -> httpx.AsyncClient:
        app = Starlette(routes=[Route("/webhooks/gateway", self.endpoint, methods=["POST"])])
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app))


@pytest.fixture
def system(tmp_path: Path) -> GatewaySystem:
    return make_system(tmp_path, webhook_url=WEBHOOK_URL)


@pytest.fixture
async def api(system: GatewaySystem) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(system) as client:
        yield client


async def paid_session(api: httpx.AsyncClient) -> str:
    customer = await create_customer(api)
    session = await create_session(api, payment_form(customer=customer))
    assert (await submit_card(api, session["id"])).status_code == 303
    return str(session["id"])


async def test_deliveries_are_signed_stripe_events(system: GatewaySystem, api: httpx.AsyncClient) -> None:
    session_id = await paid_session(api)
    receiver = Receiver()
    async with receiver.client() as client:
        delivered = await system.outbox.deliver_due(client)
    assert delivered == len(receiver.deliveries) == 4
    secret = system.gateway_config.webhook_secret
    events = [
        verify_event(body, headers.get("stripe-signature"), secret) for body, headers in receiver.deliveries
    ]
    assert [e.type for e in events] == [
        "customer.created",
        "payment_method.attached",
        "payment_intent.succeeded",
        "checkout.session.completed",
    ]
    completed = events[-1]
    assert completed.checkout_session is not None and completed.checkout_session.id == session_id
    assert completed.checkout_session.payment_status == "paid"
    assert completed.checkout_session.reference == {"invoice_id": "INV-2026-0042"}
    assert events[2].payment_intent is not None and events[2].payment_intent.metadata == {
        "invoice_id": "INV-2026-0042"
    }
    body, headers = receiver.deliveries[-1]
    assert headers["content-type"] == "application/json"
    assert "x-wispgate-signature" not in headers
    raw = json.loads(body)
    assert set(raw) >= {"id", "object", "type", "created", "data", "livemode", "api_version"}
    assert raw["object"] == "event" and raw["livemode"] is False
    # The delivered body is the event the API serves.
    assert (await api.get(f"/v1/events/{raw['id']}")).json() == raw
    with pytest.raises(Exception, match="signature"):
        verify_event(body, headers["stripe-signature"], "whsec_other")


async def test_failed_delivery_is_retried_with_backoff(
    system: GatewaySystem, api: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await create_customer(api)
    receiver = Receiver(failures=1)
    async with receiver.client() as client:
        assert await system.outbox.deliver_due(client) == 0
        [item] = (await api.get("/_ops/events", headers=OPERATOR)).json()["items"]
        assert (item["status"], item["attempts"], item["last_error"]) == ("PENDING", 1, "HTTP 500")
        # Not due again before its backoff…
        assert await system.outbox.deliver_due(client) == 0
        assert len(receiver.deliveries) == 1
        # …and delivered once it is.
        later = clock.now() + timedelta(seconds=10)
        monkeypatch.setattr(clock, "now", lambda: later)
        assert await system.outbox.deliver_due(client) == 1
    assert len(receiver.deliveries) == 2
    assert receiver.deliveries[0][0] == receiver.deliveries[1][0]  # the same event, byte for byte
    [item] = (await api.get("/_ops/events", headers=OPERATOR)).json()["items"]
    assert (item["status"], item["attempts"]) == ("DELIVERED", 2)


async def test_event_that_keeps_failing_is_never_dropped(
    system: GatewaySystem, api: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await create_customer(api)
    receiver = Receiver(failures=7)
    moment = clock.now()
    async with receiver.client() as client:
        for _ in range(7):
            moment += timedelta(seconds=600)
            monkeypatch.setattr(clock, "now", lambda m=moment: m)
            await system.outbox.deliver_due(client)
        failing = (await api.get("/_ops/events", headers=OPERATOR, params={"status": "FAILING"})).json()[
            "items"
        ]
        assert len(failing) == 1 and failing[0]["attempts"] == 7
        moment += timedelta(seconds=600)
        monkeypatch.setattr(clock, "now", lambda: moment)
        assert await system.outbox.deliver_due(client) == 1
    assert len(receiver.deliveries) == 8


async def test_operator_redelivers_on_demand(system: GatewaySystem, api: httpx.AsyncClient) -> None:
    await create_customer(api)
    receiver = Receiver()
    async with receiver.client() as client:
        await system.outbox.deliver_due(client)
        [item] = (await api.get("/_ops/events", headers=OPERATOR)).json()["items"]
        assert item["status"] == "DELIVERED" and item["body"]["type"] == "customer.created"
        response = await api.post(f"/_ops/events/{item['id']}/redeliver", headers=OPERATOR)
        assert response.status_code == 200 and response.json()["status"] == "PENDING"
        assert await system.outbox.deliver_due(client) == 1
    assert len(receiver.deliveries) == 2
    first = json.loads(receiver.deliveries[0][0])
    second = json.loads(receiver.deliveries[1][0])
    assert first == second  # the same event id: the receiver's de-duplication sees a repeat
    missing = await api.post("/_ops/events/evt_nope/redeliver", headers=OPERATOR)
    assert missing.status_code == 404


async def test_ops_routes_need_the_operator_key(system: GatewaySystem, api: httpx.AsyncClient) -> None:
    # The secret API key (sent by `api`) does not open the operator routes.
    assert (await api.get("/_ops/events")).status_code == 401
    assert (await api.get("/_ops/events", headers={"x-api-key": "wrong"})).status_code == 403
    assert (await api.post("/_ops/events/evt_x/redeliver", headers={"x-api-key": "wrong"})).status_code == 403
    assert (await api.get("/_ops/events", headers=OPERATOR)).status_code == 200


async def test_without_webhook_url_events_are_held(tmp_path: Path) -> None:
    system = make_system(tmp_path)
    async with client_for(system) as api:
        await create_customer(api)
        [item] = (await api.get("/_ops/events", headers=OPERATOR)).json()["items"]
        assert item["status"] == "HELD"
        # Still readable through the API, as Stripe keeps events whether or not an endpoint exists.
        assert (await api.get(f"/v1/events/{item['id']}")).status_code == 200
