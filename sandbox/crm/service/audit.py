"""The access and audit log: log-ins, failed log-ins, and what portal users changed."""

from __future__ import annotations

from typing import Any

from sandbox.common import clock
from sandbox.common.db import Database
from sandbox.common.http import invalid
from sandbox.crm.service.directory import Directory
from sandbox.crm.store import next_seq


def audit_wire(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "user_id": row["user_id"],
        "subscriber_id": row["subscriber_id"],
        "action": row["action"],
        "ip": row["ip"],
        "user_agent": row["user_agent"],
        "detail": row["detail"],
        "created_at": row["created_at"],
    }


class AuditLog:
    def __init__(self, db: Database, directory: Directory) -> None:
        self.db = db
        self.directory = directory

    def record(
        self,
        action: str,
        *,
        user_id: str | None = None,
        subscriber_id: str | None = None,
        ip: str | None = None,
        user_agent: str | None = None,
        detail: str | None = None,
    ) -> dict[str, Any]:
        if user_id is not None:
            user = self.db.one("SELECT subscriber_id FROM users WHERE id = ?", (user_id,))
            if user is None:
                raise invalid("no such user", "UNKNOWN_USER")
            if subscriber_id is not None and subscriber_id != user["subscriber_id"]:
                raise invalid("the user does not belong to the subscriber", "USER_MISMATCH")
            subscriber_id = user["subscriber_id"]
        elif subscriber_id is not None:
            self.directory.require_subscriber(subscriber_id)
        with self.db.transaction():
            seq = next_seq(self.db, "audit_log")
            self.db.execute(
                "INSERT INTO audit_log (id, seq, user_id, subscriber_id, action, ip, user_agent, detail, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    f"AUD-{seq}",
                    seq,
                    user_id,
                    subscriber_id,
                    action,
                    ip,
                    user_agent,
                    detail,
                    clock.iso(clock.now()),
                ),
            )
            row = self.db.one("SELECT * FROM audit_log WHERE seq = ?", (seq,))
        return audit_wire(row)

    def of_user(self, user_id: str, limit: int) -> list[dict[str, Any]]:
        self.directory.user(user_id)
        rows = self.db.all(
            "SELECT * FROM audit_log WHERE user_id = ? ORDER BY seq DESC LIMIT ?", (user_id, limit)
        )
        return [audit_wire(r) for r in rows]

    def of_subscriber(self, subscriber_id: str, limit: int) -> list[dict[str, Any]]:
        self.directory.subscriber(subscriber_id)
        rows = self.db.all(
            "SELECT * FROM audit_log WHERE subscriber_id = ? ORDER BY seq DESC LIMIT ?",
            (subscriber_id, limit),
        )
        return [audit_wire(r) for r in rows]
