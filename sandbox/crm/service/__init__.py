"""The CRM's business rules, one module per area: the directory (subscribers, sub-services, users and
log-in), tickets and their attachments, notices (portal notifications and e-mails) and the audit log.

`CrmService` wires the areas to each other once; the API, the operator console and tests call its parts.
"""

from __future__ import annotations

from pathlib import Path

from sandbox.common.db import Database
from sandbox.common.events import EventOutbox
from sandbox.crm.service.attachments import Attachments
from sandbox.crm.service.audit import AuditLog
from sandbox.crm.service.directory import Directory
from sandbox.crm.service.feedback import TicketFeedback
from sandbox.crm.service.history import TicketHistory
from sandbox.crm.service.notices import Notices
from sandbox.crm.service.tickets import Tickets


class CrmService:
    def __init__(
        self, db: Database, outbox: EventOutbox, attachments_dir: Path, portal_url: str = ""
    ) -> None:
        self.directory = Directory(db, outbox)
        self.notices = Notices(db, outbox, self.directory, portal_url)
        self.audit = AuditLog(db, self.directory)
        self.history = TicketHistory(db)
        self.tickets = Tickets(db, outbox, self.directory, self.notices, self.history)
        self.feedback = TicketFeedback(db, self.tickets)
        self.attachments = Attachments(db, self.tickets, attachments_dir)
