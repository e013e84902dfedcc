"""Reads asked for in the same turn of the event loop, sent to Redis as one pipelined round trip.

One event on the bus wakes every subscription of its subscriber on this instance, and each checks its
session before it yields (`schema.core.feed`). With 1,000 subscriptions that was 1,000 concurrent commands,
each holding a pool connection: redis-py's default pool (100) refused 901 of them with "Too many
connections" and their subscriptions ended. Batched, the same 1,000 checks are one pipeline (split in
chunks of `max_batch`) on one connection, and every key asked for several times is read once.

Nothing is cached between turns: a read asked for after an event was delivered is sent after it, so it sees
whatever the event's sender wrote before publishing (a disabled user, a new identity version).
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

Fetch = Callable[[Sequence[K]], Awaitable[Sequence[V]]]


class TickBatch(Generic[K, V]):
    """`await batch.load(key)`: the value `fetch` read for `key`, together with every other key asked for in
    the same loop turn. `fetch(keys)` answers one value per key, in order."""

    def __init__(self, fetch: Fetch[K, V], *, max_batch: int = 500) -> None:
        self._fetch = fetch
        self.max_batch = max_batch
        self._pending: dict[K, list[asyncio.Future[V]]] = {}
        self._scheduled = False
        self._running: set[asyncio.Task[None]] = set()
        self.round_trips = 0  # fetches made so far (tests and benchmarks read it)

    async def load(self, key: K) -> V:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[V] = loop.create_future()
        self._pending.setdefault(key, []).append(future)
        if not self._scheduled:
            self._scheduled = True
            # Behind every task already woken in this turn (the other subscriptions of the same event).
            loop.call_soon(self._dispatch)
        return await future

    def _dispatch(self) -> None:
        pending, self._pending = self._pending, {}
        self._scheduled = False
        keys = [key for key, waiters in pending.items() if any(not w.done() for w in waiters)]
        for start in range(0, len(keys), self.max_batch):
            chunk = keys[start : start + self.max_batch]
            task = asyncio.create_task(self._run(chunk, {key: pending[key] for key in chunk}))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _run(self, keys: list[K], waiters: dict[K, list[asyncio.Future[V]]]) -> None:
        self.round_trips += 1
        try:
            values = await self._fetch(keys)
        except Exception as exc:  # every waiter gets it: each decides what an outage means to it
            for futures in waiters.values():
                for future in futures:
                    if not future.done():
                        # A copy each: one exception object re-raised in thousands of tasks would grow one
                        # shared traceback without bound.
                        future.set_exception(copy.copy(exc))
            return
        except BaseException:
            for futures in waiters.values():
                for future in futures:
                    future.cancel()
            raise
        for key, value in zip(keys, values, strict=True):
            for future in waiters[key]:
                if not future.done():
                    future.set_result(value)

    async def aclose(self) -> None:
        """Cancel reads still in flight (the app is stopping)."""
        for task in tuple(self._running):
            task.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)
