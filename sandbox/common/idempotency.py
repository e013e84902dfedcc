"""The `Idempotency-Key` request header, as every core system honours it on the writes that have a side
effect the BFF must not repeat (a payment, a wallet credit, a card, a notification and its e-mail, a
reactivation).

The first successful answer (2xx) for a key is stored with a fingerprint of the request (method, path, JSON
body) and answered again, byte for byte, for every repeat of that key: a caller that lost the answer (its
process was killed, the connection dropped) sends the same request again and learns what happened, and
nothing happens twice. The same key with another request is a 409 `IDEMPOTENCY_CONFLICT` (the caller has a
bug: one key, one request). Refusals (4xx) are not stored: the state that refused may change, and the retry
is then judged afresh — as Stripe does for requests that fail validation.

Check, work and store run in one transaction of the system's database, so two concurrent requests with one
key do the work once (the second waits for the first and replays it). Keys are kept for `KEEP_S`, longer than
any sender retries (a payment gateway: 3 days). The header is optional: without it a write behaves as before.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from sandbox.common.db import Database
from sandbox.common.http import conflict, invalid

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEEP_S = 7 * 24 * 3600
MAX_KEY = 255
_KEY = re.compile(rf"[\x21-\x7e][\x20-\x7e]{{0,{MAX_KEY - 1}}}")

SCHEMA = """
CREATE TABLE IF NOT EXISTS request_keys (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,   -- sha256 of method, path and canonical JSON body
    status INTEGER NOT NULL,
    body TEXT NOT NULL,          -- the answer, exactly as first sent
    created REAL NOT NULL        -- Unix time, for expiry
);
CREATE INDEX IF NOT EXISTS request_keys_created ON request_keys (created);
"""


def _fingerprint(method: str, path: str, body: Any) -> str:
    canonical = json.dumps([method, path, body], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class RequestKeys:
    """The answers stored by `Idempotency-Key` in one system's database."""

    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock
        db.script(SCHEMA)

    def once(self, request: Request, body: Any, run: Callable[[], Response]) -> Response:
        """`run()`'s answer, or the stored answer of an earlier request with the same key. `body` is the
        request's parsed JSON body (what the fingerprint covers)."""
        key = request.headers.get(HEADER)
        if key is None:
            return run()
        if not _KEY.fullmatch(key):
            raise invalid(
                f"{HEADER} must be 1 to {MAX_KEY} printable ASCII characters", "IDEMPOTENCY_KEY_INVALID"
            )
        fingerprint = _fingerprint(request.method, request.url.path, body)
        now = self.clock()
        with self.db.transaction():
            row = self.db.one(
                "SELECT fingerprint, status, body, created FROM request_keys WHERE key = ?", (key,)
            )
            if row is not None and row["created"] < now - KEEP_S:
                self.db.execute("DELETE FROM request_keys WHERE key = ?", (key,))
                row = None
            if row is not None:
                if row["fingerprint"] != fingerprint:
                    raise conflict(
                        "IDEMPOTENCY_CONFLICT",
                        f"this {HEADER} was already used for a different request; use a new key",
                    )
                return Response(
                    row["body"],
                    status_code=row["status"],
                    media_type="application/json",
                    headers={REPLAYED_HEADER: "true"},
                )
            answer = run()  # joins this transaction: its work and the stored answer commit together
            if 200 <= answer.status_code < 300:
                self.db.execute("DELETE FROM request_keys WHERE created < ?", (now - KEEP_S,))
                self.db.execute(
                    "INSERT INTO request_keys (key, fingerprint, status, body, created) VALUES (?, ?, ?, ?, ?)",
                    (key, fingerprint, answer.status_code, bytes(answer.body).decode(), now),
                )
            return answer
