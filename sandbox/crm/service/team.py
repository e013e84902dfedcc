"""The people who use a subscriber's portal, as the account's owner manages them: inviting one by e-mail
(a new user with no usable password and a link to set one), and removing one.

Changing a role or site scope and disabling are the directory's (`Directory.set_role`, `set_disabled`),
which tell the portal through a signed `portal_user.updated` event; removing does the same with the user
disabled, so the removed user's sessions end wherever the event arrives. A removed user stays in the table
(the access log and tickets still name them) but is no longer listed, cannot sign in, and frees the e-mail
address for a later invitation.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from sandbox.common import clock
from sandbox.common.db import Database
from sandbox.common.http import conflict, invalid, not_found
from sandbox.crm.config import ROLES
from sandbox.crm.service.credentials import INVITE_TTL, Credentials, link_to
from sandbox.crm.service.directory import Directory
from sandbox.crm.service.notices import Notices
from sandbox.crm.service.outgoing import send_mail
from sandbox.crm.service.passwords import hash_password


class Team:
    def __init__(
        self, db: Database, directory: Directory, notices: Notices, credentials: Credentials
    ) -> None:
        self.db = db
        self.directory = directory
        self.notices = notices
        self.credentials = credentials

    def _next_user_id(self) -> str:
        top = self.db.scalar(
            "SELECT COALESCE(MAX(CAST(SUBSTR(id, 5) AS INTEGER)), 0) FROM users WHERE id LIKE 'USR-%'"
        )
        return f"USR-{int(top) + 1}"

    def invite(
        self,
        subscriber_id: str,
        *,
        email: str,
        name: str,
        role: str,
        site_ids: Sequence[str],
        invited_by: str,
        link_base: str,
    ) -> dict[str, Any]:
        subscriber = self.directory.require_subscriber(subscriber_id)
        inviter = self.directory.member(invited_by, subscriber_id)
        if role not in ROLES:
            raise invalid(f"role must be one of {', '.join(ROLES)}", "INVALID_ROLE")
        address = email.strip()
        if "@" not in address or len(address) > 254 or any(c.isspace() for c in address):
            raise invalid("not an e-mail address", "INVALID_EMAIL")
        with self.db.transaction():
            if self.db.one("SELECT 1 FROM users WHERE email_key = ?", (address.lower(),)) is not None:
                raise conflict("EMAIL_TAKEN", "a portal user with this e-mail address already exists")
            user_id = self._next_user_id()
            self.db.execute(
                "INSERT INTO users (id, email, email_key, name, role, subscriber_id, password_hash, created_at)"
                " VALUES (?, ?, ?, ?, 'VIEWER', ?, ?, ?)",
                (
                    user_id,
                    address,
                    address.lower(),
                    name.strip() or address.split("@", 1)[0],
                    subscriber_id,
                    # Nobody knows this password: the invitee sets one through the link.
                    hash_password(secrets.token_urlsafe(32)),
                    clock.iso(clock.now()),
                ),
            )
            user = self.directory.set_role(user_id, role, site_ids)
            token = self.credentials.issue_link(user_id, "INVITE", INVITE_TTL)
            link = link_to(link_base, token)
            send_mail(
                self.notices,
                to=address,
                message="invitation",
                # The invitee has chosen nothing yet: the inviter's language is the best guess.
                locale=self.directory.locale_of(inviter["id"]),
                inviter=inviter["name"],
                account=subscriber["name"],
                number=subscriber["account_number"],
                subscriber_id=subscriber_id,
                link=link,
            )
        return user

    def remove(self, user_id: str) -> dict[str, Any]:
        with self.db.transaction():
            row = self.db.one("SELECT * FROM users WHERE id = ?", (user_id,))
            removed = self.db.one("SELECT 1 FROM removed_users WHERE user_id = ?", (user_id,))
            if row is None or removed is not None:
                raise not_found("user")
            self.db.execute(
                "INSERT INTO removed_users (user_id, removed_at) VALUES (?, ?)",
                (user_id, clock.iso(clock.now())),
            )
            self.db.execute(
                "UPDATE users SET disabled = 1, email_key = ? WHERE id = ?", (f"removed:{user_id}", user_id)
            )
            self.db.execute("DELETE FROM user_sites WHERE user_id = ?", (user_id,))
            self.db.execute(
                "UPDATE password_tokens SET used_at = ? WHERE user_id = ? AND used_at IS NULL",
                (clock.iso(clock.now()), user_id),
            )
            user = self.directory.user(user_id)
            self.directory.user_changed(user)
        return user
