"""`Portal`: the one test client of the BFF, speaking GraphQL over HTTP as the web app and a mobile client do.

Signed in either way the product offers:
- cookies (`login()`, COOKIE delivery unless told otherwise): the client keeps the httpOnly cookies and echoes
  the readable CSRF cookie in `X-CSRF-Token` on every `post`, as the web app does;
- a bearer token (`sign_in()`, BODY delivery): the token goes in `Authorization` on every later request, as a
  mobile client sends it. `post(..., bearer=...)` sends a given token instead.

`start_portal()` runs the real app (`create_app`, lifespan and all) in-process under httpx's ASGITransport,
its backends behind a `DispatchTransport` whose per-host request counts tests read (`portal.transport`). The
same client also talks to a real server on loopback (`Portal(httpx.AsyncClient(base_url=...))`, the
two-instance cluster), where it has no app or transport of its own.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette

from bff.core.auth.cookies import CSRF_COOKIE
from bff.core.bus import EventBus
from bff.core.settings import SANDBOX_EVENTS_SECRET, Settings, load_settings
from bff.server.app import create_app
from sandbox.world import DEMO_PASSWORD
from tests.harness.transport import DispatchTransport

# Every core system at the host `DispatchTransport.to()` serves it on; the gateway only where a test adds
# GATEWAY_URL (without it the BFF neither checks nor offers payments).
BASE_ENV = {
    "WISPGATE_ENV": "development",
    "BILLING_URL": "http://billing.test",
    "CRM_URL": "http://crm.test",
    "AAA_URL": "http://aaa.test",
    "OSS_URL": "http://oss.test",
    "JWT_SECRET": "test-jwt-secret-0123456789abcdef-0123456789",
    "FILES_SIGNING_KEY": "test-files-key-0123456789abcdef-0123456789",
    # The sandbox's (what development uses anyway); production refuses to start without one.
    "CORE_EVENTS_SECRET": SANDBOX_EVENTS_SECRET,
    # In-process backends run their work on the test's own event loop, so a call's wall time is the whole
    # loop's (a 500-sub-service page on a busy machine): deadlines are tested over loopback sockets instead
    # (tests/bff/test_resilience.py), here they only must not fire.
    **{f"{system}_DEADLINE_S": "30" for system in ("BILLING", "CRM", "AAA", "OSS")},
}
GATEWAY_URL = "http://gateway.test"
BASE_URL = "http://portal.test"
# Where in-process requests come from: a documentation address, so the access log and the per-address rate
# limits see one stable client.
CLIENT_ADDRESS = ("203.0.113.7", 50000)

LOGIN = """
mutation Login($email: String!, $password: String!, $delivery: TokenDelivery!) {
  login(input: {email: $email, password: $password, tokenDelivery: $delivery}) {
    viewer { user { id email name role } role canManageBilling }
    accessToken refreshToken accessTokenExpiresAt retryAfterSeconds
    userErrors { field message code }
  }
}
"""
VIEWER = "query { viewer { user { id email role } role canManageBilling } }"


def portal_settings(tmp_path: Path, **env: str) -> Settings:
    """The BFF's settings for an in-process test: `BASE_ENV`, no web build, and `env` on top."""
    return load_settings({**BASE_ENV, "WEB_DIST": str(tmp_path / "dist"), **env})


class Portal:
    """A client of one running BFF: raw `post`s, GraphQL payloads, and both ways of signing in."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        app: Starlette | None = None,
        transport: DispatchTransport | None = None,
    ) -> None:
        self.client = client
        self.app = app
        self.transport = transport
        self.token: str | None = None  # sent as a bearer on every request once `sign_in` set it
        self._others: list[httpx.AsyncClient] = []

    # -- requests ----------------------------------------------------------------------------------------

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        csrf: bool = True,
        bearer: str | None = None,
    ) -> httpx.Response:
        """POST one operation to /graphql and return the raw response. Sends the CSRF cookie back as the
        header (unless `csrf=False`) and `bearer`, or the signed-in token, as `Authorization`."""
        headers: dict[str, str] = {}
        if csrf and self.client.cookies.get(CSRF_COOKIE):
            headers["X-CSRF-Token"] = self.client.cookies[CSRF_COOKIE]
        token = bearer or self.token
        if token:
            headers["Authorization"] = f"Bearer {token}"
        body = {"query": query, "variables": variables or {}}
        return await self.client.post("/graphql", json=body, headers=headers)

    async def execute(self, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        """The whole GraphQL payload (`data` and any `errors`) of an operation answered with HTTP 200."""
        response = await self.post(query, variables, **kw)
        assert response.status_code == 200, response.text
        payload: dict[str, Any] = response.json()
        return payload

    async def data(self, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        """The `data` of an operation that must succeed without errors."""
        payload = await self.execute(query, variables, **kw)
        assert "errors" not in payload, payload["errors"]
        data: dict[str, Any] = payload["data"]
        return data

    # -- signing in --------------------------------------------------------------------------------------

    async def login(
        self, email: str, password: str = DEMO_PASSWORD, delivery: str = "COOKIE", **kw: Any
    ) -> dict[str, Any]:
        """Run the login mutation and return its payload, whatever it says (tests of logging in itself)."""
        variables = {"email": email, "password": password, "delivery": delivery}
        payload = await self.execute(LOGIN, variables, **kw)
        result: dict[str, Any] = payload["data"]["login"]
        return result

    async def sign_in(self, email: str, password: str = DEMO_PASSWORD) -> Portal:
        """Log in with a bearer token that every later request carries; the login must succeed."""
        result = await self.login(email, password, delivery="BODY")
        assert result["userErrors"] == [], result
        self.token = result["accessToken"]
        return self

    # -- the app behind it -------------------------------------------------------------------------------

    def another(self, client: tuple[str, int] = CLIENT_ADDRESS) -> Portal:
        """A second client of the same in-process app (cookies and token of its own), as a second browser
        or device of another user would be, connecting from `client`. Closed with this one."""
        assert self.app is not None, "only an in-process portal can open another client of its app"
        http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app, client=client), base_url=BASE_URL
        )
        self._others.append(http)
        return Portal(http, app=self.app, transport=self.transport)

    @property
    def bus(self) -> EventBus:
        """The app's event bus (what its subscriptions listen to)."""
        assert self.app is not None, "a portal on loopback has no app in this process"
        bus: EventBus = self.app.state.bus
        return bus

    async def aclose(self) -> None:
        for client in self._others:
            await client.aclose()
        await self.client.aclose()


@contextlib.asynccontextmanager
async def start_portal(settings: Settings, transport: DispatchTransport) -> AsyncIterator[Portal]:
    """The app over `transport`'s backends, its lifespan running, and a client of it; stopped on exit."""
    app = create_app(settings, backends_transport=transport)
    async with app.router.lifespan_context(app):
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=CLIENT_ADDRESS), base_url=BASE_URL
        )
        portal = Portal(client, app=app, transport=transport)
        try:
            yield portal
        finally:
            await portal.aclose()


MakePortal = Callable[..., Awaitable[Portal]]
"""The `make_portal` fixture: `await make_portal(settings=None, *, sandbox=None)`."""
SignIn = Callable[[str], Awaitable[Portal]]
"""The `sign_in` fixture: `await sign_in(email)`, a client of the test's app signed in as that user."""
