"""The dispatch transport: the BFF's backend clients reach in-process sandbox systems without sockets."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable, Mapping

import httpx
from starlette.types import ASGIApp

from sandbox.common.system import System


class _Rounds:
    """Holds every backend request until no other one joins it, then lets them all through as one round.

    "No other joins" = the event loop ran `_TICKS` times and `_QUIET_S` passed with no new request: the BFF
    runs in this loop, and its concurrent reads start within a tick or two of each other (the loaders
    dispatch on the next tick), while a read that needs another's answer cannot start before the round that
    answers it is let through. So the number of rounds is the depth of the chain of backend reads, whatever
    the machine's speed (a slow machine only makes a round wait longer to close)."""

    _TICKS = 20
    _QUIET_S = 0.02

    def __init__(self) -> None:
        self.rounds: list[list[str]] = []  # per round, "host METHOD path" of each request
        self._pending: list[tuple[str, asyncio.Future[None]]] = []
        self._closer: asyncio.Task[None] | None = None

    async def join(self, request: httpx.Request) -> None:
        entry = asyncio.get_running_loop().create_future()
        self._pending.append((f"{request.url.host} {request.method} {request.url.path}", entry))
        if self._closer is None or self._closer.done():
            self._closer = asyncio.create_task(self._close_round())
        await entry

    async def _close_round(self) -> None:
        seen = -1
        while seen != len(self._pending):
            seen = len(self._pending)
            for _ in range(self._TICKS):
                await asyncio.sleep(0)
            await asyncio.sleep(self._QUIET_S)
        this, self._pending = self._pending, []
        self.rounds.append(sorted(name for name, _ in this))
        for _, entry in this:
            if not entry.done():
                entry.set_result(None)


class DispatchTransport(httpx.AsyncBaseTransport):
    """Routes each request to the ASGI app registered for its host (`http://crm.test/...` → the CRM app),
    so one transport can serve every backend client. Counts requests per host; an unknown host fails like
    an unreachable server."""

    def __init__(self, apps: Mapping[str, ASGIApp]) -> None:
        self._transports = {host: httpx.ASGITransport(app=app) for host, app in apps.items()}
        self.calls: dict[str, int] = dict.fromkeys(apps, 0)
        self.paths: list[str] = []  # "GET crm.test/v1/…" per request answered, in order
        self.down: set[str] = set()  # hosts that currently refuse connections
        self._rounds: _Rounds | None = None

    @classmethod
    def to(cls, systems: Iterable[System]) -> DispatchTransport:
        """Each system at `http://<its name>.test`, the hosts `tests.harness.portal.BASE_ENV` points the
        BFF at."""
        return cls({f"{s.name}.test": s.asgi() for s in systems})

    @contextlib.asynccontextmanager
    async def rounds(self) -> AsyncIterator[list[list[str]]]:
        """Within the block, backend requests go in rounds (`_Rounds`); yields the list of rounds, each the
        sorted "host METHOD path" of its requests, filled in as they happen."""
        assert self._rounds is None, "rounds are already being counted"
        self._rounds = _Rounds()
        try:
            yield self._rounds.rounds
        finally:
            self._rounds = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._rounds is not None:
            await self._rounds.join(request)
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
