"""`create_app()`: THE composition root. Routes, middleware and a lifespan that opens (and closes) the
backends' HTTP clients, Redis and the stores; nothing is created at import time."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute

from bff.files import file_routes
from bff.graphql import PortalGraphQL
from bff.health import health_routes
from bff.services import Services, open_services
from bff.settings import Settings
from bff.web import SecurityHeaders, web_routes
from schema import build_schema


class _Holder:
    """The running app's services; set by the lifespan, read per request."""

    def __init__(self) -> None:
        self.services: Services | None = None

    def __call__(self) -> Services:
        if self.services is None:
            raise RuntimeError("the app's lifespan has not started (run it under an ASGI server)")
        return self.services


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
    graphql = PortalGraphQL(
        build_schema(settings),
        holder,
        production=settings.production,
        allowed_origins=settings.allowed_origins,
    )

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            for mount in extra_mounts:
                inner = mount.app
                if isinstance(inner, Starlette):
                    await stack.enter_async_context(inner.router.lifespan_context(inner))
            holder.services = await stack.enter_async_context(open_services(settings, backends_transport))
            try:
                yield
            finally:
                holder.services = None

    routes: list[BaseRoute] = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
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
