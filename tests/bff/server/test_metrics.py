"""`/metrics`: what a query, a webhook, a WebSocket, a bus event and a backend call leave there, and the bounds
on labels that clients choose."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from adapters.wispgate.signing import sign
from bff.core.bus import BusEvent
from bff.core.metrics import MAX_OPERATION_NAMES, Metrics
from bff.core.settings import SANDBOX_EVENTS_SECRET
from bff.server.app import create_app
from tests.harness.metrics import value
from tests.harness.portal import Portal, portal_settings


async def scrape(portal: Portal) -> str:
    response = await portal.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


async def test_operations_are_timed_by_name_and_their_errors_counted_by_code(portal: Portal) -> None:
    for _ in range(2):
        await portal.data("query Ping { __typename }")
    await portal.data("{ __typename }")
    renew = await portal.execute(
        'mutation Renew { renewService(input: {subServiceId: "x", idempotencyKey: "k"}) { userErrors { code } } }'
    )
    assert renew["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    broken = await portal.post("query Sneaky { noSuchField }")
    assert "errors" in broken.json()

    text = await scrape(portal)

    count = "wispgate_graphql_operation_seconds_count"
    assert value(text, count, operation="Ping", type="query") == 2
    assert value(text, count, operation="anonymous", type="query") == 1
    assert value(text, count, operation="Renew", type="mutation") == 1
    assert (
        value(text, "wispgate_graphql_operation_errors_total", operation="Renew", code="UNAUTHENTICATED") == 1
    )
    # A document that does not validate is not believed about its name.
    assert value(text, count, operation="unknown", type="unknown") == 1
    assert (
        value(
            text,
            "wispgate_graphql_operation_errors_total",
            operation="unknown",
            code="GRAPHQL_VALIDATION_FAILED",
        )
        == 1
    )
    assert "Sneaky" not in text
    assert value(text, "wispgate_graphql_operation_errors_total", operation="Ping", code="INTERNAL") is None


async def test_operation_names_are_truncated(portal: Portal) -> None:
    long_name = "Q" + "x" * 300
    await portal.data(f"query {long_name} {{ __typename }}")
    text = await scrape(portal)
    assert (
        value(text, "wispgate_graphql_operation_seconds_count", operation=long_name[:64], type="query") == 1
    )
    assert long_name[:65] not in text


def test_operation_names_beyond_the_cap_are_counted_as_other() -> None:
    metrics = Metrics()
    labels = [metrics.operation_label(f"Op{i}") for i in range(MAX_OPERATION_NAMES + 20)]
    assert labels[:MAX_OPERATION_NAMES] == [f"Op{i}" for i in range(MAX_OPERATION_NAMES)]
    assert set(labels[MAX_OPERATION_NAMES:]) == {"other"}
    assert metrics.operation_label("Op3") == "Op3"  # already known names keep their label
    assert metrics.operation_label(None) == "anonymous"


async def test_webhook_outcomes_are_counted_by_source(portal: Portal) -> None:
    event = {
        "id": f"evt_{secrets.token_hex(6)}",
        "type": "wallet.changed",
        "subscriber_id": "SUB-1001",
        "data": {},
        "created_at": "2026-11-25T10:00:00Z",
    }
    body = json.dumps(event).encode()
    signed = {"content-type": "application/json", "x-wispgate-signature": sign(SANDBOX_EVENTS_SECRET, body)}
    assert (await portal.client.post("/hooks/core", content=body, headers=signed)).json()[
        "result"
    ] == "published"
    assert (await portal.client.post("/hooks/core", content=body, headers=signed)).json()[
        "result"
    ] == "duplicate"
    forged = {**signed, "x-wispgate-signature": sign("another-secret-0123456789abcdef-xyz", body)}
    assert (await portal.client.post("/hooks/core", content=body, headers=forged)).status_code == 400
    unsigned = await portal.client.post(
        "/webhooks/gateway", content=b"{}", headers={"content-type": "application/json"}
    )
    assert unsigned.status_code == 400

    text = await scrape(portal)

    events = "wispgate_webhook_events_total"
    assert value(text, events, source="core", outcome="published") == 1
    assert value(text, events, source="core", outcome="duplicate") == 1
    assert value(text, events, source="core", outcome="bad_signature") == 1
    assert value(text, events, source="gateway", outcome="bad_signature") == 1


async def test_bus_lag_is_observed_at_delivery(portal: Portal) -> None:
    await portal.bus.publish(BusEvent(id="e1", type="wallet.changed", subscriber_id="SUB-1001"))
    text = await scrape(portal)
    assert value(text, "wispgate_bus_lag_seconds_count") == 1
    # In one process, publishing is delivery: the lag is under the smallest bucket's bound or close to it.
    assert value(text, "wispgate_bus_lag_seconds_bucket", le="0.1") == 1


async def test_bus_lag_through_redis(make_portal: Any, tmp_path: Path, redis_url: str) -> None:
    prefix = f"test:{secrets.token_hex(6)}:"
    portal: Portal = await make_portal(portal_settings(tmp_path, REDIS_URL=redis_url, REDIS_PREFIX=prefix))
    before = time.time()
    await portal.bus.publish(BusEvent(id="e1", type="wallet.changed", subscriber_id="SUB-1001"))
    async with asyncio.timeout(10):
        while value(await scrape(portal), "wispgate_bus_lag_seconds_count") != 1:  # noqa: ASYNC110 - delivered by the bus reader, seen only in /metrics
            await asyncio.sleep(0.02)
    text = await scrape(portal)
    observed = value(text, "wispgate_bus_lag_seconds_sum")
    assert observed is not None and 0 <= observed <= time.time() - before


async def test_backend_calls_and_breakers_reported_to_the_observer(portal: Portal) -> None:
    assert portal.app is not None
    calls = portal.app.state.metrics.calls
    calls.call_finished("billing", "POST /v1/invoices/batch", 0.012, "ok")
    calls.call_finished("billing", "POST /v1/invoices/batch", 3.0, "timeout")
    calls.call_finished("aaa", "GET /v1/status", 0.001, "circuit_open")
    calls.call_finished("aaa", "GET /v1/status", 0.001, "something new")
    calls.breaker_changed("aaa", "open")

    text = await scrape(portal)

    op = "POST /v1/invoices/batch"
    assert value(text, "wispgate_backend_call_seconds_count", backend="billing", operation=op) == 2
    assert (
        value(text, "wispgate_backend_call_seconds_bucket", backend="billing", operation=op, le="0.025") == 1
    )
    assert value(text, "wispgate_backend_calls_total", backend="billing", operation=op, outcome="ok") == 1
    assert (
        value(text, "wispgate_backend_calls_total", backend="billing", operation=op, outcome="timeout") == 1
    )
    status = "GET /v1/status"
    assert (
        value(text, "wispgate_backend_calls_total", backend="aaa", operation=status, outcome="circuit_open")
        == 1
    )
    assert value(text, "wispgate_backend_calls_total", backend="aaa", operation=status, outcome="other") == 1
    assert value(text, "wispgate_backend_breaker_state", backend="aaa", state="open") == 1
    assert value(text, "wispgate_backend_breaker_state", backend="aaa", state="closed") == 0
    assert value(text, "wispgate_backend_breaker_state", backend="crm", state="closed") == 1


# ------------------------------------------------------------------------------------------ WebSockets


@contextlib.asynccontextmanager
async def serving(app: Any) -> AsyncIterator[int]:
    """The app under a real uvicorn on a loopback port (WebSockets need a real server)."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", ws="websockets-sansio")
    )
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(10):
            while not server.started:  # noqa: ASYNC110 - uvicorn.Server offers only this flag
                await asyncio.sleep(0.01)
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        await task


async def test_open_websockets_are_counted(tmp_path: Path) -> None:
    app = create_app(portal_settings(tmp_path))
    async with serving(app) as port, httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:

        async def open_sockets() -> float | None:
            return value((await http.get("/metrics")).text, "wispgate_open_websockets")

        assert await open_sockets() == 0
        url = f"ws://127.0.0.1:{port}/graphql"
        async with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
            await ws.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await ws.recv()) == {"type": "connection_ack"}
            assert await open_sockets() == 1
        async with asyncio.timeout(10):
            while await open_sockets() != 0:  # noqa: ASYNC110 - the server notices the close on its own time
                await asyncio.sleep(0.02)
