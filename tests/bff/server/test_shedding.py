"""Overload sheds, it does not stall: with MAX_IN_FLIGHT requests held inside the BFF (their backend reads
wait at a gate), the next request is answered 503 OVERLOADED with Retry-After, and nothing of it reaches a
backend; health and metrics still answer; once the held requests finish, requests are admitted again."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path

import httpx
from starlette.types import ASGIApp

from sandbox.app import Sandbox
from tests.harness.portal import portal_settings, start_portal
from tests.harness.transport import DispatchTransport

SUBSCRIBER = "{ viewer { subscriber { name } } }"


class GatedTransport(DispatchTransport):
    """Once `closed`, backend calls wait until `gate` is set; `held` is set when `hold` of them wait."""

    def __init__(self, apps: Mapping[str, ASGIApp], hold: int) -> None:
        super().__init__(apps)
        self.closed = False
        self.gate = asyncio.Event()
        self.held = asyncio.Event()
        self.hold = hold
        self.waiting = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.closed:
            self.waiting += 1
            if self.waiting >= self.hold:
                self.held.set()
            await self.gate.wait()
        return await super().handle_async_request(request)


async def test_past_the_cap_a_request_is_shed_before_anything_reaches_a_backend(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    cap = 2
    transport = GatedTransport({f"{s.name}.test": s.asgi() for s in sandbox.systems}, hold=cap)
    settings = portal_settings(tmp_path, MAX_IN_FLIGHT=str(cap))
    async with start_portal(settings, transport) as portal:
        ana = await portal.another().sign_in("ana@lima.example")
        # One session per held request: identical reads in flight within one session share a backend call.
        others = [await portal.another().sign_in("ana@lima.example") for _ in range(cap)]
        transport.closed = True
        held = [asyncio.create_task(other.post(SUBSCRIBER)) for other in others]
        async with asyncio.timeout(30):
            await transport.held.wait()  # each held request is inside the BFF, at a backend read
        calls_before = sum(transport.calls.values())

        async with asyncio.timeout(30):  # admitted, it would wait at the gate: fail, not hang
            shed = await ana.post(SUBSCRIBER)

        assert shed.status_code == 503
        assert shed.headers["retry-after"] == "1"
        assert shed.headers.get("x-request-id")  # still observed and logged
        assert shed.json()["errors"][0]["extensions"]["code"] == "OVERLOADED"
        assert "data" not in shed.json()
        assert sum(transport.calls.values()) == calls_before  # nothing reached a backend for it
        # Exempt while full: a busy process is alive and ready, says so in its metrics, and hears payments
        # (an unsigned event is refused by its endpoint, not shed).
        assert (await portal.client.get("/healthz")).status_code == 200
        webhook = await portal.client.post("/webhooks/gateway", content=b"{}")
        assert webhook.status_code not in (503, 200)
        metrics = await portal.client.get("/metrics")
        assert metrics.status_code == 200
        assert "wispgate_http_shed_requests_total 1.0" in metrics.text

        transport.gate.set()
        answers = await asyncio.gather(*held)
        assert [a.status_code for a in answers] == [200] * cap
        assert all(a.json()["data"]["viewer"]["subscriber"]["name"] for a in answers)
        after = await ana.post(SUBSCRIBER)  # the slots were given back
        assert after.status_code == 200


def test_max_in_flight_is_read_from_the_environment(tmp_path: Path) -> None:
    assert portal_settings(tmp_path).max_in_flight == 32
    assert portal_settings(tmp_path, MAX_IN_FLIGHT="8").max_in_flight == 8
