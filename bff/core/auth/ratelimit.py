"""Fixed-window attempt counters (login, and later gift-card redemption), in memory or in Redis."""

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


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window: timedelta) -> Decision:
        """Count one attempt under `key`; refused once more than `limit` were made within `window`."""
        ...

    async def reset(self, key: str) -> None: ...


class MemoryRateLimiter:
    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, float]] = {}  # key -> (count, deadline)
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


_HIT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}
"""


class RedisRateLimiter:
    """Shared by every instance, so a client cannot multiply its budget by spreading over instances."""

    def __init__(self, redis: Redis, prefix: str = "wg:") -> None:
        self.redis = redis
        self.prefix = prefix
        self._hit = redis.register_script(_HIT)

    async def hit(self, key: str, limit: int, window: timedelta) -> Decision:
        window_ms = max(1, int(window.total_seconds() * 1000))
        count, ttl_ms = await self._hit(keys=[f"{self.prefix}rate:{key}"], args=[window_ms])
        allowed = int(count) <= limit
        return Decision(allowed, int(count), 0 if allowed else math.ceil(int(ttl_ms) / 1000))

    async def reset(self, key: str) -> None:
        await self.redis.delete(f"{self.prefix}rate:{key}")
