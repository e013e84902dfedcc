"""Sessions and their rotating refresh tokens, in memory (one process) or in Redis (any number of instances).

A refresh token is `<session id>.<256 random bits>`; only its SHA-256 is stored. Each rotation replaces the
session's current hash and remembers the old one. Presenting a remembered (already rotated) token means two
parties hold the same token — one of them stole it — so the whole session is revoked and both lose access.
A session lives `refresh_ttl` past its last rotation; its access tokens die with it.

Each session also keeps the user's `Identity` (role, subscriber, sites, disabled) as the CRM last described
it, and a version that goes up whenever that identity changes: access tokens carry the version they were
issued for, so a token minted before a change is refused until it is refreshed, and a disabled user's
sessions stop working at once — with no call to the CRM on the request path.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from redis.asyncio import Redis
from redis.typing import EncodableT, FieldT

from bff.core.auth.viewer import Identity
from bff.core.redis_batch import TickBatch


class RefreshError(Exception):
    """The refresh token cannot be used."""

    code = "INVALID_REFRESH_TOKEN"


class InvalidRefreshToken(RefreshError):
    """Unknown, malformed, or its session has ended."""


class RefreshTokenReused(RefreshError):
    """An already-rotated token was presented: the session has been revoked."""


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    user_id: str
    user_agent: str
    ip: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    identity: Identity | None = None  # None only for sessions created before identities were kept
    version: int = 1


@dataclass(frozen=True, slots=True)
class SessionState:
    """What a request needs to know about its session: which identity version is current, and whether the
    user has been disabled."""

    version: int
    disabled: bool


class SessionStore(Protocol):
    """Where sessions live. Every method is safe to call concurrently from many instances."""

    async def create(
        self, user_id: str, user_agent: str, ip: str, identity: Identity | None = None
    ) -> tuple[Session, str]:
        """A new session (identity version 1) and its first refresh token."""
        ...

    async def rotate(self, refresh_token: str) -> tuple[Session, str]:
        """Exchange a refresh token for a new one; raises `InvalidRefreshToken` or `RefreshTokenReused`
        (after revoking the session)."""
        ...

    async def get(self, session_id: str) -> Session | None: ...

    async def is_active(self, session_id: str, version: int | None = None) -> bool:
        """The session exists, its user is not disabled and (when given) `version` is still current."""
        ...

    async def state(self, session_id: str) -> SessionState | None:
        """None when the session has ended."""
        ...

    async def set_identity(self, session_id: str, identity: Identity) -> int | None:
        """Store a new identity on one session and bump its version (unless it is the one stored); the
        current version, or None when the session has ended (it is never brought back)."""
        ...

    async def update_identity(self, identity: Identity) -> int:
        """`set_identity` on every session of `identity.user_id`; how many were changed."""
        ...

    async def revoke(self, session_id: str) -> bool:
        """End one session; False when it did not exist (already ended)."""
        ...

    async def revoke_all(self, user_id: str) -> int:
        """End every session of a user; returns how many ended."""
        ...

    async def list_for_user(self, user_id: str) -> list[Session]:
        """The user's active sessions, newest first."""
        ...


def new_session_id() -> str:
    return secrets.token_urlsafe(18)


def new_refresh_token(session_id: str) -> str:
    return f"{session_id}.{secrets.token_urlsafe(32)}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def session_id_of(refresh_token: str) -> str:
    """The session a token claims to belong to; raises `InvalidRefreshToken` when it has no such shape."""
    session_id, dot, secret = refresh_token.partition(".")
    if not dot or not session_id or len(secret) < 32 or len(refresh_token) > 200:
        raise InvalidRefreshToken("malformed refresh token")
    return session_id


def _now() -> datetime:
    return datetime.now(UTC)


# --------------------------------------------------------------------------------------------- memory


@dataclass
class _Entry:
    session: Session
    current: str  # hash of the live refresh token
    used: set[str]  # hashes of rotated tokens
    deadline: float  # time.monotonic() when it expires


class MemorySessionStore:
    """One process's sessions (the embedded default, without REDIS_URL)."""

    def __init__(self, refresh_ttl: timedelta) -> None:
        self.refresh_ttl = refresh_ttl
        self._entries: dict[str, _Entry] = {}
        self._lock = asyncio.Lock()

    def _live(self, session_id: str) -> _Entry | None:
        entry = self._entries.get(session_id)
        if entry is not None and entry.deadline <= time.monotonic():
            del self._entries[session_id]
            return None
        return entry

    async def create(
        self, user_id: str, user_agent: str, ip: str, identity: Identity | None = None
    ) -> tuple[Session, str]:
        now = _now()
        session = Session(
            new_session_id(), user_id, user_agent, ip, now, now, now + self.refresh_ttl, identity, 1
        )
        token = new_refresh_token(session.id)
        async with self._lock:
            self._entries[session.id] = _Entry(
                session, token_hash(token), set(), time.monotonic() + self.refresh_ttl.total_seconds()
            )
        return session, token

    async def rotate(self, refresh_token: str) -> tuple[Session, str]:
        session_id = session_id_of(refresh_token)
        presented = token_hash(refresh_token)
        async with self._lock:
            entry = self._live(session_id)
            if entry is None:
                raise InvalidRefreshToken("no such session")
            if hmac.compare_digest(entry.current, presented):
                now = _now()
                token = new_refresh_token(session_id)
                entry.used.add(entry.current)
                entry.current = token_hash(token)
                entry.session = replace(entry.session, last_used_at=now, expires_at=now + self.refresh_ttl)
                entry.deadline = time.monotonic() + self.refresh_ttl.total_seconds()
                return entry.session, token
            if presented in entry.used:
                del self._entries[session_id]
                raise RefreshTokenReused("refresh token reused; session revoked")
            raise InvalidRefreshToken("unknown refresh token")

    async def get(self, session_id: str) -> Session | None:
        entry = self._live(session_id)
        return entry.session if entry else None

    async def is_active(self, session_id: str, version: int | None = None) -> bool:
        return _active(await self.state(session_id), version)

    async def state(self, session_id: str) -> SessionState | None:
        entry = self._live(session_id)
        if entry is None:
            return None
        identity = entry.session.identity
        return SessionState(entry.session.version, identity is not None and identity.disabled)

    async def set_identity(self, session_id: str, identity: Identity) -> int | None:
        async with self._lock:
            entry = self._live(session_id)
            if entry is None:
                return None
            if entry.session.identity != identity:
                entry.session = replace(entry.session, identity=identity, version=entry.session.version + 1)
            return entry.session.version

    async def update_identity(self, identity: Identity) -> int:
        ids = [sid for sid, e in self._entries.items() if e.session.user_id == identity.user_id]
        changed = [await self.set_identity(sid, identity) for sid in ids]
        return sum(1 for version in changed if version is not None)

    async def revoke(self, session_id: str) -> bool:
        async with self._lock:
            return self._entries.pop(session_id, None) is not None

    async def revoke_all(self, user_id: str) -> int:
        async with self._lock:
            ids = [sid for sid, e in self._entries.items() if e.session.user_id == user_id]
            for sid in ids:
                del self._entries[sid]
            return len(ids)

    async def list_for_user(self, user_id: str) -> list[Session]:
        sessions = [
            e.session
            for sid in list(self._entries)
            if (e := self._live(sid)) is not None and e.session.user_id == user_id
        ]
        return sorted(sessions, key=lambda s: s.created_at, reverse=True)


# ---------------------------------------------------------------------------------------------- redis

# Atomic rotation: compare the presented hash with the current one and swap it, or detect reuse and delete
# the session, in one step — two instances rotating the same token cannot both win.
_ROTATE = """
local current = redis.call('HGET', KEYS[1], 'current')
if not current then return 'missing' end
if current == ARGV[1] then
  redis.call('HSET', KEYS[1], 'current', ARGV[2], 'last_used_at', ARGV[3], 'expires_at', ARGV[4])
  redis.call('SADD', KEYS[2], ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  redis.call('PEXPIRE', KEYS[2], ARGV[5])
  return 'ok'
end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then
  redis.call('DEL', KEYS[1], KEYS[2])
  return 'reused'
end
return 'invalid'
"""


# Change a session's identity only while it exists (HSET on a missing key would bring a revoked session back).
# An identity equal to the stored one changes nothing (a redelivered event must not invalidate tokens).
_SET_IDENTITY = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('HGET', KEYS[1], 'identity') == ARGV[1] then
  return tonumber(redis.call('HGET', KEYS[1], 'version') or '1')
end
redis.call('HSET', KEYS[1], 'identity', ARGV[1], 'disabled', ARGV[2])
return redis.call('HINCRBY', KEYS[1], 'version', 1)
"""


class RedisSessionStore:
    """Sessions shared by every BFF instance. Keys (under `prefix`): `session:<sid>` (a hash),
    `session:<sid>:used` (rotated token hashes), `user:<uid>:sessions` (the user's session ids); all with
    a TTL, so an abandoned session disappears on its own.

    `state()` — read by every authenticated request and by every subscription on every event — is batched
    per loop turn (`bff.core.redis_batch`): a burst of checks costs one pipelined round trip. Redis being
    unreachable propagates as redis-py's error (`bff.core.redis_client.is_outage` tells which)."""

    def __init__(self, redis: Redis, refresh_ttl: timedelta, prefix: str = "wg:") -> None:
        self.redis = redis
        self.refresh_ttl = refresh_ttl
        self.prefix = prefix
        self._rotate = redis.register_script(_ROTATE)
        self._set_identity = redis.register_script(_SET_IDENTITY)
        self._states: TickBatch[str, SessionState | None] = TickBatch(self._read_states)

    @property
    def _ttl_ms(self) -> int:
        return max(1, int(self.refresh_ttl.total_seconds() * 1000))

    def _key(self, session_id: str) -> str:
        return f"{self.prefix}session:{session_id}"

    def _used_key(self, session_id: str) -> str:
        return f"{self.prefix}session:{session_id}:used"

    def _user_key(self, user_id: str) -> str:
        return f"{self.prefix}user:{user_id}:sessions"

    async def create(
        self, user_id: str, user_agent: str, ip: str, identity: Identity | None = None
    ) -> tuple[Session, str]:
        now = _now()
        session = Session(
            new_session_id(), user_id, user_agent, ip, now, now, now + self.refresh_ttl, identity, 1
        )
        token = new_refresh_token(session.id)
        fields: dict[FieldT, EncodableT] = {
            "user_id": user_id,
            "user_agent": user_agent,
            "ip": ip,
            "created_at": now.isoformat(),
            "last_used_at": now.isoformat(),
            "expires_at": session.expires_at.isoformat(),
            "current": token_hash(token),
            "version": 1,
            "disabled": int(identity is not None and identity.disabled),
        }
        if identity is not None:
            fields["identity"] = identity.to_json()
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(self._key(session.id), mapping=fields)
            pipe.pexpire(self._key(session.id), self._ttl_ms)
            pipe.sadd(self._user_key(user_id), session.id)
            pipe.pexpire(self._user_key(user_id), self._ttl_ms)
            await pipe.execute()
        return session, token

    async def rotate(self, refresh_token: str) -> tuple[Session, str]:
        session_id = session_id_of(refresh_token)
        now = _now()
        token = new_refresh_token(session_id)
        outcome = await self._rotate(
            keys=[self._key(session_id), self._used_key(session_id)],
            args=[
                token_hash(refresh_token),
                token_hash(token),
                now.isoformat(),
                (now + self.refresh_ttl).isoformat(),
                self._ttl_ms,
            ],
        )
        outcome = outcome.decode() if isinstance(outcome, bytes) else str(outcome)
        if outcome == "reused":
            raise RefreshTokenReused("refresh token reused; session revoked")
        if outcome != "ok":
            raise InvalidRefreshToken("unknown refresh token")
        session = await self.get(session_id)
        if session is None:  # revoked between the swap and this read
            raise InvalidRefreshToken("the session has ended")
        await self.redis.pexpire(self._user_key(session.user_id), self._ttl_ms)
        return session, token

    async def get(self, session_id: str) -> Session | None:
        raw = await self.redis.hgetall(self._key(session_id))
        return _parse(session_id, raw) if raw else None

    async def is_active(self, session_id: str, version: int | None = None) -> bool:
        return _active(await self.state(session_id), version)

    async def state(self, session_id: str) -> SessionState | None:
        return await self._states.load(session_id)

    async def _read_states(self, session_ids: Sequence[str]) -> list[SessionState | None]:
        async with self.redis.pipeline(transaction=False) as pipe:
            for session_id in session_ids:
                pipe.hmget(self._key(session_id), ["user_id", "version", "disabled"])
            rows = await pipe.execute()
        return [
            None if user_id is None else SessionState(int(version or 1), _text(disabled or b"0") == "1")
            for user_id, version, disabled in rows
        ]

    async def set_identity(self, session_id: str, identity: Identity) -> int | None:
        version = int(
            await self._set_identity(
                keys=[self._key(session_id)], args=[identity.to_json(), int(identity.disabled)]
            )
        )
        return None if version < 0 else version

    async def update_identity(self, identity: Identity) -> int:
        ids = [_text(v) for v in await self.redis.smembers(self._user_key(identity.user_id))]
        changed = [await self.set_identity(session_id, identity) for session_id in ids]
        return sum(1 for version in changed if version is not None)

    async def revoke(self, session_id: str) -> bool:
        user_id = await self.redis.hget(self._key(session_id), "user_id")
        removed = int(await self.redis.delete(self._key(session_id), self._used_key(session_id)))
        if user_id is not None:
            await self.redis.srem(self._user_key(_text(user_id)), session_id)
        return removed > 0

    async def revoke_all(self, user_id: str) -> int:
        ids = [_text(v) for v in await self.redis.smembers(self._user_key(user_id))]
        count = 0
        for session_id in ids:
            count += int(await self.redis.delete(self._key(session_id), self._used_key(session_id)) > 0)
        await self.redis.delete(self._user_key(user_id))
        return count

    async def list_for_user(self, user_id: str) -> list[Session]:
        ids = sorted(_text(v) for v in await self.redis.smembers(self._user_key(user_id)))
        if not ids:
            return []
        async with self.redis.pipeline(transaction=False) as pipe:
            for session_id in ids:
                pipe.hgetall(self._key(session_id))
            rows = await pipe.execute()
        sessions: list[Session] = []
        stale: list[str] = []
        for session_id, raw in zip(ids, rows, strict=True):
            if raw:
                sessions.append(_parse(session_id, raw))
            else:
                stale.append(session_id)
        if stale:  # expired on their own: forget them
            await self.redis.srem(self._user_key(user_id), *stale)
        return sorted(sessions, key=lambda s: s.created_at, reverse=True)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _active(state: SessionState | None, version: int | None) -> bool:
    if state is None or state.disabled:
        return False
    return version is None or state.version == version


def _parse(session_id: str, raw: Mapping[bytes | str, bytes | str]) -> Session:
    fields = {_text(k): _text(v) for k, v in raw.items()}
    identity = Identity.from_json(fields["identity"]) if fields.get("identity") else None
    return Session(
        id=session_id,
        user_id=fields["user_id"],
        user_agent=fields.get("user_agent", ""),
        ip=fields.get("ip", ""),
        created_at=datetime.fromisoformat(fields["created_at"]),
        last_used_at=datetime.fromisoformat(fields["last_used_at"]),
        expires_at=datetime.fromisoformat(fields["expires_at"]),
        identity=identity,
        version=int(fields.get("version", "1")),
    )


__all__ = [
    "InvalidRefreshToken",
    "MemorySessionStore",
    "RedisSessionStore",
    "RefreshError",
    "RefreshTokenReused",
    "Session",
    "SessionState",
    "SessionStore",
]
