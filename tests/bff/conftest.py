"""The BFF under test: the real app (`create_app`) over the real sandbox systems, in-process.

The four systems are seeded once per session into a template directory; every test gets a fresh copy, so
tests may change data (disable a user, revoke sessions) without affecting each other.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from bff.core.auth.cookies import CSRF_COOKIE
from bff.core.settings import Settings, load_settings
from bff.server.app import create_app
from sandbox.aaa.system import AaaSystem
from sandbox.billing.system import BillingSystem
from sandbox.common.system import System, SystemConfig
from sandbox.crm.system import CrmSystem
from sandbox.oss.system import OssSystem
from sandbox.world import DEMO_PASSWORD, World
from tests.harness.transport import DispatchTransport

JWT_SECRET = "test-jwt-secret-0123456789abcdef-0123456789"
FILES_KEY = "test-files-key-0123456789abcdef-0123456789"
BASE_ENV = {
    "WISPGATE_ENV": "development",
    "BILLING_URL": "http://billing.test",
    "CRM_URL": "http://crm.test",
    "AAA_URL": "http://aaa.test",
    "OSS_URL": "http://oss.test",
    "JWT_SECRET": JWT_SECRET,
    "FILES_SIGNING_KEY": FILES_KEY,
}

LOGIN = """
mutation Login($email: String!, $password: String!, $delivery: TokenDelivery!) {
  login(input: {email: $email, password: $password, tokenDelivery: $delivery}) {
    viewer { user { id email name role } role canManageBilling }
    accessToken refreshToken accessTokenExpiresAt
    userErrors { field message code }
  }
}
"""
VIEWER = "query { viewer { user { id email role } role canManageBilling } }"


@dataclass
class Systems:
    billing: BillingSystem
    crm: CrmSystem
    aaa: AaaSystem
    oss: OssSystem

    @property
    def all(self) -> list[System]:
        return [self.billing, self.crm, self.aaa, self.oss]


def _open(data_dir: Path, today: Any) -> Systems:
    def config(name: str) -> SystemConfig:
        return SystemConfig(db_path=str(data_dir / f"{name}.sqlite3"))

    return Systems(
        billing=BillingSystem(config("billing"), today=today),
        crm=CrmSystem(config("crm"), attachments_dir=data_dir / "attachments"),
        aaa=AaaSystem(config("aaa")),
        oss=OssSystem(config("oss")),
    )


@pytest.fixture(scope="session")
def sandbox_template(tmp_path_factory: pytest.TempPathFactory, world: World) -> Path:
    data_dir = tmp_path_factory.mktemp("bff-sandbox")
    systems = _open(data_dir, world.today)
    for system in systems.all:
        system.seed(world)  # type: ignore[attr-defined]
        system.db.close()
    return data_dir


@pytest.fixture
def systems(sandbox_template: Path, tmp_path: Path, world: World) -> Iterator[Systems]:
    data_dir = tmp_path / "sandbox"
    shutil.copytree(sandbox_template, data_dir)
    opened = _open(data_dir, world.today)
    yield opened
    for system in opened.all:
        system.db.close()


@pytest.fixture
def transport(systems: Systems) -> DispatchTransport:
    return DispatchTransport({f"{s.name}.test": s.asgi() for s in systems.all})


def make_settings(tmp_path: Path, **env: str) -> Settings:
    return load_settings({**BASE_ENV, "WEB_DIST": str(tmp_path / "dist"), **env})


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


class Portal:
    """An HTTP client of the running app, with helpers for GraphQL calls."""

    def __init__(self, app: Starlette, client: httpx.AsyncClient) -> None:
        self.app = app
        self.client = client

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        csrf: bool = True,
        bearer: str | None = None,
    ) -> httpx.Response:
        headers: dict[str, str] = {}
        if csrf and self.client.cookies.get(CSRF_COOKIE):
            headers["X-CSRF-Token"] = self.client.cookies[CSRF_COOKIE]
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        body = {"query": query, "variables": variables or {}}
        return await self.client.post("/graphql", json=body, headers=headers)

    async def gql(self, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        response = await self.post(query, variables, **kw)
        assert response.status_code == 200, response.text
        payload: dict[str, Any] = response.json()
        return payload

    async def login(
        self, email: str, password: str = DEMO_PASSWORD, delivery: str = "COOKIE", **kw: Any
    ) -> dict[str, Any]:
        payload = await self.gql(LOGIN, {"email": email, "password": password, "delivery": delivery}, **kw)
        result: dict[str, Any] = payload["data"]["login"]
        return result


@pytest.fixture
async def make_portal(
    transport: DispatchTransport,
) -> AsyncIterator[Any]:
    """Factory: `await make_portal(settings)` → a started app and its client (stopped at teardown)."""
    stacks: list[Any] = []

    async def start(settings: Settings) -> Portal:
        import contextlib

        stack = contextlib.AsyncExitStack()
        app = create_app(settings, backends_transport=transport)
        await stack.enter_async_context(app.router.lifespan_context(app))
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("203.0.113.7", 50000)),
            base_url="http://portal.test",
        )
        await stack.enter_async_context(client)
        stacks.append(stack)
        return Portal(app, client)

    yield start
    for stack in reversed(stacks):
        await stack.aclose()


@pytest.fixture
async def portal(make_portal: Any, settings: Settings) -> Portal:
    result: Portal = await make_portal(settings)
    return result
