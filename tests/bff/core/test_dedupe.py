"""The dedupe marks' memory and Redis twins (Redis a real one) pass the same suite: claimed once, released only
by their owner, gone when they expire."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from redis.asyncio import Redis

from bff.core.dedupe import Lease, Marks, MemoryMarks, RedisMarks


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


@pytest.fixture(params=["memory", "redis"])
async def marks(request: pytest.FixtureRequest) -> Any:
    if request.param == "memory":
        yield MemoryMarks()
        return
    redis = Redis.from_url(request.getfixturevalue("redis_url"))
    try:
        yield RedisMarks(redis, f"wgtest-{uuid.uuid4().hex[:12]}:")
    finally:
        await redis.aclose()


async def test_a_mark_is_renewed_only_by_its_owner_and_not_after_it_lapsed(marks: Marks) -> None:
    assert await marks.claim("lease", 0.2, "owner-a")
    assert not await marks.renew("lease", "owner-b", 5)
    assert await marks.renew("lease", "owner-a", 5)
    await asyncio.sleep(0.4)  # past the first TTL: the renewal kept it
    assert await marks.get("lease") == "owner-a"
    await marks.put("gone", "owner-a", 0.05)
    await asyncio.sleep(0.1)
    assert not await marks.renew("gone", "owner-a", 5)
    assert await marks.get("gone") is None


async def test_a_lease_lives_while_renewed_and_lapses_when_its_holder_dies(marks: Marks) -> None:
    holder = Lease(marks, "event", ttl_s=0.3)
    assert await holder.acquire()
    assert not await Lease(marks, "event", ttl_s=0.3).acquire()
    await asyncio.sleep(0.9)  # three TTLs: only the renewals keep it
    assert await marks.get("event") == holder.token
    await holder.release()
    assert await marks.get("event") is None

    crashed = Lease(marks, "event", ttl_s=0.3)
    assert await crashed.acquire()
    assert crashed._renewer is not None
    crashed._renewer.cancel()  # the holder dies: nobody renews, nobody releases
    other = Lease(marks, "event", ttl_s=0.3)
    assert not await other.acquire()
    await asyncio.sleep(0.6)
    assert await other.acquire()
    await crashed.release()  # a late release by the dead holder's token removes nothing
    assert await marks.get("event") == other.token
    await other.release()
