"""The gateway sandbox system: a Stripe-compatible API, a hosted checkout page and signed webhooks.

It differs from the core systems where Stripe's API does: `Authorization: Bearer sk_…` instead of
`X-API-Key`, form-encoded requests, Stripe's object and error shapes, `Stripe-Signature` webhooks carrying
Stripe event objects. Delivery reuses the core's transactional outbox (retries with backoff, nothing
dropped, re-delivery on demand), so the combined sandbox runs its loop like any other system's.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from sandbox.common.events import EventOutbox, EventTarget
from sandbox.common.http import ApiError, api_error_handler
from sandbox.common.peers import ChargeOutcome
from sandbox.common.system import System, SystemConfig
from sandbox.gateway import seed
from sandbox.gateway.api import hosted, routes
from sandbox.gateway.api.auth import GatewayAuthMiddleware
from sandbox.gateway.config import EVENT_TYPES, GatewayConfig
from sandbox.gateway.errors import StripeError
from sandbox.gateway.objects import event_body
from sandbox.gateway.service import GatewayService
from sandbox.gateway.store import SCHEMA
from sandbox.world import World

__all__ = ["GatewayConfig", "GatewaySystem"]  # GatewayConfig is built by callers of this module


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
        self.service = GatewayService(self.db, self.outbox, config)

    def seed(self, world: World) -> None:
        seed.seed(self.db, world)

    def routes(self) -> list[BaseRoute]:
        return [
            *routes.routes(self.service),
            *hosted.routes(self.service, self.gateway_config.merchant_name, self.gateway_config.brand),
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
                StripeError: routes.stripe_error_handler,
                ApiError: api_error_handler,
                HTTPException: routes.http_error_handler,
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
        """`CardCharger` for Billing's autopay run (see `GatewayService.charge_off_session`)."""
        return self.service.charge_off_session(
            customer_id, payment_method_id, amount_minor, currency, metadata, idempotency_key
        )
