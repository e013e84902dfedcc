"""1,000 open subscriptions on one instance, over real WebSockets, each with a session of its own: one event
reaches every one of them, and the instance holds no more Redis connections than its pool plus its one
subscriber — however many subscriptions check their session at once.

Before: each subscription's session check on the event took a pool connection of its own; redis-py's pool
(100) refused 901 of 1,000 with "Too many connections" and ended them. Here the pool is 4 connections.
Timings belong to `bench/subscriptions.py` (10,000 of them); the bound here is only generous.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from redis.asyncio import Redis

from bff.core.bus import RedisBus
from bff.server.app import create_app
from tests.harness.live_app import SUBSCRIBER, Subscription, mint_tokens, serving, topped_up
from tests.harness.portal import portal_settings
from tests.harness.redis_server import own_redis

SUBSCRIPTIONS = 1000
POOL = 4
WITHIN_S = 180.0  # generous: 1,000 clients and the server share this process on a busy machine
OPENING_AT_ONCE = 100


async def test_one_event_reaches_a_thousand_subscriptions_on_one_instance(tmp_path: Path) -> None:
    with own_redis(tmp_path / "redis", persist=False) as server:
        settings = portal_settings(
            tmp_path,
            REDIS_URL=server.url,
            REDIS_PREFIX=f"wgtest-{uuid.uuid4().hex[:12]}:",
            REDIS_POOL_SIZE=str(POOL),
        )
        app = create_app(settings)
        probe = Redis.from_url(server.url)
        subscriptions: list[Subscription] = []
        try:
            async with serving(app) as port:
                bus: RedisBus = app.state.bus
                tokens = await mint_tokens(settings, SUBSCRIPTIONS)
                async with asyncio.timeout(WITHIN_S):
                    for start in range(0, SUBSCRIPTIONS, OPENING_AT_ONCE):
                        wave = [Subscription(port, t) for t in tokens[start : start + OPENING_AT_ONCE]]
                        subscriptions += await asyncio.gather(*(s.open() for s in wave))
                    while bus.listener_count(SUBSCRIBER) < SUBSCRIPTIONS:  # noqa: ASYNC110 - a plain condition
                        await asyncio.sleep(0.05)

                await probe.publish(f"{settings.redis_prefix}events", topped_up(7).to_json())
                messages = await asyncio.gather(*(s.next(WITHIN_S) for s in subscriptions))

                assert [m["type"] for m in messages] == ["next"] * SUBSCRIPTIONS, {
                    str(m) for m in messages if m["type"] != "next"
                }
                amounts = {m["payload"]["data"]["paymentSettled"]["amount"]["amount"] for m in messages}
                assert amounts == {"7.00"}
                # Still open, all of them: nothing ended them.
                assert bus.listener_count(SUBSCRIBER) == SUBSCRIPTIONS
                # The instance's connections: at most the pool, the subscriber (and its spare), plus this probe.
                clients = await probe.client_list()
                assert len(clients) <= POOL + 2 + 1, [c.get("cmd") for c in clients]
                await asyncio.gather(*(s.close() for s in subscriptions))
        finally:
            await probe.aclose()
