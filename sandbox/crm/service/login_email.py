"""Changing a user's login e-mail: the address they sign in with and where their password resets and
security alerts go. Two proofs, as users know it from the big providers: the current password (the person
at the keyboard, not merely a session left open) to ask, and a link sent to the new address (that it is
theirs and typed right: a typo must not lock them out of their own login) to complete. The old address is
told at both steps, so a takeover in progress is noticed where the owner still reads mail.

The link's token is 32 random bytes, kept only as SHA-256, valid 30 minutes and once; a newer request
retires older ones. The new address is checked for being free again when the link is opened.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from adapters.contact import ContactInvalid, normalize_email
from sandbox.common import clock
from sandbox.common.db import Database
from sandbox.common.http import conflict, invalid
from sandbox.crm.service.audit import AuditLog
from sandbox.crm.service.credentials import link_to, token_hash
from sandbox.crm.service.directory import Directory
from sandbox.crm.service.notices import Notices
from sandbox.crm.service.outgoing import send_mail
from sandbox.crm.service.passwords import verify_password

CHANGE_TTL = timedelta(minutes=30)


class LoginEmail:
    def __init__(self, db: Database, directory: Directory, notices: Notices, audit: AuditLog) -> None:
        self.db = db
        self.directory = directory
        self.notices = notices
        self.audit = audit

    def _free(self, address: str, user_id: str) -> None:
        taken = self.db.scalar("SELECT id FROM users WHERE email_key = ?", (address.lower(),))
        if taken is not None and taken != user_id:
            raise conflict("EMAIL_TAKEN", "a portal user with this e-mail address already exists")

    def request(self, user_id: str, current_password: str, new_email: str, link_base: str) -> None:
        user = self.db.one("SELECT * FROM users WHERE id = ?", (user_id,))
        if user is None or user["disabled"]:
            raise invalid("no such user", "UNKNOWN_USER")
        if not verify_password(current_password, user["password_hash"]):
            raise invalid("the current password is not correct", "INVALID_CREDENTIALS")
        try:
            address = normalize_email(new_email)
        except ContactInvalid as exc:
            raise invalid(exc.message, exc.code) from None
        if address.lower() == user["email_key"]:
            raise invalid("this is already your login e-mail", "EMAIL_UNCHANGED")
        self._free(address, user_id)
        token = secrets.token_urlsafe(32)
        now = clock.now()
        link = link_to(link_base, token)
        with self.db.transaction():
            self.db.execute(
                "UPDATE login_email_changes SET used_at = ? WHERE user_id = ? AND used_at IS NULL",
                (clock.iso(now), user_id),
            )
            self.db.execute(
                "INSERT INTO login_email_changes (token_hash, user_id, new_email, expires_at, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (token_hash(token), user_id, address, clock.iso(now + CHANGE_TTL), clock.iso(now)),
            )
            locale = self.directory.locale_of(user_id)
            send_mail(
                self.notices,
                to=address,
                message="login_email_confirm",
                locale=locale,
                name=user["name"],
                subscriber_id=user["subscriber_id"],
                link=link,
            )
            send_mail(
                self.notices,
                to=user["email"],
                message="login_email_requested",
                locale=locale,
                name=user["name"],
                address=address,
                subscriber_id=user["subscriber_id"],
            )
            self.audit.record("login_email_change_requested", user_id=user_id, detail=address)

    def complete(self, token: str) -> dict[str, Any]:
        """Refused INVALID_TOKEN (unknown, used or expired) or EMAIL_TAKEN (taken since)."""
        now = clock.iso(clock.now())
        with self.db.transaction():
            change = self.db.one(
                "SELECT * FROM login_email_changes WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
                (token_hash(token), now),
            )
            user = self.db.one("SELECT * FROM users WHERE id = ?", (change["user_id"],)) if change else None
            if change is None or user is None or user["disabled"]:
                raise invalid("the link is not valid (used, expired or unknown)", "INVALID_TOKEN")
            address = change["new_email"]
            self._free(address, user["id"])
            self.db.execute(
                "UPDATE users SET email = ?, email_key = ? WHERE id = ?",
                (address, address.lower(), user["id"]),
            )
            self.db.execute(
                "UPDATE login_email_changes SET used_at = ? WHERE user_id = ? AND used_at IS NULL",
                (now, user["id"]),
            )
            self.audit.record(
                "login_email_changed", user_id=user["id"], detail=f"{user['email']} → {address}"
            )
            send_mail(
                self.notices,
                to=user["email"],
                message="login_email_changed",
                locale=self.directory.locale_of(user["id"]),
                name=user["name"],
                address=address,
                subscriber_id=user["subscriber_id"],
            )
            changed = self.directory.user(user["id"])
            self.directory.user_changed(changed)  # the portal's sessions follow (portal_user.updated)
        return changed
