"""The PayPal emulator as a sandbox system: PayPal's REST API under `/v1` and `/v2`, the approval page under
`/checkoutnow`, and webhooks delivered through the sandbox's transactional outbox (retries with backoff,
re-delivery on demand at `/_ops/events`) with PayPal's transmission headers."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Route

from sandbox.common import clock
from sandbox.common.events import EventDraft, EventOutbox, EventTarget
from sandbox.common.system import System, SystemConfig
from sandbox.paypal import api
from sandbox.paypal.config import AUTH_ALGO, EVENT_TYPES, PayPalConfig
from sandbox.paypal.service import PayPalService, webhook_id_of
from sandbox.paypal.store import SCHEMA
from sandbox.world import World

__all__ = ["PayPalConfig", "PayPalSystem"]

_SUMMARIES = {
    "CHECKOUT.ORDER.APPROVED": "An order has been approved by buyer",
    "PAYMENT.CAPTURE.COMPLETED": "Payment completed",
    "PAYMENT.CAPTURE.DENIED": "A payment capture was denied",
}


def event_body(draft: EventDraft) -> dict[str, Any]:
    """PayPal's webhook event shape (event_version 1.0, resource_version 2.0)."""
    resource = draft.data["resource"]
    event_id = webhook_id_of(draft.id)
    return {
        "id": event_id,
        "event_version": "1.0",
        "create_time": clock.iso(draft.created),
        "resource_type": "checkout-order" if draft.type.startswith("CHECKOUT.ORDER.") else "capture",
        "resource_version": "2.0",
        "event_type": draft.type,
        "summary": _SUMMARIES.get(draft.type, draft.type),
        "resource": resource,
        "links": [],
    }


class PayPalOutbox(EventOutbox):
    """PayPal's transmission headers instead of one signature header; a new transmission id per attempt."""

    def __init__(self, system: PayPalSystem, target: EventTarget | None) -> None:
        super().__init__(system.db, system.name, target, event_types=EVENT_TYPES, build_body=event_body)
        self.system = system

    def delivery_headers(self, event_id: str, raw: bytes) -> dict[str, str]:
        transmission_id = str(uuid.uuid4())
        transmission_time = clock.iso(clock.now()) or ""
        config = self.system.paypal_config
        return {
            "content-type": "application/json",
            "paypal-transmission-id": transmission_id,
            "paypal-transmission-time": transmission_time,
            "paypal-transmission-sig": self.system.service.signature(transmission_id, transmission_time, raw),
            "paypal-cert-url": f"{config.public_base_url}/v1/notifications/certs/CERT-sandbox",
            "paypal-auth-algo": AUTH_ALGO,
        }


class PayPalSystem(System):
    name = "paypal"

    def __init__(self, config: PayPalConfig) -> None:
        target = EventTarget(config.webhook_url, config.signing_secret) if config.webhook_url else None
        super().__init__(
            SystemConfig(
                db_path=config.db_path,
                service_key=config.client_secret,
                operator_key=config.operator_key,
                event_target=target,
            )
        )
        self.paypal_config = config
        self.db.script(SCHEMA)
        self.outbox = PayPalOutbox(self, target)
        self.service = PayPalService(self.db, self.outbox, config)

    def seed(self, world: World) -> None:
        """Nothing to seed: orders exist only once the portal creates them."""

    def routes(self) -> list[BaseRoute]:
        key = self.paypal_config.operator_key
        ops = [
            Route(r.path, api.operator_only(r.endpoint, key), methods=list(r.methods or ()))
            for r in self.event_routes(prefix="/_ops")
            if isinstance(r, Route)
        ]
        return [*api.routes(self.service), *ops]

    def asgi(self) -> Starlette:
        return Starlette(routes=self.routes(), exception_handlers=api.EXCEPTION_HANDLERS)
