"""Outbound signed events from a sandbox system, through a transactional outbox.

A system calls `emit()` inside the same transaction that changes its data, so an event exists exactly when
the change does. A delivery loop POSTs pending events to the configured URL, signed with HMAC-SHA256 over
`"{t}.{raw body}"` (header `X-WISPGate-Signature`), and retries non-2xx answers with exponential backoff
capped at five minutes. Nothing is dropped: an event that keeps failing is marked FAILING, stays in the
outbox (the operator console lists it) and keeps being retried; the operator can re-deliver any event.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from adapters.wispgate.signing import sign
from sandbox.common import clock
from sandbox.common.db import Database

log = logging.getLogger("sandbox.events")

SCHEMA = """
CREATE TABLE IF NOT EXISTS event_outbox (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    subscriber_id TEXT,
    subservice_id TEXT,
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'PENDING',   -- PENDING | DELIVERED | FAILING | HELD (no target configured)
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    delivered_at TEXT
);
CREATE INDEX IF NOT EXISTS event_outbox_due ON event_outbox (status, next_attempt_at);
"""

FAILING_AFTER = 5
MAX_BACKOFF_S = 300
EVENT_TYPES = (
    "service.status_changed",
    "service.profile_changed",
    "subservice.plan_changed",
    "subservice.add_on_bought",
    "invoice.created",
    "invoice.updated",
    "payment.recorded",
    "wallet.changed",
    "ticket.created",
    "ticket.updated",
    "notification.created",
    "portal_user.updated",
    "device.task_changed",
    "incident.changed",
)


@dataclass(frozen=True)
class EventTarget:
    url: str
    secret: str


@dataclass(frozen=True)
class EventDraft:
    """What `emit()` knows about an event; a `BodyBuilder` turns it into the JSON that is delivered."""

    id: str
    type: str
    source: str
    created: datetime
    subscriber_id: str | None
    subservice_id: str | None
    data: dict[str, Any]


BodyBuilder = Callable[[EventDraft], dict[str, Any]]


def core_event_body(draft: EventDraft) -> dict[str, Any]:
    """The WISPGate core's event shape (the default)."""
    return {
        "id": draft.id,
        "type": draft.type,
        "source": draft.source,
        "created_at": clock.iso(draft.created),
        "subscriber_id": draft.subscriber_id,
        "subservice_id": draft.subservice_id,
        "data": draft.data,
    }


class EventOutbox:
    """The keyword options let another event dialect (the gateway's Stripe-shaped webhooks) reuse the same
    outbox, backoff and re-delivery: its own event types, body shape and signature header."""

    def __init__(
        self,
        db: Database,
        source: str,
        target: EventTarget | None = None,
        *,
        event_types: tuple[str, ...] = EVENT_TYPES,
        build_body: BodyBuilder = core_event_body,
        signature_header: str = "x-wispgate-signature",
        event_id_header: str | None = "x-wispgate-event-id",
    ) -> None:
        self.db = db
        self.source = source
        self.target = target
        self.event_types = event_types
        self.build_body = build_body
        self.signature_header = signature_header
        self.event_id_header = event_id_header
        self._wake = asyncio.Event()
        db.script(SCHEMA)

    def emit(
        self,
        type_: str,
        *,
        subscriber_id: str | None,
        data: dict[str, Any],
        subservice_id: str | None = None,
    ) -> str:
        """Record an event; call inside the transaction that made the change it reports."""
        if type_ not in self.event_types:
            raise ValueError(f"unknown event type {type_}")
        event_id = f"evt_{uuid.uuid4().hex}"
        created = clock.now()
        body = self.build_body(
            EventDraft(event_id, type_, self.source, created, subscriber_id, subservice_id, data)
        )
        with self.db.transaction():
            seq = int(self.db.scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM event_outbox"))
            self.db.execute(
                "INSERT INTO event_outbox (id, seq, type, subscriber_id, subservice_id, body, status,"
                " next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    event_id,
                    seq,
                    type_,
                    subscriber_id,
                    subservice_id,
                    json.dumps(body, separators=(",", ":")),
                    "PENDING" if self.target else "HELD",
                    clock.iso(created),
                    clock.iso(created),
                ),
            )
        self._wake.set()
        return event_id

    def list(self, *, status: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        sql = "SELECT * FROM event_outbox"
        params: list[Any] = []
        if status:
            sql += " WHERE status = ?"
            params.append(status)
        sql += " ORDER BY seq DESC LIMIT ?"
        params.append(limit)
        return [self._row(r) for r in self.db.all(sql, params)]

    def get(self, event_id: str) -> dict[str, Any] | None:
        row = self.db.one("SELECT * FROM event_outbox WHERE id = ?", (event_id,))
        return None if row is None else self._row(row)

    def redeliver(self, event_id: str) -> bool:
        """Queue an event for delivery again now (operator action), whatever its state."""
        cursor = self.db.execute(
            "UPDATE event_outbox SET status = ?, next_attempt_at = ? WHERE id = ?",
            ("PENDING" if self.target else "HELD", clock.iso(clock.now()), event_id),
        )
        self._wake.set()
        return cursor.rowcount == 1

    async def deliver_due(self, client: httpx.AsyncClient) -> int:
        """Try every event that is due; return how many were delivered."""
        if self.target is None:
            return 0
        due = self.db.all(
            "SELECT id, body, attempts FROM event_outbox WHERE status IN ('PENDING', 'FAILING')"
            " AND next_attempt_at <= ? ORDER BY seq LIMIT 100",
            (clock.iso(clock.now()),),
        )
        delivered = 0
        for row in due:
            if await self._deliver_one(client, row["id"], row["body"], row["attempts"]):
                delivered += 1
        return delivered

    async def _deliver_one(self, client: httpx.AsyncClient, event_id: str, body: str, attempts: int) -> bool:
        assert self.target is not None
        raw = body.encode()
        headers = self.delivery_headers(event_id, raw)
        error: str | None
        try:
            response = await client.post(self.target.url, content=raw, headers=headers)
            error = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:300]
        attempts += 1
        current = clock.now()
        if error is None:
            self.db.execute(
                "UPDATE event_outbox SET status = 'DELIVERED', attempts = ?, delivered_at = ?, last_error = NULL"
                " WHERE id = ?",
                (attempts, clock.iso(current), event_id),
            )
            return True
        backoff = min(MAX_BACKOFF_S, 2 ** min(attempts, 12))
        status = "FAILING" if attempts >= FAILING_AFTER else "PENDING"
        self.db.execute(
            "UPDATE event_outbox SET status = ?, attempts = ?, last_error = ?, next_attempt_at = ? WHERE id = ?",
            (status, attempts, error, clock.iso(current + timedelta(seconds=backoff)), event_id),
        )
        log.warning("event %s delivery failed (%s), attempt %d", event_id, error, attempts)
        return False

    def delivery_headers(self, event_id: str, raw: bytes) -> dict[str, str]:
        """The headers of one delivery attempt (a dialect with its own signing scheme overrides this)."""
        assert self.target is not None
        headers = {"content-type": "application/json", self.signature_header: sign(self.target.secret, raw)}
        if self.event_id_header:
            headers[self.event_id_header] = event_id
        return headers

    async def run(self, client: httpx.AsyncClient, poll_s: float = 1.0) -> None:
        """Deliver until cancelled; wakes early whenever an event is emitted or re-queued."""
        while True:
            self._wake.clear()
            try:
                await self.deliver_due(client)
            except Exception:  # the loop must survive anything a delivery throws
                log.exception("event delivery loop error")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=poll_s)

    @staticmethod
    def _row(row: Any) -> dict[str, Any]:
        return {
            "id": row["id"],
            "type": row["type"],
            "subscriber_id": row["subscriber_id"],
            "subservice_id": row["subservice_id"],
            "status": row["status"],
            "attempts": row["attempts"],
            "last_error": row["last_error"],
            "created_at": row["created_at"],
            "delivered_at": row["delivered_at"],
            "next_attempt_at": row["next_attempt_at"],
            "body": json.loads(row["body"]),
        }
