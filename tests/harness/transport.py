"""The dispatch transport: the BFF's backend clients reach in-process sandbox systems without sockets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import httpx
from starlette.types import ASGIApp

from sandbox.common.system import System


class DispatchTransport(httpx.AsyncBaseTransport):
    """Routes each request to the ASGI app registered for its host (`http://crm.test/...` → the CRM app),
    so one transport can serve every backend client. Counts requests per host; an unknown host fails like
    an unreachable server."""

    def __init__(self, apps: Mapping[str, ASGIApp]) -> None:
        self._transports = {host: httpx.ASGITransport(app=app) for host, app in apps.items()}
        self.calls: dict[str, int] = dict.fromkeys(apps, 0)
        self.paths: list[str] = []  # "GET crm.test/v1/…" per request answered, in order
        self.down: set[str] = set()  # hosts that currently refuse connections

    @classmethod
    def to(cls, systems: Iterable[System]) -> DispatchTransport:
        """Each system at `http://<its name>.test`, the hosts `tests.harness.portal.BASE_ENV` points the
        BFF at."""
        return cls({f"{s.name}.test": s.asgi() for s in systems})

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        transport = self._transports.get(host)
        if transport is None or host in self.down:
            raise httpx.ConnectError(f"no route to {host}", request=request)
        self.calls[host] += 1
        self.paths.append(f"{request.method} {host}{request.url.path}")
        return await transport.handle_async_request(request)

    async def aclose(self) -> None:
        # Shared by several clients, each of which closes it; the ASGI transports hold no resources.
        return None


class RecordingTransport(DispatchTransport):
    """A dispatch transport that also keeps the host and headers of every backend request (what the BFF
    passes on: request ids, trace context)."""

    def __init__(self, apps: Mapping[str, ASGIApp]) -> None:
        super().__init__(apps)
        self.seen: list[tuple[str, httpx.Headers]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((request.url.host, request.headers.copy()))
        return await super().handle_async_request(request)
