"""The app under a real uvicorn on a loopback port in this event loop, and what its WebSocket tests need:
sessions minted straight into the app's Redis (as another instance would create them, without a CRM round
trip per session) and a minimal graphql-transport-ws client.

The subscriptions these tests open need no backend: `paymentSettled` for a wallet top-up, selecting only
what the event carries, is answered from the event alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from redis.asyncio import Redis
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from bff.core.auth.sessions import RedisSessionStore
from bff.core.auth.tokens import TokenService
from bff.core.auth.viewer import Identity, Viewer
from bff.core.bus import PAYMENT_SETTLED, SETTLED_WALLET_TOPUP, BusEvent
from bff.core.settings import Settings

SUBSCRIBER = "SUB-LIVE-1"
OWNER = Identity("U-LIVE-1", "owner@live.example", "Live Owner", "OWNER", SUBSCRIBER, frozenset())
SETTLED = "subscription { paymentSettled { kind amount { amount currency } } }"


@contextlib.asynccontextmanager
async def serving(app: Any) -> AsyncIterator[int]:
    """The app (lifespan and all) under uvicorn on a free loopback port; yields the port."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", ws="websockets-sansio")
    )
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(30):
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.01)
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        await task


async def mint_tokens(settings: Settings, count: int, identity: Identity = OWNER) -> list[str]:
    """`count` sessions of `identity` in the app's Redis, and an access token for each."""
    assert settings.redis_url is not None
    redis = Redis.from_url(settings.redis_url)
    store = RedisSessionStore(redis, settings.refresh_ttl, settings.redis_prefix)
    tokens = TokenService(
        settings.jwt_secret,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl=settings.access_ttl,
    )
    try:
        minted = []
        for _ in range(count):
            session, _refresh = await store.create(identity.user_id, "live test", "127.0.0.1", identity)
            minted.append(tokens.issue(Viewer.of_identity(identity, session.id, session.version)).token)
        return minted
    finally:
        await redis.aclose()


def topped_up(n: int, subscriber_id: str = SUBSCRIBER) -> BusEvent:
    return BusEvent(
        id=f"live-{n}",
        type=PAYMENT_SETTLED,
        subscriber_id=subscriber_id,
        data={"kind": SETTLED_WALLET_TOPUP, "amount": f"{n}.00", "currency": "USD"},
        occurred_at="2026-11-25T10:00:00Z",
    )


class Subscription:
    """One WebSocket, one subscription (id "1"), authenticated in `connection_init` like a mobile client."""

    def __init__(self, port: int, token: str) -> None:
        self.url = f"ws://127.0.0.1:{port}/graphql"
        self.token = token
        self.ws: ClientConnection | None = None

    async def open(self, query: str = SETTLED) -> Subscription:
        self.ws = await connect(self.url, subprotocols=[Subprotocol("graphql-transport-ws")], open_timeout=60)
        init = {"type": "connection_init", "payload": {"authorization": f"Bearer {self.token}"}}
        await self.ws.send(json.dumps(init))
        ack = await self.next(60)
        assert ack.get("type") == "connection_ack", ack
        await self.ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        return self

    async def next(self, timeout_s: float) -> dict[str, Any]:
        """The next message other than ping/pong (pings answered); `TimeoutError` after `timeout_s`."""
        assert self.ws is not None
        async with asyncio.timeout(timeout_s):
            while True:
                message: dict[str, Any] = json.loads(await self.ws.recv())
                if message.get("type") == "ping":
                    await self.ws.send(json.dumps({"type": "pong"}))
                elif message.get("type") != "pong":
                    return message

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
