"""Helpers the money tests share (no tests here): the real BFF app over the four core systems AND the sandbox
gateway, in-process; a subscriber's browser on the gateway's hosted page; the gateway's own webhook deliveries
(its outbox POSTs to the app through a transport) or a chosen event's body, signed as the gateway signs it."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from adapters.wispgate.signing import sign
from bff.core.auth.viewer import Viewer
from bff.core.backends import Backends, open_backends
from bff.core.bus import BusEvent, EventBus
from bff.core.settings import Settings
from bff.server.app import create_app
from sandbox.gateway.system import GatewayConfig, GatewaySystem
from tests.bff.conftest import Systems, make_settings
from tests.harness.transport import DispatchTransport

PORTAL = "http://portal.test"
GATEWAY = "http://gateway.test"
WEBHOOK_SECRET = GatewayConfig().webhook_secret
GOOD_CARD = "4242 4242 4242 4242"

VIEWERS = {
    "SUB-1001": Viewer("USR-1", "ana@lima.example", "Ana Lima", "OWNER", "SUB-1001", frozenset(), "s1"),
    "SUB-1002": Viewer("USR-2", "ben@okafor.example", "Ben Okafor", "OWNER", "SUB-1002", frozenset(), "s2"),
    "SUB-1003": Viewer("USR-3", "cara@jensen.example", "Cara Jensen", "OWNER", "SUB-1003", frozenset(), "s3"),
}


@dataclass
class Instance:
    """One running BFF app ("an instance") and a client POSTing to it."""

    app: Starlette
    client: httpx.AsyncClient

    @property
    def bus(self) -> EventBus:
        bus: EventBus = self.app.state.bus
        return bus


@dataclass
class Money:
    systems: Systems
    gateway: GatewaySystem
    transport: DispatchTransport
    settings: Settings
    backends: Backends
    browser: httpx.AsyncClient  # the subscriber's browser on the gateway's hosted pages
    stack: contextlib.AsyncExitStack

    async def instance(self, settings: Settings | None = None) -> Instance:
        app = create_app(settings or self.settings, backends_transport=self.transport)
        await self.stack.enter_async_context(app.router.lifespan_context(app))
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PORTAL)
        await self.stack.enter_async_context(client)
        return Instance(app, client)

    async def pay(self, checkout_url: str, number: str = GOOD_CARD) -> httpx.Response:
        """Pay on the hosted page with the card form, as the subscriber's browser does."""
        assert checkout_url.startswith(f"{GATEWAY}/pay/"), checkout_url
        form = {"card_number": number, "card_expiry": "12 / 34", "card_cvc": "123", "card_name": "Ben Okafor"}
        return await self.browser.post(checkout_url.removeprefix(GATEWAY), data=form)

    def raw_event(self, type_: str) -> bytes:
        """The newest event of `type_` exactly as the gateway delivers it (the outbox's stored body)."""
        row = self.gateway.db.one(
            "SELECT body FROM event_outbox WHERE type = ? ORDER BY seq DESC LIMIT 1", (type_,)
        )
        assert row is not None, f"no {type_} event in the gateway's outbox"
        body: str = row["body"]
        return body.encode()

    def event_types(self) -> list[str]:
        return [r["type"] for r in self.gateway.db.all("SELECT type FROM event_outbox ORDER BY seq")]

    async def deliver_all(self, instance: Instance) -> list[int]:
        """Let the gateway deliver its pending webhooks to `instance` (its own delivery code, signing and
        all); returns the status of each delivery in order."""
        statuses: list[int] = []

        async def record(response: httpx.Response) -> None:
            statuses.append(response.status_code)

        transport = httpx.ASGITransport(app=instance.app)
        async with httpx.AsyncClient(transport=transport, event_hooks={"response": [record]}) as client:
            await self.gateway.outbox.deliver_due(client)
        return statuses

    def redeliver_all(self) -> None:
        for row in self.gateway.db.all("SELECT id FROM event_outbox"):
            self.gateway.outbox.redeliver(row["id"])

    # ---- what the core systems hold ---------------------------------------------------------------------

    def payments(self, invoice_id: str) -> int:
        return int(
            self.systems.billing.db.scalar(
                "SELECT COUNT(*) FROM payments WHERE invoice_id = ?", (invoice_id,)
            )
        )

    def wallet_entries(self, subscriber_id: str) -> int:
        return int(
            self.systems.billing.db.scalar(
                "SELECT COUNT(*) FROM wallet_entries WHERE subscriber_id = ?", (subscriber_id,)
            )
        )

    def notifications(self, subscriber_id: str, kind: str) -> int:
        return int(
            self.systems.crm.db.scalar(
                "SELECT COUNT(*) FROM notifications WHERE subscriber_id = ? AND kind = ?",
                (subscriber_id, kind),
            )
        )

    def emails(self, subscriber_id: str) -> list[str]:
        rows = self.systems.crm.db.all(
            "SELECT subject FROM email_outbox WHERE subscriber_id = ? ORDER BY seq", (subscriber_id,)
        )
        return [r["subject"] for r in rows]

    def invoice_status(self, invoice_id: str) -> str:
        return str(self.systems.billing.db.scalar("SELECT status FROM invoices WHERE id = ?", (invoice_id,)))

    def reactivations(self, subservice_id: str) -> int:
        return int(
            self.systems.aaa.db.scalar(
                "SELECT COUNT(*) FROM aaa_status_history WHERE subservice_id = ? AND to_status = 'ACTIVE'"
                " AND from_status IS NOT NULL",
                (subservice_id,),
            )
        )

    def service_status(self, subservice_id: str) -> tuple[str, str | None]:
        row = self.systems.aaa.db.one(
            "SELECT status, reason FROM aaa_subservice WHERE id = ?", (subservice_id,)
        )
        assert row is not None
        return row["status"], row["reason"]

    async def invoice_of(self, subscriber_id: str, *statuses: str) -> str:
        found = await self.backends.billing.invoices_for_subscribers([subscriber_id])
        invoice = next(i for i in found[subscriber_id] if i.status in statuses)
        return invoice.id


def money_settings(tmp_path: Path, **env: str) -> Settings:
    return make_settings(tmp_path, GATEWAY_URL=GATEWAY, PUBLIC_URL=PORTAL, **env)


@pytest.fixture(name="money")
async def money_fixture(systems: Systems, tmp_path: Path) -> AsyncIterator[Money]:
    gateway = GatewaySystem(
        GatewayConfig(
            db_path=str(tmp_path / "gateway.sqlite3"),
            public_base_url=GATEWAY,
            webhook_url=f"{PORTAL}/webhooks/gateway",
        )
    )
    apps = {f"{s.name}.test": s.asgi() for s in systems.all}
    apps["gateway.test"] = gateway.asgi()
    transport = DispatchTransport(apps)
    settings = money_settings(tmp_path)
    async with contextlib.AsyncExitStack() as stack:
        backends = await stack.enter_async_context(open_backends(settings, transport))
        browser = await stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway.asgi()), base_url=GATEWAY)
        )
        yield Money(systems, gateway, transport, settings, backends, browser, stack)
    gateway.db.close()


def signed(body: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> dict[str, str]:
    return {"content-type": "application/json", "stripe-signature": sign(secret, body, timestamp)}


def with_type(body: bytes, type_: str) -> bytes:
    raw: dict[str, Any] = json.loads(body)
    raw["type"] = type_
    raw["id"] = f"{raw['id']}x"
    return json.dumps(raw).encode()


class Listener:
    """Collects one subscriber's bus events in the background."""

    def __init__(self, bus: EventBus, subscriber_id: str) -> None:
        self.events: list[BusEvent] = []
        self._stream = bus.listen(subscriber_id)
        self._task: asyncio.Task[None] | None = None
        self._bus = bus

    async def __aenter__(self) -> Listener:
        async def collect() -> None:
            async for event in self._stream:
                self.events.append(event)

        self._task = asyncio.create_task(collect())
        await asyncio.sleep(0.01)  # the generator registers when it first runs
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def wait_for(self, type_: str, within_s: float = 5.0) -> BusEvent:
        async with asyncio.timeout(within_s):
            while True:
                for event in self.events:
                    if event.type == type_:
                        return event
                await asyncio.sleep(0.01)
