"""Subscribers, their sub-service inventory and their portal users, including log-in verification."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sandbox.common import clock
from sandbox.common.db import Database, placeholders
from sandbox.common.events import EventOutbox
from sandbox.common.http import invalid, not_found
from sandbox.crm.config import LOCALES, ROLES, SUBSERVICE_CURSOR
from sandbox.crm.service.cursor import encode_cursor
from sandbox.crm.service.passwords import dummy_hash, hash_password, needs_rehash, verify_password

_SUBSCRIBER_SQL = (
    "SELECT s.*, (SELECT COUNT(*) FROM subservices x WHERE x.subscriber_id = s.id) AS subservice_count,"
    " b.lines AS ba_lines, b.city AS ba_city, b.region AS ba_region, b.postal_code AS ba_postal_code,"
    " b.country AS ba_country"
    " FROM subscribers s LEFT JOIN billing_addresses b ON b.subscriber_id = s.id"
)


def billing_address_wire(row: Any) -> dict[str, Any] | None:
    if row["ba_country"] is None:
        return None
    return {
        "lines": json.loads(row["ba_lines"]),
        "city": row["ba_city"],
        "region": row["ba_region"],
        "postal_code": row["ba_postal_code"],
        "country": row["ba_country"],
    }


def subscriber_wire(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "account_number": row["account_number"],
        "name": row["name"],
        "kind": row["kind"],
        "email": row["email"],
        "phone": row["phone"],
        "address": row["address"],
        "subservice_count": row["subservice_count"],
        "billing_address": billing_address_wire(row),
    }


def subservice_wire(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "subscriber_id": row["subscriber_id"],
        "kind": row["kind"],
        "label": row["label"],
        "location": row["location"],
        "activated_on": row["activated_on"],
    }


class Directory:
    def __init__(self, db: Database, outbox: EventOutbox | None = None) -> None:
        self.db = db
        self.outbox = outbox

    # -- subscribers -------------------------------------------------------------------------------------
    def subscriber(self, subscriber_id: str) -> dict[str, Any]:
        row = self.db.one(f"{_SUBSCRIBER_SQL} WHERE s.id = ?", (subscriber_id,))
        if row is None:
            raise not_found("subscriber")
        return subscriber_wire(row)

    def subscribers(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        rows = self.db.all(f"{_SUBSCRIBER_SQL} WHERE s.id IN ({placeholders(ids)})", list(ids))
        found = {r["id"]: subscriber_wire(r) for r in rows}
        return [found[i] for i in ids if i in found]

    def require_subscriber(self, subscriber_id: str) -> Any:
        """The subscriber row a request body names; an unknown one is a 422, not a 404 of the path."""
        row = self.db.one("SELECT * FROM subscribers WHERE id = ?", (subscriber_id,))
        if row is None:
            raise invalid("no such subscriber", "UNKNOWN_SUBSCRIBER")
        return row

    # -- sub-services ------------------------------------------------------------------------------------
    def subservices_page(self, subscriber_id: str, *, limit: int, after: int | None) -> dict[str, Any]:
        self.subscriber(subscriber_id)
        rows = self.db.all(
            "SELECT * FROM subservices WHERE subscriber_id = ? AND position > ? ORDER BY position LIMIT ?",
            (subscriber_id, after if after is not None else -1, limit + 1),
        )
        more = len(rows) > limit
        rows = rows[:limit]
        total = int(
            self.db.scalar("SELECT COUNT(*) FROM subservices WHERE subscriber_id = ?", (subscriber_id,))
        )
        return {
            "items": [subservice_wire(r) for r in rows],
            "next_cursor": encode_cursor(SUBSERVICE_CURSOR, rows[-1]["position"]) if more else None,
            "total_count": total,
        }

    def subservices(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        rows = self.db.all(f"SELECT * FROM subservices WHERE id IN ({placeholders(ids)})", list(ids))
        found = {r["id"]: subservice_wire(r) for r in rows}
        return [found[i] for i in ids if i in found]

    def check_subservice(self, subscriber_id: str, subservice_id: str | None) -> None:
        """A sub-service named next to a subscriber must be one of that subscriber's."""
        if subservice_id is None:
            return
        owner = self.db.scalar("SELECT subscriber_id FROM subservices WHERE id = ?", (subservice_id,))
        if owner != subscriber_id:
            raise invalid("the sub-service does not belong to the subscriber", "SUBSERVICE_MISMATCH")

    # -- portal users ------------------------------------------------------------------------------------
    def _users_wire(self, rows: Sequence[Any]) -> list[dict[str, Any]]:
        ids = [r["id"] for r in rows]
        sites: dict[str, list[str]] = {i: [] for i in ids}
        two_factor: set[str] = set()
        locales: dict[str, str] = {}
        if ids:
            locales = {
                r[0]: r[1]
                for r in self.db.all(
                    f"SELECT user_id, locale FROM user_locales WHERE user_id IN ({placeholders(ids)})", ids
                )
            }
            two_factor = {
                r[0]
                for r in self.db.all(
                    "SELECT user_id FROM user_totp WHERE confirmed_at IS NOT NULL"
                    f" AND user_id IN ({placeholders(ids)})",
                    ids,
                )
            }
            for site in self.db.all(
                "SELECT u.user_id, u.subservice_id FROM user_sites u JOIN subservices s ON s.id = u.subservice_id"
                f" WHERE u.user_id IN ({placeholders(ids)}) ORDER BY s.subscriber_id, s.position",
                ids,
            ):
                sites[site["user_id"]].append(site["subservice_id"])
        return [
            {
                "id": r["id"],
                "email": r["email"],
                "name": r["name"],
                "role": r["role"],
                "subscriber_id": r["subscriber_id"],
                "site_subservice_ids": sites[r["id"]],
                "disabled": bool(r["disabled"]),
                "last_login_at": r["last_login_at"],
                "two_factor_enabled": r["id"] in two_factor,
                "locale": locales.get(r["id"]),
            }
            for r in rows
        ]

    def user(self, user_id: str) -> dict[str, Any]:
        row = self.db.one("SELECT * FROM users WHERE id = ?", (user_id,))
        if row is None:
            raise not_found("user")
        return self._users_wire([row])[0]

    def users(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        rows = self.db.all(f"SELECT * FROM users WHERE id IN ({placeholders(ids)})", list(ids))
        by_id = {u["id"]: u for u in self._users_wire(rows)}
        return [by_id[i] for i in ids if i in by_id]

    def users_of(self, subscriber_id: str) -> list[dict[str, Any]]:
        self.subscriber(subscriber_id)
        rows = self.db.all(
            "SELECT * FROM users WHERE subscriber_id = ?"
            " AND id NOT IN (SELECT user_id FROM removed_users) ORDER BY created_at, id",
            (subscriber_id,),
        )
        return self._users_wire(rows)

    def member(self, user_id: str, subscriber_id: str, *, active: bool = True) -> Any:
        """The user row acting for `subscriber_id`; refuses strangers and (when `active`) disabled users."""
        row = self.db.one("SELECT * FROM users WHERE id = ?", (user_id,))
        if row is None:
            raise invalid("no such user", "UNKNOWN_USER")
        if row["subscriber_id"] != subscriber_id:
            raise invalid("the user does not belong to the subscriber", "USER_MISMATCH")
        if active and row["disabled"]:
            raise invalid("the user is disabled", "USER_DISABLED")
        return row

    def site_ids(self, user_id: str) -> list[str]:
        return [
            r[0] for r in self.db.all("SELECT subservice_id FROM user_sites WHERE user_id = ?", (user_id,))
        ]

    def verify_credentials(self, email: str, password: str) -> dict[str, Any]:
        row = self.db.one("SELECT * FROM users WHERE email_key = ?", (email.strip().lower(),))
        # Always run one scrypt, so an unknown e-mail answers in the time a wrong password does.
        matches = verify_password(password, row["password_hash"] if row else dummy_hash())
        if row is None or not matches:
            raise invalid("e-mail or password is not correct", "INVALID_CREDENTIALS")
        if row["disabled"]:
            raise invalid("this portal user is disabled", "USER_DISABLED")
        self.db.execute(
            "UPDATE users SET last_login_at = ? WHERE id = ?", (clock.iso(clock.now()), row["id"])
        )
        if needs_rehash(row["password_hash"]):
            # An older scheme (the scrypt of earlier versions): the user just proved the password, so
            # store it the way new passwords are stored.
            self.set_password_hash(row["id"], hash_password(password))
        return self.user(row["id"])

    def set_password_hash(self, user_id: str, password_hash: str) -> None:
        self.db.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))

    def user_id_by_email(self, email: str) -> str | None:
        value = self.db.scalar("SELECT id FROM users WHERE email_key = ?", (email.strip().lower(),))
        return str(value) if value is not None else None

    def set_disabled(self, user_id: str, disabled: bool) -> dict[str, Any]:
        with self.db.transaction():
            cursor = self.db.execute("UPDATE users SET disabled = ? WHERE id = ?", (int(disabled), user_id))
            if cursor.rowcount != 1:
                raise not_found("user")
            user = self.user(user_id)
            self.user_changed(user)
        return user

    def set_role(self, user_id: str, role: str, site_ids: Sequence[str] = ()) -> dict[str, Any]:
        """Change what a portal user may do (operator action): a SITE user is scoped to `site_ids`, which must
        be sub-services of the user's own subscriber; other roles see the whole subscriber."""
        if role not in ROLES:
            raise invalid(f"role must be one of {', '.join(ROLES)}", "INVALID_ROLE")
        with self.db.transaction():
            row = self.db.one("SELECT subscriber_id FROM users WHERE id = ?", (user_id,))
            if row is None:
                raise not_found("user")
            sites = list(dict.fromkeys(site_ids)) if role == "SITE" else []
            for site in sites:
                self.check_subservice(row["subscriber_id"], site)
            self.db.execute("UPDATE users SET role = ? WHERE id = ?", (role, user_id))
            self.db.execute("DELETE FROM user_sites WHERE user_id = ?", (user_id,))
            for site in sites:
                self.db.execute(
                    "INSERT INTO user_sites (user_id, subservice_id) VALUES (?, ?)", (user_id, site)
                )
            user = self.user(user_id)
            self.user_changed(user)
        return user

    def set_locale(self, user_id: str, locale: str | None) -> dict[str, Any]:
        """The user's language (one of LOCALES), or None to follow the browser again."""
        if locale is not None and locale not in LOCALES:
            raise invalid(f"locale must be one of {', '.join(LOCALES)}", "INVALID_LOCALE")
        with self.db.transaction():
            if self.db.one("SELECT 1 FROM users WHERE id = ?", (user_id,)) is None:
                raise not_found("user")
            if locale is None:
                self.db.execute("DELETE FROM user_locales WHERE user_id = ?", (user_id,))
            else:
                self.db.execute(
                    "INSERT INTO user_locales (user_id, locale) VALUES (?, ?)"
                    " ON CONFLICT (user_id) DO UPDATE SET locale = excluded.locale",
                    (user_id, locale),
                )
        return self.user(user_id)

    def chosen_locale(self, user_id: str) -> str | None:
        """The language the user chose; None when they have not."""
        value = self.db.scalar("SELECT locale FROM user_locales WHERE user_id = ?", (user_id,))
        return str(value) if value else None

    def locale_of(self, user_id: str) -> str:
        """The language to write to this user in: the one they chose, else English."""
        return self.chosen_locale(user_id) or "en"

    def user_changed(self, user: dict[str, Any]) -> None:
        """Tell the portal (a signed `portal_user.updated` event) that what it authorizes this user by —
        role, site scope, name, e-mail, disabled — has changed, so its sessions follow at once."""
        if self.outbox is None:
            return
        data = {
            k: user[k] for k in ("email", "name", "role", "subscriber_id", "site_subservice_ids", "disabled")
        }
        self.outbox.emit(
            "portal_user.updated", subscriber_id=user["subscriber_id"], data={"user_id": user["id"], **data}
        )
