"""The CRM's business rules, one module per area: the directory (subscribers, sub-services, users and
log-in), tickets and their attachments, notices (portal notifications and e-mails), the audit log, and a
user's own security: passwords and reset links, the second factor, sign-in alerts, and the team; contact
details and notification preferences (`profile`).

`CrmService` wires the areas to each other once; the API, the operator console and tests call its parts.
"""

from __future__ import annotations

from pathlib import Path

from adapters.brand import DEFAULT_BRAND, Brand
from sandbox.common.db import Database
from sandbox.common.events import EventOutbox
from sandbox.crm.service.attachments import Attachments
from sandbox.crm.service.audit import AuditLog
from sandbox.crm.service.credentials import Credentials
from sandbox.crm.service.directory import Directory
from sandbox.crm.service.feedback import TicketFeedback
from sandbox.crm.service.history import TicketHistory
from sandbox.crm.service.login_email import LoginEmail
from sandbox.crm.service.notices import Notices
from sandbox.crm.service.profile import Profile
from sandbox.crm.service.second_factor import SecondFactor
from sandbox.crm.service.sign_in_alerts import SignInAlerts
from sandbox.crm.service.team import Team
from sandbox.crm.service.tickets import Tickets


class CrmService:
    def __init__(
        self,
        db: Database,
        outbox: EventOutbox,
        attachments_dir: Path,
        portal_url: str = "",
        brand: Brand = DEFAULT_BRAND,
    ) -> None:
        self.directory = Directory(db, outbox)
        self.notices = Notices(db, outbox, self.directory, portal_url, brand)
        self.audit = AuditLog(db, self.directory)
        self.history = TicketHistory(db)
        self.tickets = Tickets(db, outbox, self.directory, self.notices, self.history)
        self.feedback = TicketFeedback(db, self.tickets)
        self.attachments = Attachments(db, self.tickets, attachments_dir)
        self.credentials = Credentials(db, self.directory, self.notices)
        self.second_factor = SecondFactor(db, self.directory)
        self.sign_in_alerts = SignInAlerts(db, self.notices)
        self.team = Team(db, self.directory, self.notices, self.credentials)
        self.profile = Profile(db, self.directory, self.notices, self.audit)
        self.login_email = LoginEmail(db, self.directory, self.notices, self.audit)
