"""The dedupe marks' memory and Redis twins (Redis a real one) pass the same suite: claimed once, released only
by their owner, gone when they expire."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from redis.asyncio import Redis

from bff.core.dedupe import Marks, MemoryMarks, RedisMarks


@pytest.mark.parametrize("kind", ["memory", "redis"])
async def test_marks_are_claimed_once_and_released_by_their_owner(
    kind: str, request: pytest.FixtureRequest
) -> None:
    redis: Any = None
    marks: Marks
    if kind == "memory":
        marks = MemoryMarks()
    else:
        redis = Redis.from_url(request.getfixturevalue("redis_url"))
        marks = RedisMarks(redis, f"wgtest-{uuid.uuid4().hex[:12]}:")
    try:
        assert await marks.claim("lock", 5, "owner-a")
        assert not await marks.claim("lock", 5, "owner-b")
        assert await marks.get("lock") == "owner-a"
        assert not await marks.release("lock", "owner-b")  # not theirs to release
        assert await marks.release("lock", "owner-a")
        assert await marks.get("lock") is None
        claims = await asyncio.gather(*(marks.claim("once", 5) for _ in range(50)))
        assert claims.count(True) == 1
        await marks.put("short", "x", 0.05)
        await asyncio.sleep(0.1)
        assert await marks.get("short") is None and await marks.claim("short", 5)
    finally:
        if redis is not None:
            await redis.aclose()
