"""The sign-in guard's three counters, on both limiter implementations (memory and a real Redis). Time is
passed in (`now`), so the delays are checked exactly without waiting for them."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from redis.asyncio import Redis

from bff.core.auth.guard import GuardPolicy, SignInGuard
from bff.core.auth.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter

POLICY = GuardPolicy(free=3, max_delay_s=60, per_address=5, window=timedelta(minutes=15), global_budget=8)


@pytest.fixture
def guard(kind: str, redis: tuple[Redis, str]) -> SignInGuard:
    limiter: RateLimiter = MemoryRateLimiter() if kind == "memory" else RedisRateLimiter(*redis)
    return SignInGuard(limiter, POLICY)


async def test_an_accounts_delays_double_and_are_capped(guard: SignInGuard) -> None:
    for _ in range(3):
        assert await guard.retry_after("cara@jensen.example", "198.51.100.1") is None
        await guard.failed("cara@jensen.example", "198.51.100.1")
    now = time.time()
    # From any address: the account is what counts.
    assert await guard.retry_after("cara@jensen.example", "198.51.100.2", now=now) == 1
    assert await guard.retry_after("cara@jensen.example", "198.51.100.2", now=now + 1.5) is None
    assert [guard.delay_after(n) for n in range(2, 11)] == [0, 1, 2, 4, 8, 16, 32, 60, 60]
    await guard.failed("cara@jensen.example", "198.51.100.3")
    assert await guard.retry_after("cara@jensen.example", "198.51.100.4", now=time.time()) == 2


async def test_a_success_starts_the_accounts_delays_over(guard: SignInGuard) -> None:
    for _ in range(4):
        await guard.failed("ana@lima.example", "198.51.100.1")
    assert await guard.retry_after("ana@lima.example", "198.51.100.1", now=time.time()) is not None
    await guard.succeeded("ana@lima.example")
    assert await guard.retry_after("ana@lima.example", "198.51.100.7", now=time.time()) is None


async def test_an_address_that_sprays_many_accounts_is_refused_for_the_window(guard: SignInGuard) -> None:
    for n in range(5):
        await guard.failed(f"user{n}@spray.example", "203.0.113.50")
    wait = await guard.retry_after("ana@lima.example", "203.0.113.50")
    assert wait is not None and 14 * 60 < wait <= 15 * 60
    assert await guard.retry_after("ana@lima.example", "203.0.113.51") is None


async def test_a_spray_from_many_addresses_slows_whoever_failed_recently(guard: SignInGuard) -> None:
    for n in range(8):  # the global budget, one failure per address and account
        await guard.failed(f"user{n}@spray.example", f"192.0.2.{n}")
    # An account or address with a recent failure waits for the minute to end...
    wait = await guard.retry_after("user0@spray.example", "192.0.2.200")
    assert wait is not None and wait <= 60
    assert await guard.retry_after("fresh@spray.example", "192.0.2.3") is not None
    # ... a clean account from a clean address does not.
    assert await guard.retry_after("ana@lima.example", "198.51.100.77") is None
