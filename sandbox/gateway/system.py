"""The gateway sandbox system: a Stripe-compatible API, a hosted checkout page and signed webhooks.

It differs from the core systems where Stripe's API does: `Authorization: Bearer sk_…` instead of
`X-API-Key`, form-encoded requests, Stripe's object and error shapes, `Stripe-Signature` webhooks carrying
Stripe event objects. Delivery reuses the core's transactional outbox (retries with backoff, nothing
dropped, re-delivery on demand), so the combined sandbox runs its loop like any other system's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from sandbox.common.events import EventOutbox, EventTarget
from sandbox.common.http import ApiError, api_error_handler
from sandbox.common.peers import ChargeOutcome, ChargeRefused
from sandbox.common.system import System, SystemConfig
from sandbox.gateway import api, hosted, idempotency
from sandbox.gateway.auth import GatewayAuthMiddleware
from sandbox.gateway.errors import StripeError
from sandbox.gateway.form import Params
from sandbox.gateway.idempotency import SCHEMA as IDEMPOTENCY_SCHEMA
from sandbox.gateway.objects import event_body
from sandbox.gateway.service import EVENT_TYPES, GatewayService
from sandbox.gateway.store import SCHEMA
from sandbox.world import World


@dataclass(frozen=True)
class GatewayConfig:
    db_path: str = ":memory:"
    secret_key: str = "sk_test_sandbox_51WispGateSandboxSecretKey0123456789"
    publishable_key: str = "pk_test_sandbox_51WispGateSandboxPublishableKey0123"
    webhook_url: str | None = None  # where Stripe-shaped events are POSTed (the BFF's /webhooks/gateway)
    webhook_secret: str = "whsec_sandbox_0123456789abcdef0123456789abcdef"
    public_base_url: str = "http://127.0.0.1:8000/_sandbox/gateway"  # where /pay/{id} is reachable
    operator_key: str = "sandbox-operator-key"
    merchant_name: str = "WISPGate Networks"


class GatewaySystem(System):
    name = "gateway"

    def __init__(self, config: GatewayConfig) -> None:
        target = EventTarget(config.webhook_url, config.webhook_secret) if config.webhook_url else None
        super().__init__(
            SystemConfig(
                db_path=config.db_path,
                service_key=config.secret_key,
                operator_key=config.operator_key,
                event_target=target,
            )
        )
        self.gateway_config = config
        # Same outbox table and delivery loop as the core systems, in Stripe's dialect.
        self.outbox = EventOutbox(
            self.db,
            self.name,
            target,
            event_types=EVENT_TYPES,
            build_body=event_body,
            signature_header="stripe-signature",
            event_id_header=None,
        )
        self.db.script(SCHEMA)
        self.db.script(IDEMPOTENCY_SCHEMA)
        self.service = GatewayService(self.db, self.outbox, config)

    def seed(self, world: World) -> None:
        """Nothing to seed: gateway customers are created by the BFF as subscribers first pay or save a card."""

    def routes(self) -> list[BaseRoute]:
        return [
            *api.routes(self.service),
            *hosted.routes(self.service, self.gateway_config.merchant_name),
            # Stripe-style operator paths; the same listing and re-delivery as every core system's.
            *self.event_routes(prefix="/_ops"),
        ]

    def asgi(self) -> Starlette:
        config = self.gateway_config
        return Starlette(
            routes=self.routes(),
            middleware=[
                Middleware(
                    GatewayAuthMiddleware,
                    secret_key=config.secret_key,
                    publishable_key=config.publishable_key,
                    operator_key=config.operator_key,
                )
            ],
            exception_handlers={
                StripeError: api.stripe_error_handler,
                ApiError: api_error_handler,
                HTTPException: api.http_error_handler,
            },
        )

    def charge(
        self,
        customer_id: str,
        payment_method_id: str,
        amount_minor: int,
        currency: str,
        metadata: dict[str, str],
        idempotency_key: str,
    ) -> ChargeOutcome:
        """The core's in-process `CardCharger`: exactly `POST /v1/payment_intents` with `confirm=true,
        off_session=true` and this `Idempotency-Key` (same parameters as the form-encoded request, so an HTTP
        retry with the key replays this charge and vice versa)."""
        raw: dict[str, Any] = {
            "amount": str(amount_minor),
            "currency": currency.lower(),
            "customer": customer_id,
            "payment_method": payment_method_id,
            "confirm": "true",
            "off_session": "true",
            "metadata": dict(metadata),
        }
        params = Params(raw)
        try:
            idempotency.check_key(idempotency_key)
            status, body, _replayed = idempotency.run_once(
                self.db,
                idempotency_key,
                "POST",
                "/v1/payment_intents",
                params.raw,
                lambda: self.service.create_payment_intent(params),
            )
        except StripeError as exc:
            raise ChargeRefused(exc.code or exc.type, exc.message) from None
        if status == 200:
            succeeded = body["status"] == "succeeded"
            error = body.get("last_payment_error") or {}
            decline = None if succeeded else error.get("decline_code") or error.get("code") or body["status"]
            return ChargeOutcome(succeeded, str(body["id"]), decline)
        error = body["error"]
        return ChargeOutcome(
            False, str(error["payment_intent"]["id"]), error.get("decline_code") or error.get("code")
        )

    async def delivery_loop(self, client: httpx.AsyncClient, poll_s: float = 1.0) -> None:
        """Deliver webhooks until cancelled (what `delivery_loops` runs for every system)."""
        await self.outbox.run(client, poll_s)
