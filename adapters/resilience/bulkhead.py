"""A bulkhead per backend: at most `limit` calls in flight to it from this process; more wait their turn,
within their own deadline (`adapters.resilience.guard` turns a wait that outlives it into `Overloaded`).

Each backend has its own, so a hung Billing holds at most Billing's slots: calls to AAA never queue behind
it, and the BFF never holds more sockets, tasks and buffers for one sick backend than its limit. The limit
sits below the HTTP client's connection pool (`adapters.wispgate.client`), so calls queue here, where the
deadline bounds the wait, not in the pool.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class Bulkhead:
    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("a bulkhead needs at least one slot")
        self.limit = limit
        self._slots = asyncio.Semaphore(limit)
        self._waiting = 0
        self._in_flight = 0

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def waiting(self) -> int:
        return self._waiting

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one slot for the body; waits (cancellably) while all are taken."""
        self._waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
        self._in_flight += 1
        try:
            yield
        finally:
            self._in_flight -= 1
            self._slots.release()
