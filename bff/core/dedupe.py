"""Short-lived marks shared by every instance: "this webhook event was fully handled", "this instance is
handling that event right now" — in memory (one process) or in Redis (many). A mark is claimed atomically
(`SET NX`), so of two concurrent claimants exactly one wins.

Marks are an optimisation, never what keeps a side effect exactly-once: every side effect carries an
idempotency key its system of record honours (`bff.core.payments.effects`), so a lost mark (Redis flushed,
restarted without persistence) costs a few repeated calls that change nothing. A mark that says "done" is
written only after the work is done; a mark that says "busy" is a `Lease` that lapses within seconds when its
holder dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger("wispgate.dedupe")

# How long a "done" mark lives: longer than any sender keeps retrying (Stripe: 3 days).
STEP_TTL_S = 7 * 24 * 3600
# How long a lease outlives its holder's last renewal: what a holder killed with SIGKILL costs the others.
LEASE_S = 5.0


class Marks(Protocol):
    async def claim(self, key: str, ttl_s: float, value: str = "1") -> bool:
        """Set the mark unless it exists; True when this call set it."""
        ...

    async def put(self, key: str, value: str, ttl_s: float) -> None: ...

    async def get(self, key: str) -> str | None: ...

    async def release(self, key: str, value: str | None = None) -> bool:
        """Remove the mark — only if it still holds `value`, when given (a lock released by its owner)."""
        ...

    async def renew(self, key: str, value: str, ttl_s: float) -> bool:
        """Give the mark `ttl_s` more — only if it still holds `value`; False when it lapsed or changed hands."""
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

    async def renew(self, key: str, value: str, ttl_s: float) -> bool:
        if self._live(key) != value:
            return False
        self._set(key, value, ttl_s)
        return True


_RELEASE_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


_RENEW_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""


def _ms(ttl_s: float) -> int:
    return max(1, int(ttl_s * 1000))


class RedisMarks:
    def __init__(self, redis: Redis, prefix: str = "wg:") -> None:
        self.redis = redis
        self.prefix = prefix
        self._release_if = redis.register_script(_RELEASE_IF)
        self._renew_if = redis.register_script(_RENEW_IF)

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

    async def renew(self, key: str, value: str, ttl_s: float) -> bool:
        return bool(await self._renew_if(keys=[self._key(key)], args=[value, _ms(ttl_s)]))


class Lease:
    """A lock that lapses `ttl_s` after its holder stops renewing it.

    `acquire()` claims the key with a token of its own and, when it wins, renews it every third of `ttl_s`
    in the background while the work runs; `release()` stops renewing and removes the key only if it still
    holds this token (a lease that lapsed and was taken by another instance is not theirs to remove). A
    holder killed mid-work (SIGKILL, OOM, power) blocks the key for at most `ttl_s`, not for as long as the
    work could ever take. Losing the lease mid-work (a stalled process) is logged: the work it guards is
    safe to run twice, because every side effect is idempotent at its system of record.
    """

    def __init__(self, marks: Marks, key: str, ttl_s: float = LEASE_S) -> None:
        self.marks = marks
        self.key = key
        self.ttl_s = ttl_s
        self.token = secrets.token_hex(8)
        self._renewer: asyncio.Task[None] | None = None

    async def acquire(self) -> bool:
        if not await self.marks.claim(self.key, self.ttl_s, self.token):
            return False
        self._renewer = asyncio.create_task(self._renew(), name=f"lease:{self.key}")
        return True

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(self.ttl_s / 3)
            try:
                if not await self.marks.renew(self.key, self.token, self.ttl_s):
                    log.warning("lease %s lapsed before its work was done", self.key)
                    return
            except (RedisError, OSError) as exc:
                log.warning("lease %s not renewed (%s)", self.key, type(exc).__name__)

    async def release(self) -> None:
        if self._renewer is not None:
            self._renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewer
            self._renewer = None
        await self.marks.release(self.key, self.token)
