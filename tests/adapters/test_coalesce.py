"""Identical reads in flight at once share one backend call (`CoreClient(coalesce=True)`); writes never do,
nothing is cached once a flight lands, and a read asked after a write returned never joins an older flight.
The transport holds every request until the test releases it, so "at once" needs no timing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from adapters.errors import Unavailable
from adapters.resilience.guard import Guard
from adapters.wispgate.client import CoreClient, flight_scope


class Held:
    """A transport that records every request and answers it when `release()` is called."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, bytes]] = []
        self.gate = asyncio.Event()
        self.status = 200
        self.cancelled = 0
        self.changed = asyncio.Condition()

    async def _notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    async def until(self, check: Callable[[], bool]) -> None:
        async with asyncio.timeout(10), self.changed:  # generous: it takes a few loop turns
            await self.changed.wait_for(check)

    def release(self) -> None:
        self.gate.set()

    async def handle(self, request: httpx.Request) -> httpx.Response:
        body = request.content
        self.sent.append((request.method, request.url.path, body))
        await self._notify()
        try:
            await self.gate.wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            await asyncio.shield(self._notify())
            raise
        if self.status != 200:
            return httpx.Response(self.status, json={"error": {"code": "DOWN", "message": "down"}})
        ids = json.loads(body)["ids"] if body else []
        return httpx.Response(200, json={"items": [{"id": i} for i in ids], "ok": True})

    async def sent_count(self, n: int) -> None:
        await self.until(lambda: len(self.sent) >= n)


@pytest.fixture
def held() -> Held:
    return Held()


def _client(held: Held) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url="http://crm.test", transport=httpx.MockTransport(held.handle))


@pytest.fixture(autouse=True)
def session() -> None:
    flight_scope.set("session-1")  # pytest-asyncio runs each test in a copy of this context


@pytest.fixture
async def core(held: Held) -> AsyncIterator[CoreClient]:
    async with _client(held) as http:
        yield CoreClient("crm", http, Guard("crm"), coalesce=True)


async def _in_scope(scope: str | None, job: Awaitable[Any]) -> Any:
    flight_scope.set(scope)  # this task's own copy of the context
    return await job


async def test_only_the_same_session_shares(held: Held, core: CoreClient) -> None:
    def read() -> Awaitable[Any]:
        return core.batch("/v1/subscribers:batch", ["SUB-1"], dict)

    scopes = ["session-1", "session-1", "session-2", None, None]
    tasks = [asyncio.ensure_future(_in_scope(s, read())) for s in scopes]
    await held.sent_count(4)
    held.release()
    await asyncio.gather(*tasks)
    assert len(held.sent) == 4  # session-1's two reads shared one call; session-2 and no session did not


async def test_identical_reads_at_once_share_one_call(held: Held, core: CoreClient) -> None:
    first = asyncio.ensure_future(core.batch("/v1/subscribers:batch", ["SUB-1"], dict))
    second = asyncio.ensure_future(core.batch("/v1/subscribers:batch", ["SUB-1"], dict))
    get_a = asyncio.ensure_future(core.call("GET", "/v1/subscribers/SUB-1/subservices", params={"limit": 9}))
    get_b = asyncio.ensure_future(core.call("GET", "/v1/subscribers/SUB-1/subservices", params={"limit": 9}))
    await held.sent_count(2)
    held.release()
    assert await first == await second == [{"id": "SUB-1"}]
    assert await get_a == await get_b
    assert len(held.sent) == 2  # one batch read, one GET


async def test_different_reads_are_each_sent(held: Held, core: CoreClient) -> None:
    jobs = [
        core.batch("/v1/subscribers:batch", ["SUB-1"], dict),
        core.batch("/v1/subscribers:batch", ["SUB-2"], dict),
        core.call("GET", "/v1/subscribers/SUB-1/subservices", params={"limit": 9}),
        core.call("GET", "/v1/subscribers/SUB-1/subservices", params={"limit": 10}),
    ]
    tasks = [asyncio.ensure_future(j) for j in jobs]
    await held.sent_count(4)
    held.release()
    await asyncio.gather(*tasks)
    assert len(held.sent) == 4


async def test_nothing_is_kept_after_a_flight_lands(held: Held, core: CoreClient) -> None:
    held.release()
    await core.batch("/v1/subscribers:batch", ["SUB-1"], dict)
    await core.batch("/v1/subscribers:batch", ["SUB-1"], dict)
    assert len(held.sent) == 2


async def test_writes_are_never_shared(held: Held, core: CoreClient) -> None:
    body = {"ids": ["SUB-1"]}
    tasks = [asyncio.ensure_future(core.call("POST", "/v1/notifications", json_body=body)) for _ in range(2)]
    await held.sent_count(2)
    held.release()
    await asyncio.gather(*tasks)
    assert len(held.sent) == 2


async def test_a_read_after_a_write_does_not_join_an_older_flight(held: Held) -> None:
    other = Held()
    other.release()  # the write's backend answers at once
    async with _client(held) as http, _client(other) as write_http:
        core = CoreClient("crm", http, Guard("crm"), coalesce=True)
        writer = CoreClient("billing", write_http, Guard("billing"))  # a write through any client counts
        before = asyncio.ensure_future(core.batch("/v1/subscribers:batch", ["SUB-1"], dict))
        await held.sent_count(1)
        await writer.call("POST", "/v1/payments", json_body={"ids": []})
        after = asyncio.ensure_future(core.batch("/v1/subscribers:batch", ["SUB-1"], dict))
        await held.sent_count(2)
        held.release()
        await asyncio.gather(before, after)
    assert len(held.sent) == 2


async def test_a_failure_reaches_every_waiter_and_is_not_kept(held: Held, core: CoreClient) -> None:
    held.status = 404
    tasks = [asyncio.ensure_future(core.call("GET", "/v1/subscribers/SUB-9")) for _ in range(2)]
    await held.sent_count(1)
    held.release()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(type(r).__name__ == "NotFound" for r in results), results
    assert len(held.sent) == 1
    held.status = 503
    with pytest.raises(Unavailable):
        await core.call("GET", "/v1/subscribers/SUB-9")
    assert len(held.sent) > 1  # asked again (and retried): nothing was kept


async def test_one_waiter_leaving_does_not_cancel_the_others(held: Held, core: CoreClient) -> None:
    leaving = asyncio.ensure_future(core.batch("/v1/subscribers:batch", ["SUB-1"], dict))
    staying = asyncio.ensure_future(core.batch("/v1/subscribers:batch", ["SUB-1"], dict))
    await held.sent_count(1)
    leaving.cancel()
    with pytest.raises(asyncio.CancelledError):
        await leaving
    held.release()
    assert await staying == [{"id": "SUB-1"}]
    assert held.cancelled == 0


async def test_the_call_is_cancelled_when_its_last_waiter_leaves(held: Held, core: CoreClient) -> None:
    waiters = [asyncio.ensure_future(core.batch("/v1/subscribers:batch", ["SUB-1"], dict)) for _ in range(2)]
    await held.sent_count(1)
    for w in waiters:
        w.cancel()
    await asyncio.gather(*waiters, return_exceptions=True)
    await held.until(lambda: held.cancelled > 0)
    # A new identical read starts its own flight rather than joining the cancelled one.
    again = asyncio.ensure_future(core.batch("/v1/subscribers:batch", ["SUB-1"], dict))
    await held.sent_count(2)
    held.release()
    assert await again == [{"id": "SUB-1"}]


async def test_without_coalescing_every_read_is_sent(held: Held) -> None:
    async with _client(held) as http:
        core = CoreClient("crm", http, Guard("crm"))
        tasks = [
            asyncio.ensure_future(core.batch("/v1/subscribers:batch", ["SUB-1"], dict)) for _ in range(2)
        ]
        await held.sent_count(2)
        held.release()
        await asyncio.gather(*tasks)
    assert len(held.sent) == 2
