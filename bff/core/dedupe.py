"""Short-lived marks shared by every instance: "this webhook event was fully handled", "this payment's
notification was sent", "this instance is handling that event right now" — in memory (one process) or in
Redis (many). A mark is claimed atomically (`SET NX`), so of two concurrent claimants exactly one wins.
"""

from __future__ import annotations

import time
from typing import Protocol

from redis.asyncio import Redis

# How long a "done" mark lives: longer than any sender keeps retrying (Stripe: 3 days).
STEP_TTL_S = 7 * 24 * 3600


class Marks(Protocol):
    async def claim(self, key: str, ttl_s: float, value: str = "1") -> bool:
        """Set the mark unless it exists; True when this call set it."""
        ...

    async def put(self, key: str, value: str, ttl_s: float) -> None: ...

    async def get(self, key: str) -> str | None: ...

    async def release(self, key: str, value: str | None = None) -> bool:
        """Remove the mark — only if it still holds `value`, when given (a lock released by its owner)."""
        ...


class MemoryMarks:
    SWEEP_ABOVE = 10_000  # marks kept before expired ones are swept (they otherwise go only when read)

    def __init__(self) -> None:
        self._marks: dict[str, tuple[str, float]] = {}

    def _set(self, key: str, value: str, ttl_s: float) -> None:
        now = time.monotonic()
        if len(self._marks) >= self.SWEEP_ABOVE:
            self._marks = {k: v for k, v in self._marks.items() if v[1] > now}
        self._marks[key] = (value, now + ttl_s)

    def _live(self, key: str) -> str | None:
        entry = self._marks.get(key)
        if entry is None:
            return None
        if entry[1] <= time.monotonic():
            del self._marks[key]
            return None
        return entry[0]

    async def claim(self, key: str, ttl_s: float, value: str = "1") -> bool:
        # No await between the check and the set: atomic within the event loop.
        if self._live(key) is not None:
            return False
        self._set(key, value, ttl_s)
        return True

    async def put(self, key: str, value: str, ttl_s: float) -> None:
        self._set(key, value, ttl_s)

    async def get(self, key: str) -> str | None:
        return self._live(key)

    async def release(self, key: str, value: str | None = None) -> bool:
        current = self._live(key)
        if current is None or (value is not None and current != value):
            return False
        del self._marks[key]
        return True


_RELEASE_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _ms(ttl_s: float) -> int:
    return max(1, int(ttl_s * 1000))


class RedisMarks:
    def __init__(self, redis: Redis, prefix: str = "wg:") -> None:
        self.redis = redis
        self.prefix = prefix
        self._release_if = redis.register_script(_RELEASE_IF)

    def _key(self, key: str) -> str:
        return f"{self.prefix}mark:{key}"

    async def claim(self, key: str, ttl_s: float, value: str = "1") -> bool:
        return bool(await self.redis.set(self._key(key), value, nx=True, px=_ms(ttl_s)))

    async def put(self, key: str, value: str, ttl_s: float) -> None:
        await self.redis.set(self._key(key), value, px=_ms(ttl_s))

    async def get(self, key: str) -> str | None:
        raw = await self.redis.get(self._key(key))
        if raw is None:
            return None
        return raw.decode() if isinstance(raw, bytes) else str(raw)

    async def release(self, key: str, value: str | None = None) -> bool:
        if value is None:
            return bool(await self.redis.delete(self._key(key)))
        return bool(await self._release_if(keys=[self._key(key)], args=[value]))
