"""The money rig: the real BFF app over the test's sandbox AND a gateway configured for an in-process portal
(hosted pages at `http://gateway.test`, webhooks to `http://portal.test`); a subscriber's browser on the
gateway's hosted page; the gateway's own webhook deliveries (its outbox POSTs to an app through a transport)
or a chosen event's body, signed as the gateway signs it; and what the core systems then hold.

The sandbox's own gateway is configured for the demo's addresses, so the rig opens one of its own (nothing
is seeded in a gateway: customers appear as subscribers pay).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from adapters.wispgate.signing import sign
from bff.core.auth.viewer import Viewer
from bff.core.backends import Backends, open_backends
from bff.core.bus import BusEvent, EventBus
from bff.core.settings import Settings
from sandbox.app import Sandbox
from sandbox.gateway.system import GatewayConfig, GatewaySystem
from tests.harness.portal import BASE_URL as PORTAL
from tests.harness.portal import GATEWAY_URL as GATEWAY
from tests.harness.portal import Portal, portal_settings, start_portal
from tests.harness.transport import DispatchTransport

WEBHOOK_SECRET = GatewayConfig().webhook_secret
GOOD_CARD = "4242 4242 4242 4242"

VIEWERS = {
    "SUB-1001": Viewer("USR-1", "ana@lima.example", "Ana Lima", "OWNER", "SUB-1001", frozenset(), "s1"),
    "SUB-1002": Viewer("USR-2", "ben@okafor.example", "Ben Okafor", "OWNER", "SUB-1002", frozenset(), "s2"),
    "SUB-1003": Viewer("USR-3", "cara@jensen.example", "Cara Jensen", "OWNER", "SUB-1003", frozenset(), "s3"),
}


@dataclass
class Money:
    sandbox: Sandbox  # its billing, crm, aaa and oss; `gateway` below is the rig's
    gateway: GatewaySystem
    transport: DispatchTransport
    settings: Settings
    backends: Backends
    browser: httpx.AsyncClient  # the subscriber's browser on the gateway's hosted pages
    stack: contextlib.AsyncExitStack

    async def instance(self, settings: Settings | None = None) -> Portal:
        """A started BFF app ("an instance") over the rig's transport, and a client of it."""
        return await self.stack.enter_async_context(start_portal(settings or self.settings, self.transport))

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

    async def deliver_all(self, instance: Portal) -> list[int]:
        """Let the gateway deliver its pending webhooks to `instance` (its own delivery code, signing and
        all); returns the status of each delivery in order."""
        statuses: list[int] = []

        async def record(response: httpx.Response) -> None:
            statuses.append(response.status_code)

        assert instance.app is not None
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
            self.sandbox.billing.db.scalar(
                "SELECT COUNT(*) FROM payments WHERE invoice_id = ?", (invoice_id,)
            )
        )

    def wallet_entries(self, subscriber_id: str) -> int:
        return int(
            self.sandbox.billing.db.scalar(
                "SELECT COUNT(*) FROM wallet_entries WHERE subscriber_id = ?", (subscriber_id,)
            )
        )

    def notifications(self, subscriber_id: str, kind: str) -> int:
        return int(
            self.sandbox.crm.db.scalar(
                "SELECT COUNT(*) FROM notifications WHERE subscriber_id = ? AND kind = ?",
                (subscriber_id, kind),
            )
        )

    def emails(self, subscriber_id: str) -> list[str]:
        rows = self.sandbox.crm.db.all(
            "SELECT subject FROM email_outbox WHERE subscriber_id = ? ORDER BY seq", (subscriber_id,)
        )
        return [r["subject"] for r in rows]

    def invoice_status(self, invoice_id: str) -> str:
        return str(self.sandbox.billing.db.scalar("SELECT status FROM invoices WHERE id = ?", (invoice_id,)))

    def reactivations(self, subservice_id: str) -> int:
        return int(
            self.sandbox.aaa.db.scalar(
                "SELECT COUNT(*) FROM aaa_status_history WHERE subservice_id = ? AND to_status = 'ACTIVE'"
                " AND from_status IS NOT NULL",
                (subservice_id,),
            )
        )

    def service_status(self, subservice_id: str) -> tuple[str, str | None]:
        row = self.sandbox.aaa.db.one(
            "SELECT status, reason FROM aaa_subservice WHERE id = ?", (subservice_id,)
        )
        assert row is not None
        return row["status"], row["reason"]

    async def invoice_of(self, subscriber_id: str, *statuses: str) -> str:
        found = await self.backends.billing.invoices_for_subscribers([subscriber_id])
        invoice = next(i for i in found[subscriber_id] if i.status in statuses)
        return invoice.id


def money_settings(tmp_path: Path, **env: str) -> Settings:
    """The portal's settings with payments on: the gateway at `GATEWAY`, the portal itself at `PORTAL`."""
    return portal_settings(tmp_path, GATEWAY_URL=GATEWAY, PUBLIC_URL=PORTAL, **env)


@contextlib.asynccontextmanager
async def money_rig(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[Money]:
    """The rig over `sandbox`'s core systems, its gateway's database under `tmp_path`; closed on exit."""
    gateway = GatewaySystem(
        GatewayConfig(
            db_path=str(tmp_path / "gateway.sqlite3"),
            public_base_url=GATEWAY,
            webhook_url=f"{PORTAL}/webhooks/gateway",
        )
    )
    core = [sandbox.billing, sandbox.crm, sandbox.aaa, sandbox.oss]
    transport = DispatchTransport.to([*core, gateway])
    settings = money_settings(tmp_path)
    try:
        async with contextlib.AsyncExitStack() as stack:
            backends = await stack.enter_async_context(open_backends(settings, transport))
            browser = await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway.asgi()), base_url=GATEWAY)
            )
            yield Money(sandbox, gateway, transport, settings, backends, browser, stack)
    finally:
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
