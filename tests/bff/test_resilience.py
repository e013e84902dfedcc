"""The whole BFF with one backend hung, over real sockets: the sandbox served by `wispgate sandbox`, a fault
proxy in front of each core system, the app in-process with its production HTTP clients.

- a hung backend costs a dashboard query at most that backend's deadline (a generous bound: the machine
  is shared), and the query still answers, with BACKEND_UNAVAILABLE for what that backend feeds;
- once the backend's breaker is open, the next queries do not reach it at all (connections counted at its
  proxy), and their errors say so;
- when the backend is back, after the cool-down one probe closes the breaker and queries answer in full.

Timing figures (p50/p99) are measured by `bench/resilience.py`, not asserted here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.resilience.breaker import State
from adapters.resilience.guard import Guard
from bff.core.settings import BACKENDS, load_settings
from bff.server.app import create_app
from tests.harness.faultproxy import FaultProxy, Mode
from tests.harness.portal import BASE_ENV, BASE_URL, CLIENT_ADDRESS, Portal
from tests.harness.process import free_port, product_env, served, wispgate

SERVICE_KEY = "resilience-service-key"
DEADLINE_S = 1.0
FAILURES = 3
GENEROUS_S = DEADLINE_S + 10.0  # a bound, not a measurement: the machine is shared
USER = "ana@lima.example"

DASHBOARD = """
query Dashboard {
  viewer {
    subscriber {
      id name
      financialSummary { outstanding { amount currency } walletBalance { amount currency } nextDueOn }
      subServices(first: 24) {
        totalCount
        nodes {
          id label kind status statusReason
          profile { planName downMbps upMbps }
          liveSession { online }
          devices { id online }
          billing { prepaid outstanding { amount currency } }
        }
      }
    }
  }
}
"""


@dataclass
class Rig:
    sandbox: str
    proxies: dict[str, FaultProxy]


@pytest.fixture(scope="module")
def rig() -> Iterator[Rig]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = product_env(SANDBOX_SERVICE_KEY=SERVICE_KEY)
    with served(("wispgate sandbox", wispgate("sandbox", "--port", str(port)), env, f"{url}/_sandbox/")):
        proxies = {name: FaultProxy("127.0.0.1", port).start() for name in BACKENDS}
        try:
            yield Rig(url, proxies)
        finally:
            for proxy in proxies.values():
                proxy.stop()


@pytest.fixture
async def portal(rig: Rig, tmp_path: Path) -> AsyncIterator[Portal]:
    for proxy in rig.proxies.values():
        proxy.set(Mode.PASS)
    env = {**BASE_ENV, "WEB_DIST": str(tmp_path / "dist")}
    for name, proxy in rig.proxies.items():
        prefix = name.upper()
        env |= {
            f"{prefix}_URL": f"{proxy.url}/_sandbox/{name}",
            f"{prefix}_API_KEY": SERVICE_KEY,
            f"{prefix}_DEADLINE_S": str(DEADLINE_S),
            # One attempt's timeouts far beyond the deadline: only the deadline may end a hung call.
            f"{prefix}_READ_TIMEOUT_S": "30",
            f"{prefix}_BREAKER_FAILURES": str(FAILURES),
            f"{prefix}_BREAKER_COOLDOWN_S": "3600",
        }
    app = create_app(load_settings(env))  # no transport given: the production clients, real sockets
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=CLIENT_ADDRESS)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, timeout=60) as client:
            yield await Portal(client, app=app).sign_in(USER)


def guard_of(portal: Portal, backend: str) -> Guard:
    assert portal.app is not None
    guard: Guard = portal.app.state.backends.guards[backend]
    return guard


def codes(payload: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in payload.get("errors", [])]


def messages(payload: dict[str, Any]) -> str:
    return " ".join(e.get("message", "") for e in payload.get("errors", []))


async def settled(proxy: FaultProxy) -> int:
    """The proxy's connection count once it stops moving: calls of an answered query may still be under
    way (a field's error ends the answer, not its siblings' calls), and the proxy counts in its own thread."""
    count = -1
    while count != proxy.connections:
        count = proxy.connections
        await asyncio.sleep(0.3)
    return count


async def until(condition: Callable[[], bool]) -> None:
    """Poll `condition` for a generous while (what is awaited runs in background tasks of the app)."""
    for _ in range(int(GENEROUS_S / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)


async def timed(portal: Portal) -> tuple[dict[str, Any], float]:
    started = time.monotonic()
    payload = await portal.execute(DASHBOARD)
    return payload, time.monotonic() - started


async def test_the_dashboard_answers_in_full_when_nothing_fails(portal: Portal, rig: Rig) -> None:
    payload = await portal.execute(DASHBOARD)
    assert "errors" not in payload, payload
    assert payload["data"]["viewer"]["subscriber"]["subServices"]["totalCount"] >= 1
    assert all(guard_of(portal, b).breaker.state is State.CLOSED for b in BACKENDS)


@pytest.mark.parametrize("backend", ["billing", "aaa", "oss"])
async def test_a_hung_backend_costs_its_deadline_then_is_not_reached(
    portal: Portal, rig: Rig, backend: str
) -> None:
    proxy = rig.proxies[backend]
    proxy.set(Mode.HANG)

    payload, seconds = await timed(portal)
    assert "BACKEND_UNAVAILABLE" in codes(payload), payload
    assert seconds < GENEROUS_S
    assert proxy.connections > 0  # it was asked, and did not answer

    for _ in range(FAILURES):  # each query's calls to it time out until its breaker opens
        if guard_of(portal, backend).breaker.state is State.OPEN:
            break
        await portal.execute(DASHBOARD)
    assert guard_of(portal, backend).breaker.state is State.OPEN

    reached = await settled(proxy)
    for _ in range(10):
        payload, seconds = await timed(portal)
        assert "BACKEND_UNAVAILABLE" in codes(payload), payload
        assert seconds < GENEROUS_S
    assert await settled(proxy) == reached  # ten dashboards, not one connection to the hung backend
    others = [b for b in BACKENDS if b != backend]
    assert all(guard_of(portal, b).breaker.state is State.CLOSED for b in others)

    # What an operator sees: the breaker's state and the calls it refused, by backend.
    metrics = (await portal.client.get("/metrics")).text
    assert f'wispgate_backend_breaker_state{{backend="{backend}",state="open"}} 1.0' in metrics
    assert f'backend="{backend}"' in metrics and 'outcome="circuit_open"' in metrics
    assert 'outcome="timeout"' in metrics
    health = (await portal.client.get("/healthz/backends")).json()["backends"]
    assert health[backend]["breaker"] == "open" and health[backend]["reachable"] is False


async def test_the_breaker_closes_again_when_the_backend_is_back(portal: Portal, rig: Rig) -> None:
    proxy = rig.proxies["billing"]
    breaker = guard_of(portal, "billing").breaker
    proxy.set(Mode.REFUSE)
    for _ in range(FAILURES + 1):
        if breaker.state is State.OPEN:
            break
        await portal.execute(DASHBOARD)
    assert breaker.state is State.OPEN

    proxy.set(Mode.PASS)
    refused = await settled(proxy)
    payload = await portal.execute(DASHBOARD)
    assert "BACKEND_UNAVAILABLE" in codes(payload) and await settled(proxy) == refused  # still open

    # The cool-down, without waiting an hour: the breaker's clock is moved on.
    now = time.monotonic()
    breaker._clock = lambda: now + 3600
    assert breaker.state is State.HALF_OPEN

    await portal.execute(DASHBOARD)  # its other Billing calls fail at once while the probe is out
    await until(lambda: breaker.state is State.CLOSED)
    assert breaker.state is State.CLOSED  # the probe went through and closed it…
    assert proxy.connections > refused
    payload = await portal.execute(DASHBOARD)
    assert "errors" not in payload, payload
