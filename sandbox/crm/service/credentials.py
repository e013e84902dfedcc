"""Passwords a portal user sets: changing one (the current one required), and single-use e-mailed links —
a password reset, or an invitation to set the first password.

A link's token is 32 random bytes; only its SHA-256 is stored, with its purpose and deadline, and it is
marked used by the first successful use (which also retires every other open link of the user). Asking for
a reset answers the same whether or not the address belongs to a user: the caller is never told.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from sandbox.common import clock
from sandbox.common.db import Database
from sandbox.common.http import invalid
from sandbox.crm.service.directory import Directory
from sandbox.crm.service.notices import Notices
from sandbox.crm.service.outgoing import send_mail
from sandbox.crm.service.passwords import PolicyError, check_policy, hash_password, verify_password

RESET_TTL = timedelta(minutes=30)
INVITE_TTL = timedelta(days=7)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_to(base: str, token: str) -> str:
    return f"{base}?{urlencode({'token': token})}"


class Credentials:
    def __init__(self, db: Database, directory: Directory, notices: Notices) -> None:
        self.db = db
        self.directory = directory
        self.notices = notices

    def _new_password(self, user: Any, password: str) -> None:
        try:
            check_policy(password, user["email"])
        except PolicyError as exc:
            raise invalid(exc.message, exc.code) from None
        self.directory.set_password_hash(user["id"], hash_password(password))

    def _tell_changed(self, user: Any) -> None:
        """A changed password is worth an e-mail: if it was not the user, they learn it at once."""
        send_mail(
            self.notices,
            to=user["email"],
            message="password_changed",
            locale=self.directory.locale_of(user["id"]),
            name=user["name"],
            subscriber_id=user["subscriber_id"],
        )

    def change_password(self, user_id: str, current: str, new: str) -> dict[str, Any]:
        user = self.db.one("SELECT * FROM users WHERE id = ?", (user_id,))
        if user is None or user["disabled"]:
            raise invalid("no such user", "UNKNOWN_USER")
        if not verify_password(current, user["password_hash"]):
            raise invalid("the current password is not correct", "INVALID_CREDENTIALS")
        if current == new:
            raise invalid("the new password is the current one", "PASSWORD_UNCHANGED")
        self._new_password(user, new)
        self._tell_changed(user)
        return self.directory.user(user_id)

    def issue_link(self, user_id: str, purpose: str, ttl: timedelta) -> str:
        """A new single-use token for `user_id` (the caller e-mails it)."""
        token = secrets.token_urlsafe(32)
        now = clock.now()
        self.db.execute(
            "INSERT INTO password_tokens (token_hash, user_id, purpose, expires_at, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (token_hash(token), user_id, purpose, clock.iso(now + ttl), clock.iso(now)),
        )
        return token

    def request_reset(self, email: str, link_base: str, locale: str | None = None) -> None:
        """E-mail a reset link to the user with `email`, if there is an active one; nothing otherwise."""
        row = self.db.one("SELECT * FROM users WHERE email_key = ?", (email.strip().lower(),))
        if row is None or row["disabled"]:
            return
        token = self.issue_link(row["id"], "RESET", RESET_TTL)
        link = link_to(link_base, token)
        send_mail(
            self.notices,
            to=row["email"],
            message="password_reset",
            # The language the user chose; else the one the page asking for the link was shown in.
            locale=self.directory.chosen_locale(row["id"]) or locale,
            name=row["name"],
            subscriber_id=row["subscriber_id"],
            link=link,
        )

    def complete_reset(self, token: str, new_password: str) -> dict[str, Any]:
        """Set the password a valid link allows; refused INVALID_TOKEN (unknown, used or expired) or by the
        policy. The link and every other open link of the user are used up."""
        now = clock.iso(clock.now())
        with self.db.transaction():
            link = self.db.one(
                "SELECT * FROM password_tokens WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
                (token_hash(token), now),
            )
            user = self.db.one("SELECT * FROM users WHERE id = ?", (link["user_id"],)) if link else None
            if link is None or user is None or user["disabled"]:
                raise invalid("the link is not valid (used, expired or unknown)", "INVALID_TOKEN")
            self._new_password(user, new_password)
            self.db.execute(
                "UPDATE password_tokens SET used_at = ? WHERE user_id = ? AND used_at IS NULL",
                (now, user["id"]),
            )
            if link["purpose"] == "RESET":
                self._tell_changed(user)
        return self.directory.user(user["id"])
