"""The bulkhead: a cap on calls in flight per backend, a wait bounded by the call's deadline, and a hung
backend that holds only its own backend's slots (sockets counted at a loopback fault proxy)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator

import pytest

from adapters.errors import Overloaded, TimedOut
from adapters.resilience.breaker import BreakerPolicy, State
from adapters.resilience.bulkhead import Bulkhead
from adapters.resilience.guard import Guard, Policy
from adapters.wispgate.client import BackendConfig, CoreClient, make_http_client, pooled_transport
from tests.harness.faultproxy import FaultProxy, Mode
from tests.harness.process import free_port


async def test_slots_are_counted_and_given_in_turn() -> None:
    bulkhead = Bulkhead(2)
    release = asyncio.Event()
    order: list[int] = []

    async def hold(n: int) -> None:
        async with bulkhead.slot():
            order.append(n)
            await release.wait()

    tasks = [asyncio.create_task(hold(n)) for n in range(3)]
    await asyncio.sleep(0.01)
    assert (bulkhead.in_flight, bulkhead.waiting, order) == (2, 1, [0, 1])

    release.set()
    await asyncio.gather(*tasks)
    assert (bulkhead.in_flight, bulkhead.waiting, order) == (0, 0, [0, 1, 2])


def test_a_bulkhead_needs_a_slot() -> None:
    with pytest.raises(ValueError, match="at least one"):
        Bulkhead(0)


async def test_a_wait_longer_than_the_deadline_is_overloaded_and_not_a_backend_failure() -> None:
    guard = Guard("billing", Policy(deadline_s=0.05, concurrency=1, breaker=BreakerPolicy(failures=1)))
    release = asyncio.Event()
    sent = 0

    async def slow() -> str:
        nonlocal sent
        sent += 1
        await release.wait()
        return "answer"

    holder = asyncio.create_task(guard.run("GET /v1/x", slow, retryable=True, deadline_s=60))
    await asyncio.sleep(0.01)

    with pytest.raises(Overloaded) as refused:
        await guard.run("GET /v1/x", slow, retryable=True)

    assert refused.value.reason == "overloaded" and sent == 1  # the second call was never sent
    assert guard.breaker.state is State.CLOSED  # our own queue says nothing about the backend
    release.set()
    assert await holder == "answer"


async def test_a_slot_that_comes_with_the_deadline_all_but_spent_is_not_used() -> None:
    guard = Guard("billing", Policy(deadline_s=0.4, concurrency=1, breaker=BreakerPolicy(failures=1)))
    sent = 0

    async def held_until(seconds: float) -> str:
        nonlocal sent
        sent += 1
        await asyncio.sleep(seconds)
        return "answer"

    loop = asyncio.get_running_loop()
    started = loop.time()
    # The holder frees the slot 0.39 s into the waiter's 0.4 s deadline: too late to be worth sending.
    holder = asyncio.create_task(
        guard.run("GET /v1/x", lambda: held_until(0.39), retryable=True, deadline_s=60)
    )
    await asyncio.sleep(0)
    with pytest.raises(Overloaded) as refused:
        await guard.run("GET /v1/x", lambda: held_until(0), retryable=True)

    assert loop.time() - started >= 0.39  # it did wait for the slot (or its deadline), then stood down
    assert refused.value.reason == "overloaded" and sent == 1
    assert guard.breaker.state is State.CLOSED
    assert await holder == "answer"


# ------------------------------------------------------------------------------------------ over loopback


@contextlib.asynccontextmanager
async def billing_behind(proxy: FaultProxy, deadline_s: float) -> AsyncIterator[CoreClient]:
    config = BackendConfig(base_url=proxy.url, api_key="k", connect_timeout_s=60, read_timeout_s=60)
    policy = Policy(deadline_s=deadline_s, concurrency=4, breaker=BreakerPolicy(failures=1000))
    async with make_http_client(config, transport=pooled_transport(config)) as http:
        yield CoreClient("billing", http, Guard("billing", policy))


@pytest.fixture
def hung() -> Iterator[FaultProxy]:
    proxy = FaultProxy("127.0.0.1", free_port()).start()
    proxy.set(Mode.HANG)
    yield proxy
    proxy.stop()


@pytest.fixture
async def hung_billing(hung: FaultProxy) -> AsyncIterator[tuple[CoreClient, FaultProxy]]:
    async with billing_behind(hung, deadline_s=5.0) as billing:
        yield billing, hung


async def test_a_hung_backend_holds_no_more_sockets_than_its_bulkhead(
    hung_billing: tuple[CoreClient, FaultProxy],
) -> None:
    billing, proxy = hung_billing
    calls = asyncio.gather(
        *(billing.call("GET", f"/v1/invoices/INV-{i}") for i in range(40)), return_exceptions=True
    )
    for _ in range(400):  # until the four sent calls have reached the proxy (well within the deadline)
        if proxy.connections >= 4:
            break
        await asyncio.sleep(0.01)
    bulkhead = billing.guard.bulkhead
    # Forty calls: four sockets to the hung backend, thirty-six calls waiting without one.
    assert (proxy.connections, bulkhead.in_flight, bulkhead.waiting) == (4, 4, 36)

    results = await calls
    assert {type(r) for r in results} <= {TimedOut, Overloaded}
    # All forty deadlines end together; a waiter may win a freed slot in that same instant and go out
    # (to time out at once), so a few more sockets than the cap may open, never one per call.
    assert proxy.connections <= 2 * 4
    assert sum(isinstance(r, Overloaded) for r in results) >= 40 - 2 * 4
    assert billing.guard.bulkhead.in_flight == 0 and billing.guard.bulkhead.waiting == 0


class TinyBackend:
    """A real HTTP/1.1 server on loopback that answers every request `{}` at once and counts them."""

    def __init__(self) -> None:
        self.requests = 0
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> str:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def __aexit__(self, *_exc: object) -> None:
        assert self.server is not None
        self.server.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await reader.readuntil(b"\r\n\r\n"):  # GETs: no body
                self.requests += 1
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def test_a_hung_billing_does_not_hold_up_aaa(hung: FaultProxy) -> None:
    backend = TinyBackend()
    async with backend as url, billing_behind(hung, deadline_s=600) as billing:
        config = BackendConfig(base_url=url, api_key="k")
        async with make_http_client(config, transport=pooled_transport(config)) as http:
            aaa = CoreClient("aaa", http, Guard("aaa", Policy(concurrency=4)))
            stuck = asyncio.gather(
                *(billing.call("GET", f"/v1/invoices/INV-{i}") for i in range(40)), return_exceptions=True
            )
            answers = await asyncio.gather(*(aaa.call("GET", f"/v1/status/SS-{i}") for i in range(40)))

            # Forty AAA answers while every Billing call is still stuck, holding or awaiting its slots.
            assert answers == [{}] * 40 and backend.requests == 40
            assert billing.guard.bulkhead.in_flight == 4 and billing.guard.bulkhead.waiting == 36
            stuck.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await stuck
