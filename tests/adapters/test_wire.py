"""The two wires under `CoreClient` (`adapters.wispgate.wire`) over a real loopback server: the production one
(`RawWire`, our own HTTP/1.1 connections) must send what the httpx one sends and map every answer and failure the same way.

The server records each request it gets; the faults come from `tests.harness.faultproxy` (refuse, hang,
drop), since only sockets show what a transport does with them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import orjson
import pytest

from adapters.errors import NotFound, Rejected, TimedOut, Unavailable
from adapters.resilience.guard import Guard, Policy
from adapters.resilience.retry import RetryPolicy
from adapters.wispgate.client import BackendConfig, CoreClient, make_http_client
from adapters.wispgate.rawwire import RawWire
from adapters.wispgate.wire import HttpxWire, Wire, query_string
from tests.harness.faultproxy import FaultProxy, Mode
from tests.harness.live_app import serving

Seen = dict[str, Any]


def recorder(seen: list[Seen]) -> Any:
    """An ASGI app that keeps each request and answers by path: /ok JSON, /missing 404 with a coded error,
    /refused 422 with one, /bare 409 with no body, /broken 503."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        seen.append(
            {
                "method": scope["method"],
                "path": scope["path"],
                "query": scope["query_string"].decode(),
                "headers": headers,
                "body": body,
            }
        )
        status, answer = {
            "/v1/missing": (404, {"error": {"code": "NOT_FOUND", "message": "no invoice INV-9"}}),
            "/v1/refused": (422, {"error": {"code": "AMOUNT_TOO_LARGE", "message": "over the limit"}}),
            "/v1/bare": (409, None),
            "/v1/broken": (503, {"error": {"code": "DOWN", "message": "maintenance"}}),
        }.get(scope["path"].removeprefix("/base"), (200, {"ok": True, "path": scope["path"]}))
        content = b"" if answer is None else orjson.dumps(answer)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": content})

    return app


def raw_wire(
    base_url: str, config: BackendConfig, stamp: Callable[[dict[str, str]], None] | None = None
) -> Wire:
    return RawWire(
        "billing",
        base_url,
        {"x-api-key": config.api_key, "accept": "application/json"},
        connect_timeout_s=config.connect_timeout_s,
        read_timeout_s=config.read_timeout_s,
        max_connections=config.max_connections,
        stamp=stamp,
    )


@contextlib.asynccontextmanager
async def both_wires(base_url: str, **timeouts: float) -> AsyncIterator[dict[str, CoreClient]]:
    """A `CoreClient` per wire, each retrying nothing, for the same backend URL."""
    config = BackendConfig(base_url=base_url, api_key="k-123", **timeouts)
    policy = Policy(deadline_s=10, retry=RetryPolicy(retries=0))
    async with make_http_client(config) as http:
        fast = raw_wire(base_url, config)
        try:
            yield {
                "httpx": CoreClient(
                    "billing", http, Guard("billing", policy), wire=HttpxWire("billing", http)
                ),
                "raw": CoreClient("billing", http, Guard("billing", policy), wire=fast),
            }
        finally:
            await fast.aclose()


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, list[Seen]]]:
    seen: list[Seen] = []
    async with serving(recorder(seen)) as port:
        yield f"http://127.0.0.1:{port}/base", seen


def test_query_strings_are_spelt_as_httpx_spells_them() -> None:
    params = {
        "status": ["OPEN", "WAITING"],
        "limit": 20,
        "paid": True,
        "late": False,
        "after": None,
        "q": "a b&c",
    }
    assert query_string(params) == str(httpx.QueryParams(params))


async def test_both_wires_send_the_same_request(server: tuple[str, list[Seen]]) -> None:
    base_url, seen = server
    params = {"status": ["OPEN", "WAITING"], "limit": 20, "paid": True, "q": "a b&c"}
    async with both_wires(base_url) as clients:
        answers = [
            await c.call("POST", "/v1/tickets:batch", json_body={"ids": ["T-1"], "note": "é"}, params=params)
            for c in clients.values()
        ]
    assert answers[0] == answers[1] == {"ok": True, "path": "/base/v1/tickets:batch"}
    by_httpx, by_raw = seen
    for part in ("method", "path", "query", "body"):
        assert by_httpx[part] == by_raw[part], part
    assert orjson.loads(by_raw["body"]) == {"ids": ["T-1"], "note": "é"}
    for header in ("x-api-key", "accept", "content-type"):
        assert by_httpx["headers"][header] == by_raw["headers"][header], header
    assert by_raw["headers"]["x-api-key"] == "k-123"
    assert by_raw["headers"]["content-type"] == "application/json"


async def test_the_stamp_adds_headers_per_call(server: tuple[str, list[Seen]]) -> None:
    base_url, seen = server
    config = BackendConfig(base_url=base_url, api_key="k")
    ids = iter(["req-1", "req-2"])
    wire = raw_wire(base_url, config, stamp=lambda headers: headers.update({"x-request-id": next(ids)}))
    try:
        await wire.send("GET", "/v1/a")
        await wire.send("GET", "/v1/b", headers={"Idempotency-Key": "idem-1"})
    finally:
        await wire.aclose()
    assert [s["headers"]["x-request-id"] for s in seen] == ["req-1", "req-2"]
    assert seen[1]["headers"]["idempotency-key"] == "idem-1"


@pytest.mark.parametrize("name", ["httpx", "raw"])
async def test_answers_map_to_the_same_errors(server: tuple[str, list[Seen]], name: str) -> None:
    base_url, _ = server
    async with both_wires(base_url) as clients:
        client = clients[name]
        with pytest.raises(NotFound) as missing:
            await client.call("GET", "/v1/missing")
        with pytest.raises(Rejected) as refused:
            await client.call("POST", "/v1/refused", json_body={"amount": "1"})
        with pytest.raises(Rejected) as bare:
            await client.call("POST", "/v1/bare", json_body={})
        with pytest.raises(Unavailable) as broken:
            await client.call("GET", "/v1/broken")
    assert missing.value.message == "no invoice INV-9"
    assert (refused.value.code, refused.value.message, refused.value.status) == (
        "AMOUNT_TOO_LARGE",
        "over the limit",
        422,
    )
    assert (bare.value.code, bare.value.status) == ("HTTP_409", 409) and bare.value.message == "Conflict"
    assert "answered 503" in broken.value.message and broken.value.reason == "unavailable"


@pytest.mark.parametrize("name", ["httpx", "raw"])
@pytest.mark.parametrize("mode", [Mode.REFUSE, Mode.DROP])
async def test_a_backend_that_refuses_or_drops_is_unavailable(name: str, mode: Mode) -> None:
    proxy = FaultProxy("127.0.0.1", 9).start()  # discard port: nothing must get through anyway
    proxy.set(mode)
    try:
        async with both_wires(proxy.url) as clients:
            with pytest.raises(Unavailable) as failed:
                await clients[name].call("GET", "/v1/subscribers/SUB-1/wallet")
    finally:
        proxy.stop()
    assert not isinstance(failed.value, TimedOut)
    assert (
        failed.value.backend == "billing"
        and "GET /v1/subscribers/SUB-1/wallet failed" in failed.value.message
    )


@pytest.mark.parametrize("name", ["httpx", "raw"])
async def test_a_hung_read_ends_at_the_read_timeout(name: str) -> None:
    proxy = FaultProxy("127.0.0.1", 9).start()
    proxy.set(Mode.HANG)
    try:
        async with both_wires(proxy.url, read_timeout_s=0.2) as clients:
            with pytest.raises(TimedOut) as hung:
                await asyncio.wait_for(clients[name].call("GET", "/v1/x"), timeout=10)
    finally:
        proxy.stop()
    assert hung.value.reason == "timeout" and "GET /v1/x timed out" in hung.value.message
