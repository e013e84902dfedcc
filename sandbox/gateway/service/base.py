"""What every part of the gateway's service shares: the database, the outbox and its Stripe-shaped events,
the settings, the clock, unguessable ids, and row lookups that answer Stripe's 404."""

from __future__ import annotations

import secrets
import sqlite3
import string
import time
from collections.abc import Callable
from typing import Any

from sandbox.common.db import Database
from sandbox.common.events import EventOutbox
from sandbox.gateway.config import GatewayConfig
from sandbox.gateway.errors import no_such

_ALNUM = string.ascii_letters + string.digits


def new_id(prefix: str, length: int = 24) -> str:
    # Unguessable: a Checkout Session id is the capability that opens its hosted page.
    return prefix + "".join(secrets.choice(_ALNUM) for _ in range(length))


class GatewayBase:
    def __init__(self, db: Database, outbox: EventOutbox, config: GatewayConfig) -> None:
        self.db = db
        self.outbox = outbox
        self.config = config
        self.clock: Callable[[], float] = time.time  # tests move it to expire sessions

    def now(self) -> int:
        return int(self.clock())

    def page_url(self, session_id: str) -> str:
        return f"{self.config.public_base_url.rstrip('/')}/pay/{session_id}"

    def _emit(self, type_: str, obj: dict[str, Any]) -> None:
        self.outbox.emit(type_, subscriber_id=None, data=obj)

    def _row(self, table: str, object_id: str, what: str, param: str = "id") -> sqlite3.Row:
        row = self.db.one(f"SELECT * FROM {table} WHERE id = ?", (object_id,))
        if row is None:
            raise no_such(what, object_id, param)
        return row
