"""Support tickets: opening, conversation, status and SLA (their attachments: `attachments.py`).

Customer actions (open, reply, close) come through the BFF; support actions (reply, set status) come from
the operator API and console. Every change a subscriber would see emits `ticket.updated` in its transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sandbox.common import clock
from sandbox.common.db import Database, placeholders
from sandbox.common.events import EventOutbox
from sandbox.common.http import conflict, not_found
from sandbox.crm.config import ACTIVE_STATUSES, TICKET_CURSOR
from sandbox.crm.service import sla
from sandbox.crm.service.cursor import encode_cursor
from sandbox.crm.service.directory import Directory
from sandbox.crm.service.history import TicketHistory
from sandbox.crm.service.notices import Notices
from sandbox.crm.store import attachment_wire, next_seq

_SUMMARY_SQL = (
    "SELECT t.*,"
    " (SELECT COUNT(*) FROM ticket_messages m WHERE m.ticket_id = t.id) AS message_count,"
    " (SELECT COUNT(*) FROM attachments a WHERE a.ticket_id = t.id) AS attachment_count"
    " FROM tickets t"
)


def summary_wire(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "number": row["number"],
        "subject": row["subject"],
        "category": row["category"],
        "priority": row["priority"],
        "status": row["status"],
        "queue": row["queue"],
        "subscriber_id": row["subscriber_id"],
        "subservice_id": row["subservice_id"],
        "opened_by_user_id": row["opened_by_user_id"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "sla": sla.sla_view(row),
        "message_count": row["message_count"],
        "attachment_count": row["attachment_count"],
        "rating": (
            {"score": row["rating"], "comment": row["rating_comment"], "rated_at": row["rated_at"]}
            if row["rating"] is not None
            else None
        ),
    }


_STATUS_WORDS = {
    "OPEN": "reopened",
    "IN_PROGRESS": "in progress",
    "WAITING_ON_CUSTOMER": "waiting for your answer",
    "RESOLVED": "resolved",
    "CLOSED": "closed",
}


class Tickets:
    def __init__(
        self,
        db: Database,
        outbox: EventOutbox,
        directory: Directory,
        notices: Notices,
        history: TicketHistory,
    ) -> None:
        self.db = db
        self.outbox = outbox
        self.directory = directory
        self.notices = notices
        self.history = history

    # -- reads -------------------------------------------------------------------------------------------
    def row(self, ticket_id: str) -> Any:
        row = self.db.one("SELECT * FROM tickets WHERE id = ?", (ticket_id,))
        if row is None:
            raise not_found("ticket")
        return row

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        tickets = self.tickets([ticket_id])
        if not tickets:
            raise not_found("ticket")
        return tickets[0]

    def tickets(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        """Full tickets (conversation and attachments included) in three queries, whatever the count."""
        marks = placeholders(ids)
        rows = {r["id"]: r for r in self.db.all(f"{_SUMMARY_SQL} WHERE t.id IN ({marks})", list(ids))}
        messages: dict[str, list[dict[str, Any]]] = {i: [] for i in rows}
        attachments: dict[str, list[dict[str, Any]]] = {i: [] for i in rows}
        by_message: dict[str, list[str]] = {}
        for a in self.db.all(
            f"SELECT * FROM attachments WHERE ticket_id IN ({marks}) ORDER BY seq", list(ids)
        ):
            attachments[a["ticket_id"]].append(attachment_wire(a))
            if a["message_id"]:
                by_message.setdefault(a["message_id"], []).append(a["id"])
        for m in self.db.all(
            f"SELECT * FROM ticket_messages WHERE ticket_id IN ({marks}) ORDER BY seq", list(ids)
        ):
            messages[m["ticket_id"]].append(
                {
                    "id": m["id"],
                    "author_kind": m["author_kind"],
                    "author_name": m["author_name"],
                    "author_user_id": m["author_user_id"],
                    "body": m["body"],
                    "created_at": m["created_at"],
                    "attachment_ids": by_message.get(m["id"], []),
                }
            )
        events = self.history.of_tickets([i for i in ids if i in rows])
        return [
            {
                **summary_wire(rows[i]),
                "messages": messages[i],
                "attachments": attachments[i],
                "events": events[i],
            }
            for i in ids
            if i in rows
        ]

    def summaries_of(
        self, subscriber_id: str, *, statuses: Sequence[str], limit: int, after: int | None
    ) -> dict[str, Any]:
        """A subscriber's tickets, newest first."""
        self.directory.subscriber(subscriber_id)
        where = "t.subscriber_id = ?"
        params: list[Any] = [subscriber_id]
        if statuses:
            where += f" AND t.status IN ({placeholders(statuses)})"
            params += statuses
        total = int(self.db.scalar(f"SELECT COUNT(*) FROM tickets t WHERE {where}", params))
        if after is not None:
            where += " AND t.seq < ?"
            params.append(after)
        rows = self.db.all(f"{_SUMMARY_SQL} WHERE {where} ORDER BY t.seq DESC LIMIT ?", [*params, limit + 1])
        more = len(rows) > limit
        rows = rows[:limit]
        return {
            "items": [summary_wire(r) for r in rows],
            "next_cursor": encode_cursor(TICKET_CURSOR, rows[-1]["seq"]) if more else None,
            "total_count": total,
        }

    def support_queue(self, statuses: Sequence[str] = (), limit: int = 200) -> list[dict[str, Any]]:
        """What support works on: active tickets (unless `statuses` says otherwise), most urgent SLA first."""
        wanted = list(statuses or ACTIVE_STATUSES)
        rows = self.db.all(
            f"{_SUMMARY_SQL} WHERE t.status IN ({placeholders(wanted)})"
            " ORDER BY t.resolution_due_at, t.seq LIMIT ?",
            [*wanted, limit],
        )
        return [summary_wire(r) for r in rows]

    def queue_counts(self, queues: Sequence[str]) -> list[dict[str, Any]]:
        """Per support queue: its active tickets and how many of them are past an SLA target."""
        active: dict[str, int] = dict.fromkeys(queues, 0)
        breached: dict[str, int] = dict.fromkeys(queues, 0)
        for ticket in self.support_queue(limit=10_000):
            queue, view = ticket["queue"], ticket["sla"]
            active[queue] = active.get(queue, 0) + 1
            late = view["first_response_breached"] or view["resolution_breached"]
            breached[queue] = breached.get(queue, 0) + int(late)
        return [{"queue": q, "active": n, "breached": breached.get(q, 0)} for q, n in active.items()]

    # -- customer actions --------------------------------------------------------------------------------
    def open(
        self,
        *,
        subscriber_id: str,
        category: str,
        subject: str,
        body: str,
        author_user_id: str,
        subservice_id: str | None = None,
        priority: str | None = None,
    ) -> dict[str, Any]:
        self.directory.require_subscriber(subscriber_id)
        self.directory.check_subservice(subscriber_id, subservice_id)
        author = self.directory.member(author_user_id, subscriber_id)
        priority = priority or sla.DEFAULT_PRIORITY[category]
        opened_at = clock.now()
        first_due, resolution_due = sla.due_times(priority, opened_at)
        with self.db.transaction():
            seq = next_seq(self.db, "tickets")
            ticket_id = f"TCK-{seq}"
            self.db.execute(
                "INSERT INTO tickets (id, seq, number, subscriber_id, subservice_id, category, priority, status,"
                " queue, subject, opened_by_user_id, created_at, updated_at, first_response_due_at,"
                " resolution_due_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'OPEN', ?, ?, ?, ?, ?, ?, ?)",
                (
                    ticket_id,
                    seq,
                    ticket_id,
                    subscriber_id,
                    subservice_id,
                    category,
                    priority,
                    sla.QUEUES[category],
                    subject,
                    author_user_id,
                    clock.iso(opened_at),
                    clock.iso(opened_at),
                    clock.iso(first_due),
                    clock.iso(resolution_due),
                ),
            )
            self._add_message(ticket_id, "CUSTOMER", author["name"], author_user_id, body, event=False)
            self.history.record(ticket_id, "CREATED", "CUSTOMER", author["name"], to_status="OPEN")
            self.history.record(ticket_id, "ASSIGNED", "SYSTEM", "WISPGate", detail=sla.QUEUES[category])
            self.outbox.emit(
                "ticket.created",
                subscriber_id=subscriber_id,
                subservice_id=subservice_id,
                data={"ticket_id": ticket_id, "number": ticket_id, "status": "OPEN", "category": category},
            )
        return self.ticket(ticket_id)

    def reply_as_customer(self, ticket_id: str, user_id: str, body: str) -> dict[str, Any]:
        """A customer reply; it hands a waiting ticket back to support and reopens a resolved one."""
        row = self.row(ticket_id)
        user = self.directory.member(user_id, row["subscriber_id"])
        status = {"WAITING_ON_CUSTOMER": "IN_PROGRESS", "RESOLVED": "OPEN"}.get(row["status"], row["status"])
        with self.db.transaction():
            self.refuse_closed(ticket_id)
            self._add_message(ticket_id, "CUSTOMER", user["name"], user_id, body)
            self.apply_status(row, status, change="customer_reply", actor=("CUSTOMER", user["name"]))
        return self.ticket(ticket_id)

    def close(self, ticket_id: str, user_id: str) -> dict[str, Any]:
        """Closing is final and idempotent: closing a closed ticket changes nothing."""
        row = self.row(ticket_id)
        user = self.directory.member(user_id, row["subscriber_id"])
        if row["status"] != "CLOSED":
            with self.db.transaction():
                self.apply_status(
                    self.row(ticket_id), "CLOSED", change="closed", actor=("CUSTOMER", user["name"])
                )
        return self.ticket(ticket_id)

    def add_customer_message(self, ticket_id: str, user: Any, body: str) -> None:
        """A customer message inside the caller's transaction (reopening with a reason)."""
        self._add_message(ticket_id, "CUSTOMER", user["name"], user["id"], body)

    # -- support actions ---------------------------------------------------------------------------------
    def reply_as_support(
        self, ticket_id: str, agent_name: str, body: str, status: str | None = None
    ) -> dict[str, Any]:
        """A support reply: starts the SLA's first response, tells the subscriber in the portal and by e-mail."""
        row = self.row(ticket_id)
        new_status = status or ("IN_PROGRESS" if row["status"] == "OPEN" else row["status"])
        opener = (
            self.db.one("SELECT email FROM users WHERE id = ?", (row["opened_by_user_id"],))
            if row["opened_by_user_id"]
            else None
        )
        with self.db.transaction():
            self.refuse_closed(ticket_id)
            message_at = self._add_message(ticket_id, "SUPPORT", agent_name, None, body)
            self.db.execute(
                "UPDATE tickets SET first_responded_at = COALESCE(first_responded_at, ?) WHERE id = ?",
                (message_at, ticket_id),
            )
            self.apply_status(row, new_status, change="support_reply", actor=("SUPPORT", agent_name))
            # The person who opened the ticket waits for the answer; the subscriber's contact otherwise.
            self.notices.create(
                row["subscriber_id"],
                "TICKET_UPDATED",
                f"New reply on ticket {row['number']}",
                f"{agent_name} replied to “{row['subject']}”:\n\n{body}",
                subservice_id=row["subservice_id"],
                email=True,
                email_to=opener["email"] if opener else None,
                link=("TICKET", ticket_id),
                email_subject=f"[{row['number']}] New reply: {row['subject']}",
            )
        return self.ticket(ticket_id)

    def set_status(self, ticket_id: str, status: str, agent_name: str = "Support team") -> dict[str, Any]:
        """Support moves a ticket along; the subscriber hears of every change (RESOLVED also by e-mail)."""
        row = self.row(ticket_id)
        if row["status"] == status:
            return self.ticket(ticket_id)
        with self.db.transaction():
            self.refuse_closed(ticket_id)
            self.apply_status(row, status, change="status", actor=("SUPPORT", agent_name))
            resolved = status == "RESOLVED"
            self.notices.create(
                row["subscriber_id"],
                "TICKET_UPDATED",
                f"Ticket {row['number']} {_STATUS_WORDS[status]}",
                f"Support marked “{row['subject']}” as {_STATUS_WORDS[status]}."
                + (
                    " Rate the help you got, or reopen the ticket if the problem is back." if resolved else ""
                ),
                subservice_id=row["subservice_id"],
                link=("TICKET", ticket_id),
                email=resolved,
                email_subject=f"[{row['number']}] Resolved: {row['subject']}",
            )
        return self.ticket(ticket_id)

    # -- used by this module and by attachments.py -----------------------------------------------------
    def refuse_closed(self, ticket_id: str) -> None:
        # Read inside the transaction, so a concurrent close cannot slip between the check and the write.
        if self.db.scalar("SELECT status FROM tickets WHERE id = ?", (ticket_id,)) == "CLOSED":
            raise conflict("TICKET_CLOSED", "the ticket is closed")

    def _add_message(
        self,
        ticket_id: str,
        author_kind: str,
        author_name: str,
        user_id: str | None,
        body: str,
        *,
        event: bool = True,
    ) -> str:
        seq = next_seq(self.db, "ticket_messages")
        created = clock.iso(clock.now())
        self.db.execute(
            "INSERT INTO ticket_messages (id, seq, ticket_id, author_kind, author_name, author_user_id, body,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (f"MSG-{seq}", seq, ticket_id, author_kind, author_name, user_id, body, created),
        )
        if event:
            self.history.record(
                ticket_id, "REPLIED", author_kind, author_name, detail=f"MSG-{seq}", at=created
            )
        assert created is not None
        return created

    def apply_status(
        self, row: Any, status: str, *, change: str, actor: tuple[str, str] = ("SYSTEM", "WISPGate")
    ) -> None:
        """Apply a status (resolved_at follows RESOLVED/CLOSED), record the change in the ticket's history
        when there is one, and emit `ticket.updated`."""
        now = clock.iso(clock.now())
        previous = self.db.scalar("SELECT status FROM tickets WHERE id = ?", (row["id"],))
        if previous != status:
            kind = "REOPENED" if change == "reopened" else "STATUS_CHANGED"
            self.history.record(row["id"], kind, *actor, from_status=previous, to_status=status, at=now)
        if status in ("RESOLVED", "CLOSED"):
            resolved_sql = "COALESCE(resolved_at, ?)"
            resolved_param: str | None = now
        else:
            resolved_sql, resolved_param = "?", None
        self.db.execute(
            f"UPDATE tickets SET status = ?, updated_at = ?, resolved_at = {resolved_sql} WHERE id = ?",
            (status, now, resolved_param, row["id"]),
        )
        self.outbox.emit(
            "ticket.updated",
            subscriber_id=row["subscriber_id"],
            subservice_id=row["subservice_id"],
            data={"ticket_id": row["id"], "number": row["number"], "status": status, "change": change},
        )
