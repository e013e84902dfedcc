"""`create_app()`: THE composition root. Routes, middleware and a lifespan that opens (and closes) the
backends' HTTP clients, Redis and the stores; nothing is created at import time."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.websockets import WebSocket

from bff.core.bus import EventBus, MemoryBus, RedisBus, open_bus
from bff.core.core_events import CoreHooks
from bff.core.dedupe import Marks, MemoryMarks, RedisMarks
from bff.core.files import file_routes
from bff.server.graphql import PortalGraphQL
from bff.server.health import health_routes
from bff.core.services import Services, open_services
from bff.core.settings import Settings
from bff.core.payments.settlement import Settlement
from bff.server.web import SecurityHeaders, web_routes
from bff.core.payments.webhook import GatewayWebhooks
from schema.build import build_schema
from schema.core.context import Context

log = logging.getLogger("wispgate.app")


@dataclass(frozen=True)
class Events:
    """The running app's event side: the bus and the two signed-event endpoints feeding it."""

    bus: MemoryBus | RedisBus
    marks: Marks
    gateway_webhooks: GatewayWebhooks
    core_hooks: CoreHooks


class _Holder:
    """The running app's services; set by the lifespan, read per request."""

    def __init__(self) -> None:
        self.services: Services | None = None
        self.events: Events | None = None

    def __call__(self) -> Services:
        if self.services is None:
            raise RuntimeError("the app's lifespan has not started (run it under an ASGI server)")
        return self.services

    def running_events(self) -> Events:
        if self.events is None:
            raise RuntimeError("the app's lifespan has not started (run it under an ASGI server)")
        return self.events


class _GraphQL(PortalGraphQL):
    """The GraphQL view with the process's bus in every context (HTTP requests and WebSockets alike)."""

    def __init__(self, *args: Any, bus: Callable[[], EventBus], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self._bus = bus

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        context = await super().get_context(request, response)
        context.bus = self._bus()
        return context


@contextlib.asynccontextmanager
async def open_events(services: Services) -> AsyncIterator[Events]:
    settings = services.settings
    marks: Marks = (
        MemoryMarks() if services.redis is None else RedisMarks(services.redis, settings.redis_prefix)
    )
    async with open_bus(services.redis, f"{settings.redis_prefix}events") as bus:
        if not settings.gateway.webhook_secret:
            log.warning("GATEWAY_WEBHOOK_SECRET is not set: /webhooks/gateway refuses every event")
        if not settings.core_events_secret:
            log.warning("CORE_EVENTS_SECRET is not set: /hooks/core refuses every event")
        yield Events(
            bus=bus,
            marks=marks,
            gateway_webhooks=GatewayWebhooks(
                settings.gateway.webhook_secret, Settlement(services.backends, bus, marks), marks
            ),
            core_hooks=CoreHooks(settings.core_events_secret, bus, marks),
        )


def create_app(
    settings: Settings,
    *,
    backends_transport: httpx.AsyncBaseTransport | None = None,
    extra_mounts: Sequence[Mount] = (),
) -> Starlette:
    """The BFF as an ASGI app. `backends_transport` replaces the network for every backend client (tests);
    `extra_mounts` are placed before the web app's catch-all (the demo mounts the sandbox at /_sandbox) and
    their own lifespans run inside this one's (Starlette does not run a mounted app's lifespan)."""
    holder = _Holder()
    graphql = _GraphQL(
        build_schema(settings),
        holder,
        production=settings.production,
        allowed_origins=settings.allowed_origins,
        bus=lambda: holder.running_events().bus,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            for mount in extra_mounts:
                inner = mount.app
                if isinstance(inner, Starlette):
                    await stack.enter_async_context(inner.router.lifespan_context(inner))
            holder.services = await stack.enter_async_context(open_services(settings, backends_transport))
            holder.events = await stack.enter_async_context(open_events(holder.services))
            # For in-process callers (tests, the demo): the running bus.
            app.state.bus = holder.events.bus
            try:
                yield
            finally:
                holder.services = None
                holder.events = None

    async def gateway_webhook(request: Request) -> Response:
        return await holder.running_events().gateway_webhooks.endpoint(request)

    async def core_hook(request: Request) -> Response:
        return await holder.running_events().core_hooks.endpoint(request)

    routes: list[BaseRoute] = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        # Signed, not cookie-authenticated: no CSRF check applies.
        Route("/webhooks/gateway", gateway_webhook, methods=["POST"]),
        Route("/hooks/core", core_hook, methods=["POST"]),
        WebSocketRoute("/graphql", graphql),
        *file_routes(lambda: (holder().files, holder().backends)),
        *health_routes(holder),
        *extra_mounts,
        *web_routes(settings.web_dist),
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders, hsts=settings.production and settings.cookie_secure)],
        lifespan=lifespan,
    )
