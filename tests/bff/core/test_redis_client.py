"""The Redis clients are configured from the settings: a blocking command pool of REDIS_POOL_SIZE with its
wait and socket timeouts, a separate subscriber pool; what counts as an outage."""

from __future__ import annotations

from pathlib import Path

import pytest
from redis.asyncio import BlockingConnectionPool
from redis.exceptions import BusyLoadingError, ReadOnlyError, ResponseError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bff.core.redis_client import command_pool, is_outage, open_redis, subscriber_pool
from bff.core.settings import SettingsError
from tests.harness.portal import portal_settings


def test_the_command_pool_blocks_with_a_bound_and_every_command_has_a_timeout(tmp_path: Path) -> None:
    settings = portal_settings(
        tmp_path,
        REDIS_URL="redis://127.0.0.1:1/0",
        REDIS_POOL_SIZE="7",
        REDIS_POOL_TIMEOUT_S="0.5",
        REDIS_TIMEOUT_S="0.25",
    )
    pool = command_pool(settings)
    assert isinstance(pool, BlockingConnectionPool)
    assert pool.max_connections == 7 and pool.timeout == 0.5
    assert pool.connection_kwargs["socket_timeout"] == 0.25
    assert pool.connection_kwargs["socket_connect_timeout"] == 0.25
    subscriber = subscriber_pool(settings)
    assert subscriber is not pool and subscriber.max_connections == 2
    assert subscriber.connection_kwargs.get("socket_timeout") is None  # a quiet channel is no outage


def test_defaults_and_url_options(tmp_path: Path) -> None:
    settings = portal_settings(tmp_path, REDIS_URL="redis://127.0.0.1:1/0")
    assert (settings.redis_pool_size, settings.redis_pool_timeout_s, settings.redis_timeout_s) == (
        32,
        2.0,
        1.0,
    )
    # An operator's option in the URL wins, as redis-py's URLs always did.
    tuned = portal_settings(tmp_path, REDIS_URL="redis://127.0.0.1:1/0?max_connections=512")
    assert command_pool(tuned).max_connections == 512


def test_a_redis_timeout_of_zero_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="REDIS_TIMEOUT_S"):
        portal_settings(tmp_path, REDIS_URL="redis://127.0.0.1:1/0", REDIS_TIMEOUT_S="0")


def test_what_counts_as_an_outage() -> None:
    for outage in (
        RedisConnectionError("down"),
        RedisTimeoutError("slow"),
        BusyLoadingError(),
        ReadOnlyError(),
    ):
        assert is_outage(outage)
    for bug in (ResponseError("WRONGTYPE"), ValueError(), OSError()):
        assert not is_outage(bug)


async def test_a_dead_redis_fails_a_command_in_bounded_time(tmp_path: Path) -> None:
    # Port 1 on loopback: nothing listens, the connection is refused at once; with one retry it still fails.
    settings = portal_settings(tmp_path, REDIS_URL="redis://127.0.0.1:1/0", REDIS_TIMEOUT_S="0.5")
    async with open_redis(settings) as clients:
        with pytest.raises(RedisConnectionError) as failed:
            await clients.commands.get("x")
        assert is_outage(failed.value)
