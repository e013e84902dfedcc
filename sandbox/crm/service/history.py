"""A ticket's history: every interaction recorded as an event (created, assigned to a queue, replied, status
changed, attachment added, reopened, rated), written in the transaction of the change it records, so the
portal's "all ticket interactions logged and visible" holds by construction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sandbox.common import clock
from sandbox.common.db import Database, placeholders
from sandbox.crm.store import next_seq

EVENT_KINDS = (
    "CREATED",
    "ASSIGNED",
    "REPLIED",
    "STATUS_CHANGED",
    "ATTACHMENT_ADDED",
    "REOPENED",
    "RATED",
)
ACTOR_KINDS = ("CUSTOMER", "SUPPORT", "SYSTEM")


def event_wire(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "actor_kind": row["actor_kind"],
        "actor_name": row["actor_name"],
        "from_status": row["from_status"],
        "to_status": row["to_status"],
        "detail": row["detail"],
        "created_at": row["created_at"],
    }


class TicketHistory:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(
        self,
        ticket_id: str,
        kind: str,
        actor_kind: str,
        actor_name: str,
        *,
        from_status: str | None = None,
        to_status: str | None = None,
        detail: str | None = None,
        at: str | None = None,
    ) -> None:
        """Call inside the transaction of the change."""
        assert kind in EVENT_KINDS and actor_kind in ACTOR_KINDS, (kind, actor_kind)
        seq = next_seq(self.db, "ticket_events")
        self.db.execute(
            "INSERT INTO ticket_events (id, seq, ticket_id, kind, actor_kind, actor_name, from_status, to_status,"
            " detail, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                f"TEV-{seq}",
                seq,
                ticket_id,
                kind,
                actor_kind,
                actor_name,
                from_status,
                to_status,
                detail,
                at or clock.iso(clock.now()),
            ),
        )

    def of_tickets(self, ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
        for row in self.db.all(
            f"SELECT * FROM ticket_events WHERE ticket_id IN ({placeholders(ids)}) ORDER BY seq", list(ids)
        ):
            found[row["ticket_id"]].append(event_wire(row))
        return found
