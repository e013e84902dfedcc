"""Contact details and a user's own profile, as the portal changes them.

- The subscriber's contact details (contact e-mail, phone, structured billing address) belong to the
  account: changed on behalf of a member (the portal lets OWNERs and MANAGERs do it), audited, and a changed
  contact e-mail is announced to the *old* address, so a hijacked session cannot quietly redirect the
  account's mail.
- A user's own phone and notification preferences belong to that user (audited too).
- A user's log-in e-mail is not changed here: it is a credential (docs/architecture.md, "Contact details").

Every value goes through `adapters.contact`, the rules the BFF checks too; a refusal names the field.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from adapters.contact import ContactInvalid, normalize_address, normalize_email, normalize_phone
from sandbox.common.db import Database
from sandbox.common.http import ApiError, invalid, not_found
from sandbox.crm.service.audit import AuditLog
from sandbox.crm.service.directory import Directory
from sandbox.crm.service.notices import Notices
from sandbox.crm.service.outgoing import send_mail


def refused(exc: ContactInvalid, prefix: str = "") -> ApiError:
    # The code and the field travel in the message's first word, as the other CRM refusals name theirs.
    return invalid(f"`{prefix}{exc.field}`: {exc.message}", exc.code)


class Profile:
    def __init__(self, db: Database, directory: Directory, notices: Notices, audit: AuditLog) -> None:
        self.db = db
        self.directory = directory
        self.notices = notices
        self.audit = audit

    # -- the subscriber's contact details ------------------------------------------------------------------
    def update_contact(
        self,
        subscriber_id: str,
        changed_by: str,
        *,
        email: str | None = None,
        phone: str | None = None,
        address: dict[str, Any] | None = None,
        ip: str | None = None,
        user_agent: str | None = None,
    ) -> dict[str, Any]:
        """Change any of the three; None leaves one as it is. All or nothing."""
        before = self.directory.require_subscriber(subscriber_id)
        actor = self.directory.member(changed_by, subscriber_id)
        try:
            new_email = normalize_email(email) if email is not None else None
            new_phone = normalize_phone(phone) if phone is not None else None
            new_address = (
                normalize_address(
                    list(address.get("lines") or []),
                    str(address.get("city") or ""),
                    str(address.get("postal_code") or ""),
                    str(address.get("country") or ""),
                    address.get("region"),
                )
                if address is not None
                else None
            )
        except ContactInvalid as exc:
            raise refused(exc, "billing_address." if exc.field in _ADDRESS else "") from None
        changed: list[str] = []
        with self.db.transaction():
            if new_email is not None and new_email != before["email"]:
                self.db.execute("UPDATE subscribers SET email = ? WHERE id = ?", (new_email, subscriber_id))
                changed.append("email")
            if new_phone is not None and new_phone != before["phone"]:
                self.db.execute("UPDATE subscribers SET phone = ? WHERE id = ?", (new_phone, subscriber_id))
                changed.append("phone")
            if new_address is not None:
                self.db.execute(
                    "INSERT INTO billing_addresses (subscriber_id, lines, city, region, postal_code, country)"
                    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (subscriber_id) DO UPDATE SET lines = excluded.lines,"
                    " city = excluded.city, region = excluded.region, postal_code = excluded.postal_code,"
                    " country = excluded.country",
                    (
                        subscriber_id,
                        json.dumps(list(new_address.lines)),
                        new_address.city,
                        new_address.region,
                        new_address.postal_code,
                        new_address.country,
                    ),
                )
                self.db.execute(
                    "UPDATE subscribers SET address = ? WHERE id = ?", (new_address.one_line(), subscriber_id)
                )
                changed.append("billing_address")
            if changed:
                self.audit.record(
                    "contact_details_changed",
                    user_id=changed_by,
                    subscriber_id=subscriber_id,
                    ip=ip,
                    user_agent=user_agent,
                    detail=",".join(changed),
                )
            if "email" in changed and new_email is not None:
                send_mail(
                    self.notices,
                    to=before["email"],
                    message="contact_email_changed",
                    # The old address has no language of its own: the one of the member who changed it.
                    locale=self.directory.locale_of(changed_by),
                    actor=actor["name"],
                    number=before["account_number"],
                    address=new_email,
                    subscriber_id=subscriber_id,
                )
        return self.directory.subscriber(subscriber_id)

    # -- a user's own profile ------------------------------------------------------------------------------
    def profile(self, user_id: str) -> dict[str, Any]:
        if self.db.one("SELECT 1 FROM users WHERE id = ?", (user_id,)) is None:
            raise not_found("user")
        phone = self.db.scalar("SELECT phone FROM user_phones WHERE user_id = ?", (user_id,))
        return {
            "user_id": user_id,
            "phone": phone,
            "notification_preferences": self.notices.preferences.of(user_id),
        }

    def set_phone(
        self, user_id: str, phone: str | None, *, ip: str | None = None, user_agent: str | None = None
    ) -> dict[str, Any]:
        """The user's own phone; None or "" removes it."""
        self.directory.user(user_id)
        try:
            value = normalize_phone(phone) if phone else None
        except ContactInvalid as exc:
            raise refused(exc) from None
        with self.db.transaction():
            if value is None:
                self.db.execute("DELETE FROM user_phones WHERE user_id = ?", (user_id,))
            else:
                self.db.execute(
                    "INSERT INTO user_phones (user_id, phone) VALUES (?, ?)"
                    " ON CONFLICT (user_id) DO UPDATE SET phone = excluded.phone",
                    (user_id, value),
                )
            self.audit.record("phone_changed", user_id=user_id, ip=ip, user_agent=user_agent)
        return self.profile(user_id)

    def set_preferences(
        self,
        user_id: str,
        changes: Sequence[tuple[str, str, bool]],
        *,
        ip: str | None = None,
        user_agent: str | None = None,
    ) -> dict[str, Any]:
        self.directory.user(user_id)
        with self.db.transaction():
            self.notices.preferences.set(user_id, changes)
            off = [f"{k}/{c}" for k, c, enabled in changes if not enabled]
            self.audit.record(
                "notification_preferences_changed",
                user_id=user_id,
                ip=ip,
                user_agent=user_agent,
                detail=("off: " + ",".join(off))[:500] if off else "all on",
            )
        return self.profile(user_id)


_ADDRESS = frozenset({"lines", "city", "region", "postalCode", "country"})
