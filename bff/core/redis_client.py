"""The process's Redis clients, and what counts as Redis being unavailable.

Two clients, because their connections live differently:
- **commands** (sessions, rate limits, de-duplication marks, publishing): a *blocking* pool of
  `REDIS_POOL_SIZE` connections. When every connection is busy a command waits up to `REDIS_POOL_TIMEOUT_S`
  for one instead of failing at once with "Too many connections" (redis-py's default pool); the in-process
  batching of session reads (`bff.core.redis_batch`) keeps a burst of subscription events to a few commands.
- **subscriber**: the one pub/sub connection of the process (`bff.core.bus`), outside that pool, so it can
  neither be starved by commands nor hold one of theirs.

Every read and write gives up after `REDIS_TIMEOUT_S` (connect included) and is retried once at most: a dead
or hung Redis costs a request about a second, after which it is answered 503 `SESSION_STORE_UNAVAILABLE`
(`bff.server.graphql`) instead of hanging or failing with a plain 500.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from redis.asyncio import BlockingConnectionPool, ConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ReadOnlyError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bff.core.settings import Settings

# Redis cannot answer (down, restarting, loading its data set, a replica during a fail-over, no connection
# free in time); anything else a command raises is a bug of ours and stays INTERNAL.
OUTAGES: tuple[type[Exception], ...] = (RedisConnectionError, RedisTimeoutError, ReadOnlyError)
STORE_UNAVAILABLE = "SESSION_STORE_UNAVAILABLE"
# How often an idle pub/sub connection is checked with a PING: a Redis gone without closing the socket (a
# host that vanished) is noticed within this, not at the next kernel keep-alive hours later.
SUBSCRIBER_HEALTH_CHECK_S = 5


def is_outage(exc: BaseException) -> bool:
    """Did this exception come from Redis being unreachable (rather than from a wrong command)?"""
    return isinstance(exc, OUTAGES)


@dataclass(frozen=True)
class RedisClients:
    commands: Redis
    subscriber: Redis


def _retry() -> Retry:
    # One quick retry covers a connection Redis closed while it sat in the pool; more would only multiply
    # the time an outage takes to answer.
    return Retry(ExponentialWithJitterBackoff(base=0.05, cap=0.2), retries=1)


def command_pool(settings: Settings) -> BlockingConnectionPool:
    assert settings.redis_url is not None
    return BlockingConnectionPool.from_url(
        settings.redis_url,
        max_connections=settings.redis_pool_size,
        timeout=settings.redis_pool_timeout_s,
        socket_timeout=settings.redis_timeout_s,
        socket_connect_timeout=settings.redis_timeout_s,
        socket_keepalive=True,
        retry=_retry(),
    )


def subscriber_pool(settings: Settings) -> ConnectionPool:
    assert settings.redis_url is not None
    # No socket_timeout here: the bus waits for messages with timeouts of its own, and a quiet channel is
    # not an outage. The health check PINGs a quiet connection instead.
    return ConnectionPool.from_url(
        settings.redis_url,
        max_connections=2,  # the subscription, and one spare while a broken one is being closed
        socket_connect_timeout=settings.redis_timeout_s,
        socket_keepalive=True,
        health_check_interval=SUBSCRIBER_HEALTH_CHECK_S,
        retry=_retry(),
    )


@contextlib.asynccontextmanager
async def open_redis(settings: Settings) -> AsyncIterator[RedisClients]:
    """Both clients for the app's lifespan (no connection is made until the first command)."""
    commands = Redis.from_pool(command_pool(settings))
    subscriber = Redis.from_pool(subscriber_pool(settings))
    try:
        yield RedisClients(commands, subscriber)
    finally:
        await subscriber.aclose()
        await commands.aclose()
