"""Stripe's idempotency: the first result for a key (success or decline) is saved and replayed; the same key
with other parameters, or on another endpoint, is a 400 `idempotency_error`. A request that fails validation
saves nothing, so it can be corrected and retried with the same key. Keys are kept for 24 hours."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

from sandbox.common.db import Database
from sandbox.gateway.errors import StripeError

KEEP_S = 24 * 3600
MAX_KEY = 255

Result = tuple[int, dict[str, Any]]


def check_key(key: str) -> None:
    if not key.strip() or len(key) > MAX_KEY:
        raise StripeError(
            400, f"Idempotency-Key must be 1 to {MAX_KEY} characters long.", type_="idempotency_error"
        )


def run_once(
    db: Database, key: str, method: str, path: str, params: dict[str, Any], run: Callable[[], Result]
) -> tuple[int, dict[str, Any], bool]:
    """(status, body, replayed). Check, run and save happen in one transaction: a concurrent request with the
    same key waits for the first and then replays it instead of running twice."""
    fingerprint = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()
    now = int(time.time())
    with db.transaction():
        db.execute("DELETE FROM idempotency_keys WHERE created < ?", (now - KEEP_S,))
        row = db.one("SELECT * FROM idempotency_keys WHERE key = ?", (key,))
        if row is not None:
            if (row["method"], row["path"]) != (method, path):
                raise StripeError(
                    400,
                    "Keys for idempotent requests can only be used for the same endpoint they were first used"
                    f" for ('{row['method']} {row['path']}' vs '{method} {path}'). Try using a key other than"
                    f" '{key}' if you meant to execute a different request.",
                    type_="idempotency_error",
                )
            if row["fingerprint"] != fingerprint:
                raise StripeError(
                    400,
                    "Keys for idempotent requests can only be used with the same parameters they were first used"
                    f" with. Try using a key other than '{key}' if you meant to execute a different request.",
                    type_="idempotency_error",
                )
            return row["status"], json.loads(row["body"]), True
        status, body = run()
        db.execute(
            "INSERT INTO idempotency_keys (key, method, path, fingerprint, status, body, created)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (key, method, path, fingerprint, status, json.dumps(body), now),
        )
        return status, body, False
