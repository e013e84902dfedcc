"""The deadline of a backend call: whatever the backend does, a call ends within it with `TimedOut`
(BACKEND_UNAVAILABLE to clients), and a hung backend opens the breaker, after which it is not reached.

Unit tests on the guard, then the production client (aiohttp pool behind httpx) over loopback through
`tests.harness.faultproxy` in HANG mode: in-process transports ignore timeouts, sockets do not. Timings are
asserted only as generous bounds (a busy 2-core machine); what is asserted exactly is counts.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import pytest

from adapters.errors import CircuitOpen, TimedOut, Unavailable
from adapters.resilience.breaker import BreakerPolicy, State
from adapters.resilience.guard import Guard, Policy
from adapters.resilience.retry import RetryPolicy
from adapters.wispgate.client import BackendConfig, CoreClient, make_http_client, pooled_transport
from tests.harness.faultproxy import FaultProxy, Mode
from tests.harness.process import free_port

GENEROUS_S = 5.0  # what "bounded" means on a machine shared by many: far above any deadline used here


class Calls:
    """An observer that keeps what it is told."""

    def __init__(self) -> None:
        self.finished: list[tuple[str, str, str]] = []
        self.breakers: list[tuple[str, str]] = []

    def call_finished(self, backend: str, operation: str, seconds: float, outcome: str) -> None:
        self.finished.append((backend, operation, outcome))

    def breaker_changed(self, backend: str, state: str) -> None:
        self.breakers.append((backend, state))


async def hang() -> str:
    await asyncio.Event().wait()
    return "never"


async def test_a_hung_call_ends_at_the_deadline_with_timed_out() -> None:
    calls = Calls()
    guard = Guard("billing", Policy(deadline_s=0.05), observer=calls)

    with pytest.raises(TimedOut) as ended:
        await guard.run("GET /v1/invoices/{id}", hang, retryable=True)

    assert isinstance(ended.value, Unavailable) and ended.value.reason == "timeout"
    assert ended.value.backend == "billing" and "0.05 s" in ended.value.message
    assert calls.finished == [("billing", "GET /v1/invoices/{id}", "timeout")]


async def test_the_deadline_covers_the_retries() -> None:
    attempts = 0

    async def refused() -> str:
        nonlocal attempts
        attempts += 1
        raise Unavailable("billing", "connection refused")

    async def long_pause(_seconds: float) -> None:
        await asyncio.Event().wait()  # the backoff outlives the deadline

    guard = Guard("billing", Policy(deadline_s=0.05, retry=RetryPolicy(retries=3)), sleep=long_pause)

    with pytest.raises(TimedOut):
        await guard.run("GET /v1/x", refused, retryable=True)
    assert attempts == 1


async def test_a_timeout_counts_against_the_backend() -> None:
    calls = Calls()
    guard = Guard("aaa", Policy(deadline_s=0.01, breaker=BreakerPolicy(failures=2)), observer=calls)

    for _ in range(2):
        with pytest.raises(TimedOut):
            await guard.run("GET /v1/x", hang, retryable=False)
    with pytest.raises(CircuitOpen):
        await guard.run("GET /v1/x", hang, retryable=False)

    assert guard.breaker.state is State.OPEN
    assert [o for _, _, o in calls.finished] == ["timeout", "timeout", "circuit_open"]
    assert calls.breakers == [("aaa", "closed"), ("aaa", "open")]


async def test_a_cancelled_call_is_not_a_failure() -> None:
    guard = Guard("aaa", Policy(deadline_s=10, breaker=BreakerPolicy(failures=1)))
    task = asyncio.create_task(guard.run("GET /v1/x", hang, retryable=True))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert guard.breaker.state is State.CLOSED


# ------------------------------------------------------------------------------------------ over loopback


@pytest.fixture
def hung() -> Iterator[FaultProxy]:
    proxy = FaultProxy("127.0.0.1", free_port()).start()  # nothing behind it: HANG never answers
    proxy.set(Mode.HANG)
    yield proxy
    proxy.stop()


@pytest.fixture
async def client(hung: FaultProxy) -> AsyncIterator[CoreClient]:
    # Read and connect timeouts far beyond the deadline: only the deadline can end these calls.
    config = BackendConfig(base_url=hung.url, api_key="k", connect_timeout_s=30, read_timeout_s=30)
    policy = Policy(deadline_s=0.3, breaker=BreakerPolicy(failures=3, cooldown_s=3600))
    async with make_http_client(config, transport=pooled_transport(config)) as http:
        yield CoreClient("billing", http, Guard("billing", policy))


async def test_a_hung_backend_costs_one_deadline_per_call(client: CoreClient, hung: FaultProxy) -> None:
    started = time.monotonic()
    with pytest.raises(TimedOut):
        await client.call("GET", "/v1/subscribers/SUB-1/wallet")
    assert time.monotonic() - started < GENEROUS_S  # the read timeout (30 s) never came into it
    assert hung.connections == 1  # a timeout is not retried within the same deadline: it has none left


async def test_once_open_the_hung_backend_is_not_reached(client: CoreClient, hung: FaultProxy) -> None:
    # Three batch reads at once: each waits its deadline, and together they open the breaker.
    results = await asyncio.gather(
        *(client.batch("/v1/invoices:batch", [f"INV-{i}"], dict) for i in range(3)), return_exceptions=True
    )
    assert all(isinstance(r, TimedOut) for r in results)
    reached = hung.connections
    assert reached == 3 and client.guard.breaker.state is State.OPEN

    started = time.monotonic()
    for _ in range(50):
        with pytest.raises(CircuitOpen):
            await client.call("GET", "/v1/subscribers/SUB-1/wallet")
    assert time.monotonic() - started < GENEROUS_S

    assert hung.connections == reached  # fifty calls, not one connection


async def test_a_stray_timeout_of_the_transport_is_timed_out_too() -> None:
    async def transport_timeout() -> str:
        raise TimeoutError  # what a transport that forgot to map its own timeout would raise

    guard = Guard("oss", Policy(deadline_s=10, breaker=BreakerPolicy(failures=1)))
    with pytest.raises(TimedOut):
        await guard.run("GET /v1/x", transport_timeout, retryable=False)
    assert guard.breaker.state is State.OPEN
