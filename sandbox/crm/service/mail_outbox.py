"""The relay from the CRM's e-mail outbox to SMTP.

Notices queue e-mails in the same transaction as the notification (so neither exists without the other);
this loop hands them to the SMTP server afterwards, off the request path, in a worker thread. A message is
marked sent only after the server accepted it; a failure is recorded and retried a few times, then left for
the operator to see in the console.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sandbox.common import clock
from sandbox.common.db import Database
from sandbox.crm.service.mailer import Mailer, MailError

log = logging.getLogger("wispgate.sandbox.mail")
MAX_ATTEMPTS = 5
BATCH = 20


class MailRelay:
    def __init__(self, db: Database, mailer: Mailer, interval_s: float = 0.3) -> None:
        self.db = db
        self.mailer = mailer
        self.interval_s = interval_s

    def pending(self) -> list[Any]:
        return self.db.all(
            "SELECT * FROM email_outbox WHERE sent_at IS NULL AND attempts < ? ORDER BY seq LIMIT ?",
            (MAX_ATTEMPTS, BATCH),
        )

    def deliver_one(self, row: Any) -> bool:
        try:
            self.mailer.send_mail(row["to_address"], row["subject"], row["body"], row["html"], row["link"])
        except MailError as exc:
            log.warning("e-mail %s not sent: %s", row["id"], exc)
            with self.db.transaction():
                self.db.execute(
                    "UPDATE email_outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?",
                    (str(exc)[:500], row["id"]),
                )
            return False
        with self.db.transaction():
            self.db.execute(
                "UPDATE email_outbox SET attempts = attempts + 1, sent_at = ?, last_error = NULL WHERE id = ?",
                (clock.iso(clock.now()), row["id"]),
            )
        return True

    def deliver_pending(self) -> int:
        """Send what is queued (one batch); the number sent."""
        return sum(self.deliver_one(row) for row in self.pending())

    async def run(self) -> None:
        while True:
            try:
                await asyncio.to_thread(self.deliver_pending)
            except asyncio.CancelledError:
                raise
            except Exception:  # the loop must outlive any one bad message or a locked database
                log.exception("mail relay pass failed")
            await asyncio.sleep(self.interval_s)
