"""The graph under test: the real BFF app (`create_app`) over the combined sandbox, in-process.

The sandbox is seeded once per session (and per bench size): these tests only read. Every test gets its own
app (fresh sessions, rate limits and dataloaders) and a transport that counts backend requests per system.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from bff.core.settings import Settings, load_settings
from bff.server.app import create_app
from sandbox.app import Sandbox, build_sandbox
from sandbox.settings import SandboxSettings
from tests.harness.transport import DispatchTransport

PASSWORD = "wispgate-demo"
ENV = {
    "WISPGATE_ENV": "development",
    "BILLING_URL": "http://billing.test",
    "CRM_URL": "http://crm.test",
    "AAA_URL": "http://aaa.test",
    "OSS_URL": "http://oss.test",
    "JWT_SECRET": "schema-tests-jwt-secret-0123456789abcdef",
    "FILES_SIGNING_KEY": "schema-tests-files-key-0123456789abcdef",
}
LOGIN = """
mutation($email: String!, $password: String!) {
  login(input: {email: $email, password: $password, tokenDelivery: BODY}) {
    accessToken
    userErrors { code message }
  }
}
"""


class Portal:
    """A client of one running BFF app, logged in (bearer) or anonymous, counting backend calls."""

    def __init__(self, client: httpx.AsyncClient, transport: DispatchTransport) -> None:
        self.client = client
        self.transport = transport
        self.token: str | None = None

    async def login(self, email: str) -> Portal:
        result = await self.execute(LOGIN, {"email": email, "password": PASSWORD})
        login = result["data"]["login"]
        assert login["userErrors"] == [], login
        self.token = login["accessToken"]
        return self

    async def execute(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        payload: dict[str, Any] = response.json()
        return payload

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The `data` of a query that must succeed without errors."""
        payload = await self.execute(query, variables)
        assert "errors" not in payload, payload["errors"]
        data: dict[str, Any] = payload["data"]
        return data

    def calls(self) -> int:
        return sum(self.transport.calls.values())


def _build(today: date, bench: int = 0) -> Sandbox:
    return build_sandbox(SandboxSettings(today=today, bench_subservices=bench))


@pytest.fixture(scope="session")
def sandbox(today: date) -> Iterator[Sandbox]:
    built = _build(today)
    yield built
    built.close()


@pytest.fixture(scope="session")
def bench_sandboxes(today: date) -> Iterator[Callable[[int], Sandbox]]:
    """`bench_sandboxes(n)`: a sandbox whose bench subscriber has `n` sub-services (built once per n)."""
    built: dict[int, Sandbox] = {}

    def get(n: int) -> Sandbox:
        if n not in built:
            built[n] = _build(today, n)
        return built[n]

    yield get
    for s in built.values():
        s.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings({**ENV, "WEB_DIST": str(tmp_path / "dist")})


@pytest.fixture
async def make_portal(settings: Settings) -> AsyncIterator[Callable[[Sandbox], Any]]:
    """`await make_portal(sandbox)`: a started BFF app over `sandbox` and an anonymous client of it."""
    async with contextlib.AsyncExitStack() as stack:

        async def start(sandbox: Sandbox) -> Portal:
            transport = DispatchTransport({f"{s.name}.test": s.asgi() for s in sandbox.systems})
            app = create_app(settings, backends_transport=transport)
            await stack.enter_async_context(app.router.lifespan_context(app))
            client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://portal.test")
            await stack.enter_async_context(client)
            return Portal(client, transport)

        yield start


@pytest.fixture
async def portal(make_portal: Callable[[Sandbox], Any], sandbox: Sandbox) -> Portal:
    started: Portal = await make_portal(sandbox)
    return started


@pytest.fixture
def login(portal: Portal) -> Callable[[str], Any]:
    """`await login(email)`: the portal, logged in as that seeded user."""
    return portal.login
