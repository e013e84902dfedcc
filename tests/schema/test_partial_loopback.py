"""Partial answers over real sockets: the sandbox served by `wispgate sandbox` on loopback, a fault proxy
(`tests.harness.faultproxy`) in front of each of its four systems, and the BFF calling them over real HTTP
with a 1 s read timeout (in-process transports ignore timeouts: docs in PITFALLS.md).

Each backend in turn refuses connections, hangs, or drops its answers; the web's dashboard operations must
then answer everything the other backends feed, with only the failed backend's fields null and a coded
error at each of their paths (`tests.schema.partial.compare` against the answer with every backend up).
The hung case also proves the answer is bounded by the backend's deadline, not by the backend: the bound
asserted is generous (a busy 2-core machine); `bench/partial.py` measures the real figures.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bff.core.settings import load_settings
from bff.server.app import create_app
from schema.core.node import decode_id
from tests.harness.faultproxy import FaultProxy, Mode
from tests.harness.portal import BASE_ENV, CLIENT_ADDRESS, Portal
from tests.harness.process import free_port, product_env, served, wispgate
from tests.harness.web_operations import web_operation
from tests.schema.partial import DASHBOARD_OPERATIONS, ENTERPRISE, SITE, compare, field_names, lost

BACKENDS = ("billing", "crm", "aaa", "oss")
SERVICE_KEY = "partial-loopback-service-key"
DEADLINE_S = 2.5  # per backend: a loaded CI machine made a healthy AAA read miss 1 s once
# Generous: several backend deadlines plus a busy machine. Without a deadline a hung backend never answers.
BOUND_S = 15.0
SITE_IDS = {"SS-2001-5", "SS-2001-6"}  # the SITE user's sites in the demo world


@pytest.fixture(scope="module")
def proxies() -> Iterator[dict[str, FaultProxy]]:
    """The sandbox on loopback and a fault proxy in front of each system (all passing at first)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = product_env(SANDBOX_SERVICE_KEY=SERVICE_KEY, SANDBOX_PUBLIC_URL=f"{base}/_sandbox")
    command = wispgate("sandbox", "--host", "127.0.0.1", "--port", str(port))
    with served(("wispgate sandbox", command, env, f"{base}/_sandbox/")):
        started = {name: FaultProxy("127.0.0.1", port).start() for name in BACKENDS}
        try:
            yield started
        finally:
            for proxy in started.values():
                proxy.stop()


@contextlib.asynccontextmanager
async def loopback_portal(proxies: dict[str, FaultProxy], tmp_path: Path) -> AsyncIterator[Portal]:
    """A BFF of its own (fresh loaders, clients and any breaker state) whose backends are the proxies."""
    env = {**BASE_ENV, "WEB_DIST": str(tmp_path / "dist")}
    for name, proxy in proxies.items():
        upper = name.upper()
        env[f"{upper}_URL"] = f"{proxy.url}/_sandbox/{name}"
        env[f"{upper}_API_KEY"] = SERVICE_KEY
        env[f"{upper}_READ_TIMEOUT_S"] = str(DEADLINE_S)
        env[f"{upper}_CONNECT_TIMEOUT_S"] = str(DEADLINE_S)
        env[f"{upper}_DEADLINE_S"] = str(DEADLINE_S)  # BASE_ENV's is for in-process backends
        # Short, so that the "back up" check below need not wait long for an opened breaker's probe.
        env[f"{upper}_BREAKER_COOLDOWN_S"] = "0.5"
    app = create_app(load_settings(env))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=CLIENT_ADDRESS)
        async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as client:
            yield Portal(client, app=app)


async def _answers(portal: Portal) -> dict[str, dict[str, Any]]:
    return {
        name: await portal.execute(web_operation(name), vars) for name, vars in DASHBOARD_OPERATIONS.items()
    }


@pytest.mark.parametrize("mode", [Mode.REFUSE, Mode.HANG, Mode.DROP], ids=lambda m: m.value)
@pytest.mark.parametrize("backend", BACKENDS)
async def test_the_dashboard_answers_around_a_failed_backend(
    proxies: dict[str, FaultProxy], tmp_path: Path, backend: str, mode: Mode
) -> None:
    async with loopback_portal(proxies, tmp_path) as portal:
        await portal.sign_in(ENTERPRISE)
        full = await _answers(portal)
        with proxies[backend].fault(mode):
            started = time.monotonic()
            async with asyncio.timeout(BOUND_S):
                partial = await _answers(portal)
            took = time.monotonic() - started
        failed = set().union(*(compare(full[op], partial[op], backend) for op in DASHBOARD_OPERATIONS))
        assert field_names(failed) == lost(backend, ENTERPRISE), (mode, took)
        # Back up: the same portal answers in full again once its breaker lets a probe through (nothing of
        # the outage outlives it).
        async with asyncio.timeout(BOUND_S):
            again = await _answers(portal)
            while any("errors" in answer for answer in again.values()):
                await asyncio.sleep(0.2)
                again = await _answers(portal)
        for op in DASHBOARD_OPERATIONS:
            assert compare(full[op], again[op], backend) == set()


# What a subscriber opens the portal for: the services, whether they work, what they used, what is owed.
SERVICES_USAGE_INVOICES = """{ viewer { subscriber {
  accountNumber
  subServices(first: 50) { totalCount nodes { id label kind location status usage { downloadBytes } } }
  invoices(first: 5) { totalCount nodes { number status subService { id label } } }
} } }"""


@pytest.mark.parametrize("mode", [Mode.REFUSE, Mode.HANG, Mode.DROP], ids=lambda m: m.value)
@pytest.mark.parametrize("email", [ENTERPRISE, SITE])
async def test_crm_down_a_signed_in_user_still_sees_services_usage_and_invoices(
    proxies: dict[str, FaultProxy], tmp_path: Path, email: str, mode: Mode
) -> None:
    """The CRM refuses, hangs or drops every answer: the services are Billing's list (same ids, labels and
    kinds), each with its AAA status and OSS usage, and the invoices are there; a SITE user's list is their
    sites only (the token carries them). Nothing is missing, so nothing is reported."""
    async with loopback_portal(proxies, tmp_path) as portal:
        await portal.sign_in(email)
        full = await portal.execute(SERVICES_USAGE_INVOICES)
        with proxies["crm"].fault(mode):
            async with asyncio.timeout(BOUND_S):
                partial = await portal.execute(SERVICES_USAGE_INVOICES)
    assert "errors" not in full and "errors" not in partial, partial.get("errors")
    me, was = partial["data"]["viewer"]["subscriber"], full["data"]["viewer"]["subscriber"]

    # Today's usage includes the live sessions' bytes, which grow between the two reads: present and not less.
    def without_usage(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: v for k, v in n.items() if k != "usage"} for n in nodes]

    used = [n["usage"]["downloadBytes"] for n in me["subServices"]["nodes"]]
    used_before = [n["usage"]["downloadBytes"] for n in was["subServices"]["nodes"]]
    assert all(now >= before > 0 for now, before in zip(used, used_before, strict=True))
    assert me["subServices"]["totalCount"] == was["subServices"]["totalCount"]
    assert without_usage(me["subServices"]["nodes"]) == without_usage(was["subServices"]["nodes"])
    # Northwind is invoiced consolidated: its SITE user sees no invoice (only per-site ones), its owner all.
    assert me["invoices"] == was["invoices"] and (email == SITE or me["invoices"]["nodes"])
    assert me["accountNumber"] == was["accountNumber"]  # Billing's copy
    services = me["subServices"]["nodes"]
    assert services and all(s["status"] and s["usage"]["downloadBytes"] >= 0 for s in services)
    ids = {decode_id(s["id"])[1] for s in services}
    if email == SITE:
        assert ids == SITE_IDS and me["subServices"]["totalCount"] == len(SITE_IDS)
    else:
        assert len(ids) == me["subServices"]["totalCount"] == 10
