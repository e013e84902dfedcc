"""`RedisBus` outlives its Redis: killed (`kill -9`) and started again, the bus subscribes again on its own
and its listeners — left open all along — receive the next event published after Redis is back.

Each test runs a redis-server of its own (`tests.harness.redis_server`), never the shared one.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from bff.core.bus import BusEvent, RedisBus
from bff.core.redis_client import is_outage, open_redis
from bff.core.settings import Settings
from tests.harness.portal import portal_settings
from tests.harness.redis_server import RedisServer, own_redis

CHANNEL = "wgtest:events"
WITHIN_S = 30.0  # generous: a busy shared machine


def settled(n: int) -> BusEvent:
    return BusEvent(id=f"evt-{n}", type="payment.settled", subscriber_id="SUB-1", data={"n": n})


def redis_settings(tmp_path: Path, server: RedisServer, **env: str) -> Settings:
    return portal_settings(tmp_path, REDIS_URL=server.url, **env)


async def numsub(url: str) -> int:
    """How many connections Redis says are subscribed to the channel (asked on a connection of our own)."""
    probe = Redis.from_url(url)
    try:
        return int((await probe.pubsub_numsub(CHANNEL))[0][1])
    finally:
        await probe.aclose()


async def test_a_listener_survives_a_redis_restart_and_gets_the_next_event(tmp_path: Path) -> None:
    with own_redis(tmp_path / "redis") as server:
        async with open_redis(redis_settings(tmp_path, server)) as clients:
            bus = RedisBus(
                clients.commands, CHANNEL, subscriber=clients.subscriber, max_reconnect_delay_s=0.5
            )
            await bus.start()
            received: list[BusEvent] = []

            async def listen() -> None:
                async for item in bus.listen("SUB-1"):
                    received.append(item)

            listener = asyncio.create_task(listen())
            try:
                async with asyncio.timeout(WITHIN_S):
                    while bus.listener_count("SUB-1") == 0:  # noqa: ASYNC110 - a plain condition
                        await asyncio.sleep(0.01)
                await bus.publish(settled(1))
                async with asyncio.timeout(WITHIN_S):
                    while len(received) < 1:  # noqa: ASYNC110 - a plain condition
                        await asyncio.sleep(0.01)

                server.kill()
                # Publishing while Redis is down fails fast, as an outage the caller can tell apart.
                with pytest.raises(RedisConnectionError) as failed:
                    async with asyncio.timeout(WITHIN_S):
                        await bus.publish(settled(2))
                assert is_outage(failed.value)
                async with asyncio.timeout(WITHIN_S):
                    await _until_not(bus.subscribed)
                assert not listener.done(), "the listener must stay open while Redis is away"

                server.start()
                async with asyncio.timeout(WITHIN_S):
                    await bus.subscribed.wait()
                assert await numsub(server.url) == 1  # subscribed again, once
                assert bus.subscriptions == 2
                await bus.publish(settled(3))
                async with asyncio.timeout(WITHIN_S):
                    while len(received) < 2:  # noqa: ASYNC110 - a plain condition
                        await asyncio.sleep(0.01)
                assert [e.id for e in received] == ["evt-1", "evt-3"]
                assert not listener.done()
            finally:
                await bus.close()
                listener.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listener


async def test_the_bus_keeps_trying_until_redis_comes_back(tmp_path: Path) -> None:
    """Down for several reconnect attempts (not just one): the backoff keeps trying, and succeeds."""
    with own_redis(tmp_path / "redis") as server:
        async with open_redis(redis_settings(tmp_path, server)) as clients:
            bus = RedisBus(
                clients.commands,
                CHANNEL,
                subscriber=clients.subscriber,
                reconnect_delay_s=0.05,
                max_reconnect_delay_s=0.2,
            )
            await bus.start()
            try:
                server.kill()
                async with asyncio.timeout(WITHIN_S):
                    await _until_not(bus.subscribed)
                await asyncio.sleep(1.5)  # several failed attempts at 0.05–0.2 s
                assert not bus.subscribed.is_set()
                server.start()
                async with asyncio.timeout(WITHIN_S):
                    await bus.subscribed.wait()
                assert await numsub(server.url) == 1
            finally:
                await bus.close()
            assert await _eventually_zero(server.url)


async def _until_not(flag: asyncio.Event) -> None:
    while flag.is_set():  # noqa: ASYNC110 - an asyncio.Event has no "wait until clear"
        await asyncio.sleep(0.01)


async def _eventually_zero(url: str) -> bool:
    # Redis drops a closed connection's subscriptions when it reads the close: a moment after ours.
    async with asyncio.timeout(WITHIN_S):
        while await numsub(url) != 0:  # noqa: ASYNC110 - asking Redis, not a local flag
            await asyncio.sleep(0.02)
    return True
