"""The e-mail a user gets when their login is used from a device not seen before.

The portal names the device by its browser family and address (`device_key`) and describes it in words
(`label`); the CRM remembers the keys per user. The very first sign-in of a user only starts the list: an
alert then would tell nobody anything.
"""

from __future__ import annotations

from typing import Any

from sandbox.common import clock
from sandbox.common.db import Database
from sandbox.common.http import not_found
from sandbox.crm.service.mail_text import chrome, when
from sandbox.crm.service.notices import Notices
from sandbox.crm.service.outgoing import send_mail

MAX_DEVICES = 200  # per user; the oldest are forgotten beyond this


class SignInAlerts:
    def __init__(self, db: Database, notices: Notices) -> None:
        self.db = db
        self.notices = notices

    def seen(self, user_id: str, device_key: str, label: str, ip: str | None) -> dict[str, Any]:
        """Remember the device; e-mail the user when it is new and not their first. {"new", "alerted"}."""
        user = self.db.one("SELECT * FROM users WHERE id = ?", (user_id,))
        if user is None:
            raise not_found("user")
        now = clock.now()
        with self.db.transaction():
            known = int(self.db.scalar("SELECT COUNT(*) FROM known_devices WHERE user_id = ?", (user_id,)))
            added = self.db.execute(
                "INSERT OR IGNORE INTO known_devices (user_id, device_key, first_seen_at) VALUES (?, ?, ?)",
                (user_id, device_key, clock.iso(now)),
            )
            new = added.rowcount == 1
            if new and known >= MAX_DEVICES:
                self.db.execute(
                    "DELETE FROM known_devices WHERE user_id = ? AND device_key IN (SELECT device_key FROM"
                    " known_devices WHERE user_id = ? ORDER BY first_seen_at LIMIT 1)",
                    (user_id, user_id),
                )
        alerted = new and known > 0
        if alerted:
            locale = self.notices.directory.locale_of(user["id"])
            send_mail(
                self.notices,
                to=user["email"],
                message="sign_in_alert",
                locale=locale,
                name=user["name"],
                device=label,
                ip=ip or chrome("unknown_address", locale),
                at=when(now, locale),
                subscriber_id=user["subscriber_id"],
            )
        return {"new": new, "alerted": alerted}
