"""The operations a page sends at once share identical backend reads when they come from one session, and
never across sessions (`adapters.wispgate.client.CoreClient`, `flight_scope` set by the GraphQL view).

The transport holds the CRM's subscriber reads until a second one arrives (or a generous few seconds pass,
which only happens when the two were shared), so "at once" does not depend on timing."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
from starlette.types import ASGIApp

from sandbox.app import Sandbox
from sandbox.world import DEMO_PASSWORD
from tests.harness.portal import LOGIN, Portal, portal_settings, start_portal
from tests.harness.transport import DispatchTransport

HOLD_S = 3.0
SUMMARY = "query S { viewer { subscriber { id financialSummary { outstanding { amount currency } } } } }"
SERVICES = "query V { viewer { subscriber { id subServices(first: 5) { totalCount nodes { id } } } } }"


class HeldSubscriberReads(DispatchTransport):
    def __init__(self, apps: Mapping[str, ASGIApp]) -> None:
        super().__init__(apps)
        self.subscriber_reads = 0
        self.second = asyncio.Event()
        self.holding = False  # from `hold()` on: the sign-ins before are not counted

    def hold(self) -> None:
        self.holding, self.subscriber_reads = True, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.holding and request.url.host == "crm.test" and request.url.path == "/v1/subscribers:batch":
            self.subscriber_reads += 1
            if self.subscriber_reads >= 2:
                self.second.set()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(HOLD_S):
                    await self.second.wait()
        return await super().handle_async_request(request)


async def _token(portal: Portal) -> str:
    variables = {"email": "ana@lima.example", "password": DEMO_PASSWORD, "delivery": "BODY"}
    login = await portal.client.post("/graphql", json={"query": LOGIN, "variables": variables})
    token: str = login.json()["data"]["login"]["accessToken"]
    return token


async def _at_once(portal: Portal, tokens: list[str]) -> list[dict[str, Any]]:
    async def one(query: str, token: str) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"}
        body: dict[str, Any] = (
            await portal.client.post("/graphql", json={"query": query}, headers=headers)
        ).json()
        return body

    return await asyncio.gather(one(SUMMARY, tokens[0]), one(SERVICES, tokens[1]))


async def test_one_sessions_operations_at_once_share_a_read(sandbox: Sandbox, tmp_path: Path) -> None:
    transport = HeldSubscriberReads.to(sandbox.systems)
    async with start_portal(portal_settings(tmp_path), transport) as portal:
        token = await _token(portal)
        transport.hold()
        answers = await _at_once(portal, [token, token])
    assert all("errors" not in a for a in answers), answers
    assert (
        answers[0]["data"]["viewer"]["subscriber"]["id"] == answers[1]["data"]["viewer"]["subscriber"]["id"]
    )
    assert transport.subscriber_reads == 1


async def test_two_sessions_never_share(sandbox: Sandbox, tmp_path: Path) -> None:
    transport = HeldSubscriberReads.to(sandbox.systems)
    async with start_portal(portal_settings(tmp_path), transport) as portal:
        tokens = [await _token(portal), await _token(portal)]
        transport.hold()
        answers = await _at_once(portal, tokens)
    assert all("errors" not in a for a in answers), answers
    assert transport.subscriber_reads == 2
