"""Idempotency keys of the adapter's writes (`wispgate_aaa_keys`): the first answer of a key is stored in
the transaction that made the change, and a repeat answers it again (a reactivation repeated says
`changed=True`, as the first did); the same key with another request is refused. Kept 30 days."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any, TypeVar

import msgspec

from adapters.errors import Rejected
from adapters.freeradius.sql import BACKEND
from adapters.freeradius.store import Reader, Writer, column_time

T = TypeVar("T")
KEEP = timedelta(days=30)
MAX_KEY = 200


def key_of(operation: str, key: str) -> str:
    return (
        f"{operation}:{key}"
        if len(key) <= MAX_KEY
        else f"{operation}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"
    )


def fingerprint(request: Any) -> str:
    return hashlib.sha256(msgspec.json.encode(request)).hexdigest()


async def stored(db: Reader, key: str, request_hash: str, into: type[T]) -> T | None:
    rows = await db.fetch("SELECT request_hash, answer FROM wispgate_aaa_keys WHERE idem_key = ?", key)
    if not rows:
        return None
    if rows[0][0] != request_hash:
        raise Rejected(
            BACKEND, "IDEMPOTENCY_CONFLICT", "this idempotency key was used for another request", 409
        )
    return msgspec.json.decode(rows[0][1], type=into)


async def store(db: Writer, key: str, request_hash: str, answer: Any, now: datetime, dialect: str) -> None:
    await db.execute("DELETE FROM wispgate_aaa_keys WHERE created_at < ?", column_time(now - KEEP, dialect))
    await db.execute(
        "INSERT INTO wispgate_aaa_keys (idem_key, request_hash, answer, created_at) VALUES (?, ?, ?, ?)",
        key,
        request_hash,
        msgspec.json.encode(answer).decode(),
        column_time(now, dialect),
    )


async def restore(db: Writer, key: str, answer: Any) -> None:
    """The answer again once the NAS step has said how it went, so a repeat reports it too."""
    await db.execute(
        "UPDATE wispgate_aaa_keys SET answer = ? WHERE idem_key = ?",
        msgspec.json.encode(answer).decode(),
        key,
    )
