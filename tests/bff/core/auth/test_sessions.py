"""One suite, two session stores: in memory and in a real Redis (never a fake)."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from redis.asyncio import Redis

from bff.core.auth.sessions import (
    InvalidRefreshToken,
    MemorySessionStore,
    RedisSessionStore,
    RefreshTokenReused,
    SessionStore,
    token_hash,
)

TTL = timedelta(days=30)


@pytest.fixture
def make_store(kind: str, redis: tuple[Redis, str]) -> Any:
    def make(ttl: timedelta = TTL) -> SessionStore:
        if kind == "memory":
            return MemorySessionStore(ttl)
        client, prefix = redis
        return RedisSessionStore(client, ttl, prefix)

    return make


@pytest.fixture
def store(make_store: Any) -> SessionStore:
    result: SessionStore = make_store()
    return result


async def test_create_gives_a_session_and_an_opaque_refresh_token(store: SessionStore) -> None:
    session, token = await store.create("USR-1", "Firefox", "203.0.113.7")
    sid, _, secret = token.partition(".")
    assert sid == session.id and len(secret) >= 43  # 256 bits, base64url
    assert (session.user_id, session.user_agent, session.ip) == ("USR-1", "Firefox", "203.0.113.7")
    assert await store.is_active(session.id)
    assert abs((session.expires_at - datetime.now(UTC)) - TTL) < timedelta(seconds=5)
    stored = await store.get(session.id)
    assert stored is not None and stored.user_id == "USR-1"


async def test_only_a_hash_of_the_refresh_token_is_stored(store: SessionStore) -> None:
    session, token = await store.create("USR-1", "ua", "ip")
    if isinstance(store, RedisSessionStore):
        raw = await store.redis.hgetall(f"{store.prefix}session:{session.id}")
        values = {v.decode() if isinstance(v, bytes) else v for v in raw.values()}
        assert token not in values and token.partition(".")[2] not in values
        assert token_hash(token) in values


async def test_rotation_issues_a_new_token_and_keeps_the_session(store: SessionStore) -> None:
    session, first = await store.create("USR-1", "ua", "ip")
    rotated, second = await store.rotate(first)
    assert rotated.id == session.id and second != first
    assert rotated.last_used_at >= session.last_used_at
    third_session, third = await store.rotate(second)
    assert third_session.id == session.id and third not in (first, second)
    assert await store.is_active(session.id)


async def test_reuse_of_a_rotated_token_revokes_the_whole_session(store: SessionStore) -> None:
    session, first = await store.create("USR-1", "ua", "ip")
    _, second = await store.rotate(first)
    with pytest.raises(RefreshTokenReused):
        await store.rotate(first)
    assert not await store.is_active(session.id)
    # The legitimate holder's newer token dies with the family.
    with pytest.raises(InvalidRefreshToken):
        await store.rotate(second)
    assert await store.list_for_user("USR-1") == []


async def test_concurrent_rotation_of_one_token_has_one_winner(store: SessionStore) -> None:
    _, token = await store.create("USR-1", "ua", "ip")
    results = await asyncio.gather(*(store.rotate(token) for _ in range(5)), return_exceptions=True)
    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(r, RefreshTokenReused | InvalidRefreshToken) for r in results if r not in winners)


@pytest.mark.parametrize(
    "bad", ["", "no-dot", "sid.short", "x" * 300, ".abcdefghijklmnopqrstuvwxyz0123456789ABCDEF"]
)
async def test_malformed_and_unknown_tokens_are_invalid(store: SessionStore, bad: str) -> None:
    with pytest.raises(InvalidRefreshToken):
        await store.rotate(bad)


async def test_a_guessed_secret_does_not_revoke_the_session(store: SessionStore) -> None:
    session, token = await store.create("USR-1", "ua", "ip")
    with pytest.raises(InvalidRefreshToken):
        await store.rotate(f"{session.id}.{secrets.token_urlsafe(32)}")
    assert await store.is_active(session.id)
    await store.rotate(token)


async def test_revoke_and_revoke_all(store: SessionStore) -> None:
    a, _ = await store.create("USR-1", "phone", "ip")
    b, token_b = await store.create("USR-1", "laptop", "ip")
    other, _ = await store.create("USR-2", "ua", "ip")
    assert await store.revoke(a.id) is True
    assert await store.revoke(a.id) is False
    assert not await store.is_active(a.id) and await store.is_active(b.id)
    assert [s.id for s in await store.list_for_user("USR-1")] == [b.id]
    assert await store.revoke_all("USR-1") == 1
    assert not await store.is_active(b.id)
    with pytest.raises(InvalidRefreshToken):
        await store.rotate(token_b)
    assert await store.is_active(other.id)


async def test_list_for_user_is_newest_first_and_only_theirs(store: SessionStore) -> None:
    first, _ = await store.create("USR-1", "one", "ip")
    await asyncio.sleep(0.01)
    second, _ = await store.create("USR-1", "two", "ip")
    await store.create("USR-2", "x", "ip")
    assert [s.id for s in await store.list_for_user("USR-1")] == [second.id, first.id]
    assert await store.list_for_user("USR-404") == []


async def test_sessions_expire_after_the_refresh_ttl(make_store: Any) -> None:
    store: SessionStore = make_store(timedelta(milliseconds=300))
    session, token = await store.create("USR-1", "ua", "ip")
    if isinstance(store, RedisSessionStore):
        ttl = await store.redis.pttl(f"{store.prefix}session:{session.id}")
        assert 0 < ttl <= 300
    assert await store.is_active(session.id)
    await asyncio.sleep(0.45)
    assert not await store.is_active(session.id)
    assert await store.list_for_user("USR-1") == []
    with pytest.raises(InvalidRefreshToken):
        await store.rotate(token)


async def test_rotation_extends_the_ttl(make_store: Any) -> None:
    store: SessionStore = make_store(timedelta(milliseconds=400))
    session, token = await store.create("USR-1", "ua", "ip")
    await asyncio.sleep(0.25)
    await store.rotate(token)
    await asyncio.sleep(0.25)  # 0.5 s after creation, 0.25 s after rotation
    assert await store.is_active(session.id)
