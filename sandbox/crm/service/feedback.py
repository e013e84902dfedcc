"""What a customer does once support considers a ticket done: reopen it (the problem is back) or rate the
help they got (1–5 and a comment, once, only after resolution)."""

from __future__ import annotations

from typing import Any

from sandbox.common import clock
from sandbox.common.db import Database
from sandbox.common.http import conflict, invalid
from sandbox.crm.service.tickets import Tickets

DONE = ("RESOLVED", "CLOSED")
MAX_COMMENT = 2000


class TicketFeedback:
    def __init__(self, db: Database, tickets: Tickets) -> None:
        self.db = db
        self.tickets = tickets

    def reopen(self, ticket_id: str, user_id: str, reason: str | None = None) -> dict[str, Any]:
        """RESOLVED or CLOSED → OPEN; the resolution SLA runs again from its original due time."""
        row = self.tickets.row(ticket_id)
        user = self.tickets.directory.member(user_id, row["subscriber_id"])
        with self.db.transaction():
            current = self.db.scalar("SELECT status FROM tickets WHERE id = ?", (ticket_id,))
            if current not in DONE:
                raise conflict("TICKET_NOT_RESOLVED", "only a resolved or closed ticket can be reopened")
            if reason:
                self.tickets.add_customer_message(ticket_id, user, reason)
            self.tickets.apply_status(row, "OPEN", change="reopened", actor=("CUSTOMER", user["name"]))
        return self.tickets.ticket(ticket_id)

    def rate(self, ticket_id: str, user_id: str, score: int, comment: str | None) -> dict[str, Any]:
        if not 1 <= score <= 5:
            raise invalid("`score` must be 1 to 5", "RATING_INVALID")
        if comment is not None and len(comment) > MAX_COMMENT:
            raise invalid(f"`comment` is limited to {MAX_COMMENT} characters", "RATING_INVALID")
        row = self.tickets.row(ticket_id)
        user = self.tickets.directory.member(user_id, row["subscriber_id"])
        now = clock.iso(clock.now())
        with self.db.transaction():
            fresh = self.db.one("SELECT status, rating FROM tickets WHERE id = ?", (ticket_id,))
            assert fresh is not None
            if fresh["status"] not in DONE:
                raise conflict("TICKET_NOT_RESOLVED", "a ticket can be rated once it is resolved")
            if fresh["rating"] is not None:
                raise conflict("ALREADY_RATED", "this ticket has been rated already")
            self.db.execute(
                "UPDATE tickets SET rating = ?, rating_comment = ?, rated_at = ?, updated_at = ? WHERE id = ?",
                (score, comment or None, now, now, ticket_id),
            )
            self.tickets.history.record(
                ticket_id, "RATED", "CUSTOMER", user["name"], detail=f"{score}/5", at=now
            )
            self.tickets.apply_status(row, fresh["status"], change="rated")
        return self.tickets.ticket(ticket_id)
