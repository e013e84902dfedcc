"""Attempt counters, in memory or in Redis (shared by every instance).

`hit` is a fixed-window limit (gift-card redemption). `record`/`peek` keep a count of failures in a window
together with the time of the last one, which is what the sign-in guard's growing delays need
(`bff.core.auth.guard`).
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from redis.asyncio import Redis


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    attempts: int  # counted in the current window, this one included
    retry_after_s: int  # seconds until the window resets (0 when allowed)


@dataclass(frozen=True, slots=True)
class Failures:
    count: int  # within the window
    last_at: float  # unix time of the last one (0.0 when none)
    resets_in_s: float  # until the window ends (0.0 when none)


NO_FAILURES = Failures(0, 0.0, 0.0)


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window: timedelta) -> Decision:
        """Count one attempt under `key`; refused once more than `limit` were made within `window`."""
        ...

    async def reset(self, key: str) -> None: ...

    async def record(self, key: str, window: timedelta) -> Failures:
        """Count one failure under `key` (the window starts at the first one) and remember when."""
        ...

    async def peek(self, keys: list[str]) -> list[Failures]:
        """The failures counted under each key, without counting anything."""
        ...


class MemoryRateLimiter:
    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, float]] = {}  # key -> (count, deadline)
        self._failures: dict[str, tuple[int, float, float]] = {}  # key -> (count, last, deadline), unix time
        self._lock = asyncio.Lock()

    async def hit(self, key: str, limit: int, window: timedelta) -> Decision:
        now = time.monotonic()
        async with self._lock:
            count, deadline = self._windows.get(key, (0, 0.0))
            if deadline <= now:
                count, deadline = 0, now + window.total_seconds()
                # Forget every expired window now and then so the dict does not grow without bound.
                if len(self._windows) > 10_000:
                    self._windows = {k: v for k, v in self._windows.items() if v[1] > now}
            count += 1
            self._windows[key] = (count, deadline)
        allowed = count <= limit
        return Decision(allowed, count, 0 if allowed else math.ceil(deadline - now))

    async def reset(self, key: str) -> None:
        async with self._lock:
            self._windows.pop(key, None)
            self._failures.pop(key, None)

    async def record(self, key: str, window: timedelta) -> Failures:
        now = time.time()
        async with self._lock:
            count, _last, deadline = self._failures.get(key, (0, 0.0, 0.0))
            if deadline <= now:
                count, deadline = 0, now + window.total_seconds()
                if len(self._failures) > 10_000:
                    self._failures = {k: v for k, v in self._failures.items() if v[2] > now}
            self._failures[key] = (count + 1, now, deadline)
        return Failures(count + 1, now, deadline - now)

    async def peek(self, keys: list[str]) -> list[Failures]:
        now = time.time()
        found = []
        for key in keys:
            count, last, deadline = self._failures.get(key, (0, 0.0, 0.0))
            found.append(Failures(count, last, deadline - now) if deadline > now else NO_FAILURES)
        return found


_HIT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}
"""


# A failure: count it, remember when (server time, so every instance agrees), start the window at the first.
_RECORD = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
redis.call('HSET', KEYS[1], 'last', tostring(now))
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, tostring(now), redis.call('PTTL', KEYS[1])}
"""


class RedisRateLimiter:
    """Shared by every instance, so a client cannot multiply its budget by spreading over instances."""

    def __init__(self, redis: Redis, prefix: str = "wg:") -> None:
        self.redis = redis
        self.prefix = prefix
        self._hit = redis.register_script(_HIT)
        self._record = redis.register_script(_RECORD)

    async def hit(self, key: str, limit: int, window: timedelta) -> Decision:
        window_ms = max(1, int(window.total_seconds() * 1000))
        count, ttl_ms = await self._hit(keys=[f"{self.prefix}rate:{key}"], args=[window_ms])
        allowed = int(count) <= limit
        return Decision(allowed, int(count), 0 if allowed else math.ceil(int(ttl_ms) / 1000))

    async def reset(self, key: str) -> None:
        await self.redis.delete(f"{self.prefix}rate:{key}", f"{self.prefix}fail:{key}")

    async def record(self, key: str, window: timedelta) -> Failures:
        window_ms = max(1, int(window.total_seconds() * 1000))
        count, last, ttl_ms = await self._record(keys=[f"{self.prefix}fail:{key}"], args=[window_ms])
        return Failures(int(count), float(last), max(0, int(ttl_ms)) / 1000)

    async def peek(self, keys: list[str]) -> list[Failures]:
        async with self.redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.hmget(f"{self.prefix}fail:{key}", ["n", "last"])
                pipe.pttl(f"{self.prefix}fail:{key}")
            answers = await pipe.execute()
        found = []
        for (count, last), ttl_ms in zip(answers[0::2], answers[1::2], strict=True):
            if count is None or int(ttl_ms) <= 0:
                found.append(NO_FAILURES)
            else:
                found.append(Failures(int(count), float(last or 0), int(ttl_ms) / 1000))
        return found
