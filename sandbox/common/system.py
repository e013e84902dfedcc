"""What every sandbox system shares: its configuration, its ASGI app, and its event delivery loop.

A system is a plain object (its service methods are what the operator API and peers call) that can
produce a Starlette app. Mounted together (`sandbox.app`) the combined app runs every system's delivery
loop in its lifespan, because Starlette does not run a mounted app's lifespan.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from adapters.brand import DEFAULT_BRAND, Brand
from sandbox.common.auth import ApiKeyMiddleware
from sandbox.common.db import Database
from sandbox.common.events import EventOutbox, EventTarget
from sandbox.common.http import EXCEPTION_HANDLERS, not_found, ok
from sandbox.world import World


@dataclass(frozen=True)
class SystemConfig:
    db_path: str = ":memory:"
    service_key: str = "sandbox-service-key"
    operator_key: str = "sandbox-operator-key"
    currency: str = "USD"
    event_target: EventTarget | None = None
    brand: Brand = DEFAULT_BRAND  # the operator's, on what the system shows people (e-mails, PDFs)


class System:
    """Base class: subclasses set `name`, create their tables in `__init__`, load their part of the world in
    `seed()` and list their `routes()`."""

    name = "system"

    def __init__(self, config: SystemConfig) -> None:
        self.config = config
        self.db = Database(config.db_path)
        self.outbox = EventOutbox(self.db, self.name, config.event_target)

    def seed(self, world: World) -> None:
        raise NotImplementedError

    def routes(self) -> list[BaseRoute]:
        raise NotImplementedError

    def event_routes(self, prefix: str = "/v1/ops") -> list[BaseRoute]:
        """Operator routes every system has: list its outbound events, re-deliver one."""

        async def list_events(request: Request) -> Response:
            status = request.query_params.get("status")
            if status not in (None, "PENDING", "DELIVERED", "FAILING", "HELD"):
                status = None
            return ok({"items": self.outbox.list(status=status)})

        async def redeliver(request: Request) -> Response:
            event_id = request.path_params["event_id"]
            if not self.outbox.redeliver(event_id):
                raise not_found("event")
            return ok(self.outbox.get(event_id))

        return [
            Route(f"{prefix}/events", list_events, methods=["GET"]),
            Route(f"{prefix}/events/{{event_id}}/redeliver", redeliver, methods=["POST"]),
        ]

    def background(self) -> list[Callable[[], Coroutine[Any, Any, None]]]:
        """Loops the system runs besides event delivery while it serves (the CRM's mail relay)."""
        return []

    def asgi(self) -> Starlette:
        """The system's app without a lifespan (for mounting, or for httpx.ASGITransport in tests)."""
        return Starlette(
            routes=[*self.routes(), *self.event_routes()],
            middleware=[
                Middleware(
                    ApiKeyMiddleware,
                    service_key=self.config.service_key,
                    operator_key=self.config.operator_key,
                )
            ],
            exception_handlers=EXCEPTION_HANDLERS,
        )

    def standalone(self) -> Starlette:
        """The system run alone: its app plus its own event delivery loop."""

        @contextlib.asynccontextmanager
        async def lifespan(_app: Starlette) -> AsyncIterator[None]:
            async with delivery_loops([self]):
                yield

        app = self.asgi()
        app.router.lifespan_context = lifespan
        return app


@contextlib.asynccontextmanager
async def delivery_loops(systems: list[System]) -> AsyncIterator[None]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(5.0)) as client:
        tasks = [asyncio.create_task(s.outbox.run(client)) for s in systems if s.outbox.target]
        tasks += [asyncio.create_task(loop()) for s in systems for loop in s.background()]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
