"""`TickBatch`: reads asked for in one loop turn become one fetch; nothing is cached across turns; a failed
fetch fails every waiter with its own copy of the error. And `RedisSessionStore.state` uses it: a burst of
session checks on a pool of two connections is a pipelined round trip, not a refusal."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import timedelta

import pytest
from redis.asyncio import BlockingConnectionPool, Redis

from bff.core.auth.sessions import RedisSessionStore
from bff.core.auth.viewer import Identity
from bff.core.redis_batch import TickBatch


class Source:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.value = "a"
        self.fail: Exception | None = None

    async def fetch(self, keys: Sequence[str]) -> list[str]:
        self.calls.append(list(keys))
        await asyncio.sleep(0)
        if self.fail is not None:
            raise self.fail
        return [f"{key}={self.value}" for key in keys]


async def test_one_turn_of_reads_is_one_fetch_and_each_key_is_read_once() -> None:
    source = Source()
    batch = TickBatch(source.fetch)
    results = await asyncio.gather(*(batch.load(k) for k in ["x", "y", "x", "z", "y"]))
    assert results == ["x=a", "y=a", "x=a", "z=a", "y=a"]
    assert source.calls == [["x", "y", "z"]]


async def test_nothing_is_cached_between_turns() -> None:
    source = Source()
    batch = TickBatch(source.fetch)
    assert await batch.load("x") == "x=a"
    source.value = "b"
    assert await batch.load("x") == "x=b"
    assert len(source.calls) == 2


async def test_large_turns_are_split_into_chunks() -> None:
    source = Source()
    batch = TickBatch(source.fetch, max_batch=100)
    await asyncio.gather(*(batch.load(str(i)) for i in range(250)))
    assert [len(call) for call in source.calls] == [100, 100, 50]


async def test_a_failed_fetch_fails_every_waiter_with_its_own_copy() -> None:
    source = Source()
    source.fail = ConnectionError("down")
    batch = TickBatch(source.fetch)
    outcomes = await asyncio.gather(*(batch.load(k) for k in ["x", "y", "x"]), return_exceptions=True)
    assert all(isinstance(o, ConnectionError) and str(o) == "down" for o in outcomes)
    assert len({id(o) for o in outcomes}) == 3
    source.fail = None
    assert await batch.load("x") == "x=a"  # the next turn reads again


async def test_a_cancelled_waiter_does_not_disturb_the_others() -> None:
    source = Source()
    batch = TickBatch(source.fetch)
    first = asyncio.create_task(batch.load("x"))
    second = asyncio.create_task(batch.load("x"))
    await asyncio.sleep(0)
    first.cancel()
    assert await second == "x=a"
    with pytest.raises(asyncio.CancelledError):
        await first


async def test_a_thousand_session_checks_share_one_pipeline_on_a_tiny_pool(redis_url: str) -> None:
    # Two connections, no waiting for a free one: 1,000 concurrent commands would be refused at once.
    redis = Redis.from_pool(BlockingConnectionPool.from_url(redis_url, max_connections=2, timeout=0.01))
    store = RedisSessionStore(redis, timedelta(minutes=5), prefix=f"wgtest-{uuid.uuid4().hex[:12]}:")
    identity = Identity("U-1", "u@example.net", "U", "OWNER", "SUB-1", frozenset())
    try:
        sessions = [(await store.create("U-1", "test", "127.0.0.1", identity))[0] for _ in range(20)]
        ids = [sessions[i % 20].id for i in range(1000)] + ["unknown"]
        before = store._states.round_trips
        states = await asyncio.gather(*(store.state(sid) for sid in ids))
        assert all(state is not None and state.version == 1 for state in states[:-1])
        assert states[-1] is None
        assert store._states.round_trips - before == 1
    finally:
        await store.revoke_all("U-1")
        await redis.aclose()
