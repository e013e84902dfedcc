"""Everything a running BFF shares between requests, opened by the app's lifespan and closed with it:
the backends, Redis (when configured), the session store, the rate limiter, the token and link signers,
the event bus and the de-duplication marks."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
from redis.asyncio import Redis

from bff.core.auth.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from bff.core.auth.service import AuthService
from bff.core.auth.sessions import MemorySessionStore, RedisSessionStore, SessionStore
from bff.core.auth.tokens import TokenService
from bff.core.backends import Backends, open_backends
from bff.core.bus import MemoryBus, RedisBus, open_bus
from bff.core.dedupe import Marks, MemoryMarks, RedisMarks
from bff.core.files import FileLinks
from bff.core.metrics import Metrics
from bff.core.redis_client import open_redis
from bff.core.settings import Settings
from bff.core.task_follow import TaskFollower
from bff.core.tracing import Tracing


@dataclass(frozen=True)
class Services:
    settings: Settings
    backends: Backends
    redis: Redis | None
    sessions: SessionStore
    limiter: RateLimiter
    tokens: TokenService
    files: FileLinks
    auth: AuthService
    bus: MemoryBus | RedisBus
    marks: Marks
    metrics: Metrics
    tracing: Tracing | None


@contextlib.asynccontextmanager
async def open_services(
    settings: Settings,
    backends_transport: httpx.AsyncBaseTransport | None = None,
    *,
    metrics: Metrics,
    tracing: Tracing | None = None,
) -> AsyncIterator[Services]:
    async with contextlib.AsyncExitStack() as stack:
        backends = await stack.enter_async_context(
            open_backends(settings, backends_transport, tracing=tracing, observer=metrics.calls)
        )
        redis: Redis | None = None
        subscriber: Redis | None = None
        sessions: SessionStore
        limiter: RateLimiter
        if settings.redis_url:
            clients = await stack.enter_async_context(open_redis(settings))
            redis, subscriber = clients.commands, clients.subscriber
            sessions = RedisSessionStore(redis, settings.refresh_ttl, settings.redis_prefix)
            limiter = RedisRateLimiter(redis, settings.redis_prefix)
        else:
            sessions = MemorySessionStore(settings.refresh_ttl)
            limiter = MemoryRateLimiter()
        tokens = TokenService(
            settings.jwt_secret,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            ttl=settings.access_ttl,
        )
        files = FileLinks(settings.files_signing_key, settings.file_link_ttl, settings.public_url)
        marks: Marks = MemoryMarks() if redis is None else RedisMarks(redis, settings.redis_prefix)
        bus = await stack.enter_async_context(
            open_bus(redis, f"{settings.redis_prefix}events", metrics.bus_delivered, subscriber=subscriber)
        )
        auth = AuthService(settings, tokens, sessions, limiter, backends.crm, bus)
        if backends.acs is not None:  # an ACS that sends no events: its tasks are followed here
            conf = settings.genieacs
            follower = TaskFollower(backends.oss, backends.crm, bus, conf.task_poll_s, conf.task_follow_s)
            backends.acs.on_task_queued = follower.follow
            stack.push_async_callback(follower.aclose)
        yield Services(
            settings, backends, redis, sessions, limiter, tokens, files, auth, bus, marks, metrics, tracing
        )
