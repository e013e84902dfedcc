"""The fixed-window attempt counters (login, gift-card guesses), in memory and in a real Redis."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from redis.asyncio import Redis

from bff.core.auth.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter


@pytest.fixture
def limiter(kind: str, redis: tuple[Redis, str]) -> RateLimiter:
    if kind == "memory":
        return MemoryRateLimiter()
    client, prefix = redis
    return RedisRateLimiter(client, prefix)


async def test_rate_limiter_allows_the_budget_then_refuses(limiter: RateLimiter) -> None:
    window = timedelta(minutes=15)
    decisions = [await limiter.hit("login:k", 3, window) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert decisions[-1].attempts == 4 and 0 < decisions[-1].retry_after_s <= 900
    assert (await limiter.hit("login:other", 3, window)).allowed
    await limiter.reset("login:k")
    assert (await limiter.hit("login:k", 3, window)).allowed


async def test_rate_limit_window_resets(limiter: RateLimiter) -> None:
    window = timedelta(milliseconds=200)
    assert (await limiter.hit("k", 1, window)).allowed
    assert not (await limiter.hit("k", 1, window)).allowed
    await asyncio.sleep(0.3)
    assert (await limiter.hit("k", 1, window)).allowed
