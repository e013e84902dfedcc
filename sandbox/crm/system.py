"""`CrmSystem`: the CRM sandbox system — its tables, its services, its routes — and the operator actions
in-process callers (tests, the demo) use without going through HTTP."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from starlette.routing import BaseRoute

from sandbox.common.system import System, SystemConfig
from sandbox.crm.api.routes import routes
from sandbox.crm.seed import seed_world
from sandbox.crm.service import CrmService
from sandbox.crm.service.mail_outbox import MailRelay
from sandbox.crm.service.mailer import Mailer, SmtpSettings
from sandbox.crm.store import SCHEMA
from sandbox.world import World


class CrmSystem(System):
    name = "crm"

    def __init__(
        self,
        config: SystemConfig,
        attachments_dir: Path | None = None,
        *,
        smtp: SmtpSettings | None = None,
        portal_url: str = "",
    ) -> None:
        """`smtp`: where queued e-mails go (None: they stay in the outbox the console shows); `portal_url`:
        where the links in e-mails point."""
        super().__init__(config)
        self.db.script(SCHEMA)
        self.attachments_dir = attachments_dir or Path(tempfile.mkdtemp(prefix="wispgate-crm-"))
        self.attachments_dir.mkdir(parents=True, exist_ok=True)
        self.service = CrmService(self.db, self.outbox, self.attachments_dir, portal_url, config.brand)
        self.mail_relay = (
            MailRelay(self.db, Mailer(smtp, config.brand, portal_url)) if smtp is not None else None
        )

    def background(self) -> list[Callable[[], Coroutine[Any, Any, None]]]:
        return [self.mail_relay.run] if self.mail_relay is not None else []

    def seed(self, world: World) -> None:
        seed_world(self.db, world)

    def routes(self) -> list[BaseRoute]:
        return routes(self.service)

    # -- operator actions (the operator API offers the same over HTTP) ------------------------------------
    def support_queue(self, statuses: tuple[str, ...] = (), limit: int = 200) -> list[dict[str, Any]]:
        return self.service.tickets.support_queue(statuses, limit)

    def reply_to_ticket(
        self, ticket_id: str, agent_name: str, body: str, status: str | None = None
    ) -> dict[str, Any]:
        return self.service.tickets.reply_as_support(ticket_id, agent_name, body, status)

    def set_ticket_status(self, ticket_id: str, status: str) -> dict[str, Any]:
        return self.service.tickets.set_status(ticket_id, status)

    def attach_as_support(
        self, ticket_id: str, filename: str, content_type: str, data: bytes, message_id: str | None = None
    ) -> dict[str, Any]:
        return self.service.attachments.add(ticket_id, filename, content_type, data, message_id)

    def emails(self, limit: int = 100) -> list[dict[str, Any]]:
        return self.service.notices.emails(limit)

    def disable_user(self, user_id: str) -> dict[str, Any]:
        return self.service.directory.set_disabled(user_id, True)

    def enable_user(self, user_id: str) -> dict[str, Any]:
        return self.service.directory.set_disabled(user_id, False)

    def set_role(self, user_id: str, role: str, site_ids: Sequence[str] = ()) -> dict[str, Any]:
        return self.service.directory.set_role(user_id, role, site_ids)
