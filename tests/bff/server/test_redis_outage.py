"""Redis killed (`kill -9`) and started again under an open subscription, on a real server over loopback.

While Redis is down: an authenticated query and a login answer HTTP 503 with `SESSION_STORE_UNAVAILABLE`,
in bounded time, never a plain-text 500 or INTERNAL; the open subscription stays open. When Redis is back:
the same subscription receives the next event. With the append-only file `docs/deployment.md` asks for the
session survives the restart; without persistence it does not, and the subscription ends at the next event
instead of delivering it to a session that no longer exists.

Each test runs a redis-server of its own (`tests.harness.redis_server`), never the shared one.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bff.core.bus import RedisBus
from bff.core.settings import Settings
from bff.server.app import create_app
from tests.harness.live_app import SUBSCRIBER, Subscription, mint_tokens, serving, topped_up
from tests.harness.portal import LOGIN, portal_settings
from tests.harness.redis_server import RedisServer, own_redis

WITHIN_S = 30.0  # generous bounds: a busy shared machine
# Pool wait + one socket timeout + one retry, with room to spare; what matters is that it is bounded.
ANSWERED_WITHIN_S = 15.0
VIEWER = "query { viewer { role } }"


def outage_settings(tmp_path: Path, server: RedisServer) -> Settings:
    return portal_settings(
        tmp_path,
        REDIS_URL=server.url,
        REDIS_PREFIX=f"wgtest-{uuid.uuid4().hex[:12]}:",
        REDIS_POOL_SIZE="4",
        REDIS_TIMEOUT_S="1",
    )


async def post(
    client: httpx.AsyncClient, query: str, token: str | None = None, **variables: Any
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)


def store_unavailable(response: httpx.Response) -> bool:
    if response.status_code != 503 or not response.headers.get("content-type", "").startswith(
        "application/json"
    ):
        return False
    errors = response.json().get("errors") or []
    return bool(errors) and errors[0]["extensions"]["code"] == "SESSION_STORE_UNAVAILABLE"


async def publish(settings: Settings, n: int) -> None:
    """Publish as another instance would: on the shared channel, through a connection of its own."""
    assert settings.redis_url is not None
    redis = Redis.from_url(settings.redis_url)
    try:
        await redis.publish(f"{settings.redis_prefix}events", topped_up(n).to_json())
    finally:
        await redis.aclose()


async def subscribed(settings: Settings, bus: RedisBus, listeners: int) -> None:
    """Until Redis itself says the instance is subscribed to the channel (after a restart: subscribed again)
    and `listeners` subscriptions listen on the bus."""
    assert settings.redis_url is not None
    probe = Redis.from_url(settings.redis_url)
    try:
        async with asyncio.timeout(WITHIN_S):
            while True:
                with contextlib.suppress(RedisError):
                    counts = await probe.pubsub_numsub(f"{settings.redis_prefix}events")
                    if counts[0][1] >= 1 and bus.listener_count(SUBSCRIBER) >= listeners:
                        return
                await asyncio.sleep(0.02)
    finally:
        await probe.aclose()


async def test_a_subscription_outlives_a_redis_restart_and_queries_answer_503_meanwhile(
    tmp_path: Path,
) -> None:
    with own_redis(tmp_path / "redis", persist=True) as server:
        settings = outage_settings(tmp_path, server)
        app = create_app(settings)
        async with (
            serving(app) as port,
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client,
        ):
            bus: RedisBus = app.state.bus
            (token,) = await mint_tokens(settings, 1)
            subscription = await Subscription(port, token).open()
            try:
                await subscribed(settings, bus, 1)
                await publish(settings, 1)
                first = await subscription.next(WITHIN_S)
                assert first["type"] == "next", first
                assert first["payload"]["data"]["paymentSettled"]["amount"]["amount"] == "1.00"

                server.kill()
                started = time.monotonic()
                query = await post(client, VIEWER, token)
                assert time.monotonic() - started < ANSWERED_WITHIN_S
                assert store_unavailable(query), (query.status_code, query.text)
                assert query.headers.get("retry-after") == "1"
                started = time.monotonic()
                login = await post(
                    client, LOGIN, email="ann@example.net", password="whatever", delivery="BODY"
                )
                assert time.monotonic() - started < ANSWERED_WITHIN_S
                assert store_unavailable(login), (login.status_code, login.text)
                # Nothing arrives on the subscription, and it is not ended: no `complete`, no close.
                try:
                    message = await subscription.next(1.0)
                except TimeoutError:
                    message = None
                assert message is None, message

                server.start()
                await subscribed(settings, bus, 1)
                await publish(settings, 2)
                second = await subscription.next(WITHIN_S)
                assert second["type"] == "next" and second["id"] == "1", second
                assert second["payload"]["data"]["paymentSettled"]["amount"]["amount"] == "2.00"
                # The session survived the restart (append-only file): queries work again.
                again = await post(client, VIEWER, token)
                assert again.status_code == 200 and again.json()["data"]["viewer"]["role"] == "OWNER", (
                    again.text
                )
            finally:
                await subscription.close()


async def test_without_persistence_a_restart_ends_every_session(tmp_path: Path) -> None:
    """What `docs/deployment.md` warns about: a Redis that keeps nothing signs everyone out when it restarts.
    The subscription ends (rather than delivering to a session that no longer exists), and the next query
    says why."""
    with own_redis(tmp_path / "redis", persist=False) as server:
        settings = outage_settings(tmp_path, server)
        app = create_app(settings)
        async with (
            serving(app) as port,
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client,
        ):
            bus: RedisBus = app.state.bus
            (token,) = await mint_tokens(settings, 1)
            subscription = await Subscription(port, token).open()
            try:
                await subscribed(settings, bus, 1)
                server.kill()
                server.start()
                await subscribed(settings, bus, 1)
                await publish(settings, 3)
                ended = await subscription.next(WITHIN_S)
                assert ended == {"id": "1", "type": "complete"}, ended
                # Signed out: the viewer is null (what an anonymous request gets), and a new subscription is
                # refused with the reason.
                query = await post(client, VIEWER, token)
                assert query.status_code == 200 and query.json() == {"data": {"viewer": None}}, query.text
                refused = await Subscription(port, token).open()
                try:
                    answer = await refused.next(WITHIN_S)
                finally:
                    await refused.close()
                assert answer["type"] == "error", answer
                assert answer["payload"][0]["extensions"] == {
                    "code": "UNAUTHENTICATED",
                    "reason": "SESSION_ENDED",
                }
            finally:
                await subscription.close()


async def test_a_hung_redis_costs_a_request_its_timeout_not_forever(tmp_path: Path) -> None:
    """Redis stopped (SIGSTOP), not dead: connections open, nothing answers. The socket timeout
    (REDIS_TIMEOUT_S=1, one retry) bounds the wait; the answer is the same coded 503."""
    with own_redis(tmp_path / "redis", persist=False) as server:
        settings = outage_settings(tmp_path, server)
        app = create_app(settings)
        async with (
            serving(app) as port,
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client,
        ):
            (token,) = await mint_tokens(settings, 1)
            assert (await post(client, VIEWER, token)).status_code == 200
            server.pause()
            try:
                started = time.monotonic()
                answers = await asyncio.gather(*(post(client, VIEWER, token) for _ in range(8)))
                assert time.monotonic() - started < ANSWERED_WITHIN_S
                assert all(store_unavailable(a) for a in answers), [(a.status_code, a.text) for a in answers]
                login = await post(
                    client, LOGIN, email="ann@example.net", password="whatever", delivery="BODY"
                )
                assert store_unavailable(login), (login.status_code, login.text)
            finally:
                server.resume()
            again = await post(client, VIEWER, token)
            assert again.status_code == 200 and again.json()["data"]["viewer"]["role"] == "OWNER", again.text
