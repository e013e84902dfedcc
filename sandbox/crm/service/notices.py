"""Portal notifications with per-user read marks, and the outbox of e-mails the CRM would send."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adapters.brand import DEFAULT_BRAND, Brand
from sandbox.common import clock
from sandbox.common.db import Database, placeholders
from sandbox.common.events import EventOutbox
from sandbox.common.http import invalid
from sandbox.crm.config import ACCOUNT_WIDE_NOTIFICATION_KINDS, NOTIFICATION_CURSOR, WALLET_NOTIFICATION_KINDS
from sandbox.crm.service.cursor import encode_cursor
from sandbox.crm.service.directory import Directory
from sandbox.crm.service.preferences import Preferences
from sandbox.crm.store import next_seq

LINK_KINDS = ("TICKET", "INVOICE", "PAYMENT", "SERVICE", "WALLET")


def email_wire(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "subscriber_id": row["subscriber_id"],
        "to": row["to_address"],
        "subject": row["subject"],
        "body": row["body"],
        "link": row["link"],
        "created_at": row["created_at"],
        "sent_at": row["sent_at"],
        "attempts": row["attempts"],
        "last_error": row["last_error"],
    }


def link_wire(row: Any) -> dict[str, Any] | None:
    return {"kind": row["link_kind"], "id": row["link_id"]} if row["link_kind"] else None


_KIND_LINKS = {
    "INVOICE_ISSUED": "INVOICE",
    "PAYMENT_RECEIVED": "PAYMENT",
    "PAYMENT_FAILED": "PAYMENT",
    "WALLET_CREDITED": "WALLET",
    "TICKET_UPDATED": "TICKET",
}


def portal_path(kind: str, ref: str | None) -> str:
    """Where in the portal a notice about (kind, ref) opens; e-mails link there."""
    if kind == "TICKET":
        return f"/support/{ref}" if ref else "/support"
    return {"INVOICE": "/invoices", "PAYMENT": "/invoices", "WALLET": "/wallet"}.get(kind, "/")


class Notices:
    def __init__(
        self,
        db: Database,
        outbox: EventOutbox,
        directory: Directory,
        portal_url: str = "",
        brand: Brand = DEFAULT_BRAND,
    ) -> None:
        self.db = db
        self.outbox = outbox
        self.directory = directory
        self.portal_url = portal_url.rstrip("/")  # e-mails link into the portal here
        self.brand = brand  # the operator's: e-mails name its portal
        # Applied here, where every notification and its e-mail is posted, so no sender can forget them.
        self.preferences = Preferences(db)

    def create(
        self,
        subscriber_id: str,
        kind: str,
        title: str,
        body: str,
        *,
        subservice_id: str | None = None,
        email: bool = False,
        email_to: str | None = None,
        link: tuple[str, str | None] | None = None,
        email_subject: str | None = None,
    ) -> dict[str, Any]:
        """Post a notification (and, with `email`, queue the same text as an e-mail linking to what it is
        about), with its event. `link` is (kind, id): what the notification is about."""
        subscriber = self.directory.require_subscriber(subscriber_id)
        self.directory.check_subservice(subscriber_id, subservice_id)
        if link is not None and link[0] not in LINK_KINDS:
            raise invalid(f"`link.kind` must be one of {', '.join(LINK_KINDS)}")
        link_kind, link_id = link if link is not None else (None, None)
        created = clock.iso(clock.now())
        with self.db.transaction():
            seq = next_seq(self.db, "notifications")
            notification_id = f"NTF-{seq}"
            self.db.execute(
                "INSERT INTO notifications (id, seq, subscriber_id, subservice_id, kind, title, body,"
                " link_kind, link_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    notification_id,
                    seq,
                    subscriber_id,
                    subservice_id,
                    kind,
                    title,
                    body,
                    link_kind,
                    link_id,
                    created,
                ),
            )
            to = email_to or subscriber["email"]
            if email and self.preferences.email_wanted(subscriber_id, kind, to):
                # Every e-mail points somewhere in the portal: what it is about, or the page for its kind.
                mail_kind = link_kind or _KIND_LINKS.get(kind)
                url = f"{self.portal_url}{portal_path(mail_kind, link_id)}" if mail_kind else None
                self.queue_email(subscriber_id, to, email_subject or title, body, link=url)
            self.outbox.emit(
                "notification.created",
                subscriber_id=subscriber_id,
                subservice_id=subservice_id,
                data={"notification_id": notification_id, "kind": kind, "title": title},
            )
        return {
            "id": notification_id,
            "subscriber_id": subscriber_id,
            "subservice_id": subservice_id,
            "kind": kind,
            "title": title,
            "body": body,
            "link": {"kind": link_kind, "id": link_id} if link_kind else None,
            "created_at": created,
            "read": False,
        }

    def queue_email(
        self,
        subscriber_id: str | None,
        to: str,
        subject: str,
        body: str,
        *,
        html: str | None = None,
        link: str | None = None,
    ) -> str:
        """Queue an e-mail; the relay (`mail_outbox.py`) sends it over SMTP when one is configured."""
        with self.db.transaction():
            seq = next_seq(self.db, "email_outbox")
            self.db.execute(
                "INSERT INTO email_outbox (id, seq, subscriber_id, to_address, subject, body, html, link,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (f"EML-{seq}", seq, subscriber_id, to, subject, body, html, link, clock.iso(clock.now())),
            )
        return f"EML-{seq}"

    def emails(self, limit: int) -> list[dict[str, Any]]:
        return [
            email_wire(r)
            for r in self.db.all("SELECT * FROM email_outbox ORDER BY seq DESC LIMIT ?", (limit,))
        ]

    def _visible(self, subscriber_id: str, user: Any) -> tuple[str, list[Any]]:
        """SQL filter of what `user` sees: a SITE user sees subscriber-wide notices and those of its sites,
        never those about the account's wallet (a SITE user has no wallet) nor account-wide ones about invoices
        or services (without a sub-service: SITE users see their sites' invoices and services only). Nobody
        sees the kinds they switched off for the portal (their preferences)."""
        where = "n.subscriber_id = ?"
        params: list[Any] = [subscriber_id]
        hidden = self.preferences.hidden_kinds(user["id"])
        if hidden:
            where += f" AND n.kind NOT IN ({placeholders(hidden)})"
            params += hidden
        if user["role"] == "SITE":
            sites = self.directory.site_ids(user["id"])
            where += f" AND (n.subservice_id IS NULL OR n.subservice_id IN ({placeholders(sites) or 'NULL'}))"
            params += sites
            where += f" AND n.kind NOT IN ({placeholders(WALLET_NOTIFICATION_KINDS)})"
            params += WALLET_NOTIFICATION_KINDS
            where += f" AND NOT (n.subservice_id IS NULL AND n.kind IN ({placeholders(ACCOUNT_WIDE_NOTIFICATION_KINDS)}))"
            params += ACCOUNT_WIDE_NOTIFICATION_KINDS
        return where, params

    def list_for(
        self, subscriber_id: str, user_id: str, *, unread_only: bool, limit: int, after: int | None
    ) -> dict[str, Any]:
        self.directory.subscriber(subscriber_id)
        user = self.directory.member(user_id, subscriber_id, active=False)
        where, params = self._visible(subscriber_id, user)
        read = "EXISTS (SELECT 1 FROM notification_reads r WHERE r.notification_id = n.id AND r.user_id = ?)"
        unread_count = int(
            self.db.scalar(
                f"SELECT COUNT(*) FROM notifications n WHERE {where} AND NOT {read}", [*params, user_id]
            )
        )
        sql = f"SELECT n.*, {read} AS is_read FROM notifications n WHERE {where}"
        query: list[Any] = [user_id, *params]
        if unread_only:
            sql += f" AND NOT {read}"
            query.append(user_id)
        if after is not None:
            sql += " AND n.seq < ?"
            query.append(after)
        rows = self.db.all(f"{sql} ORDER BY n.seq DESC LIMIT ?", [*query, limit + 1])
        more = len(rows) > limit
        rows = rows[:limit]
        return {
            "items": [
                {
                    "id": r["id"],
                    "subscriber_id": r["subscriber_id"],
                    "subservice_id": r["subservice_id"],
                    "kind": r["kind"],
                    "title": r["title"],
                    "body": r["body"],
                    "link": link_wire(r),
                    "created_at": r["created_at"],
                    "read": bool(r["is_read"]),
                }
                for r in rows
            ],
            "unread_count": unread_count,
            "next_cursor": encode_cursor(NOTIFICATION_CURSOR, rows[-1]["seq"]) if more else None,
        }

    def mark_read(self, user_id: str, ids: Sequence[str]) -> dict[str, Any]:
        """Mark notifications read for one user; ids of other subscribers (or unknown ids) are ignored."""
        user = self.db.one("SELECT * FROM users WHERE id = ?", (user_id,))
        if user is None:
            raise invalid("no such user", "UNKNOWN_USER")
        where, params = self._visible(user["subscriber_id"], user)
        now = clock.iso(clock.now())
        with self.db.transaction():
            visible = [
                r["id"]
                for r in self.db.all(
                    f"SELECT n.id FROM notifications n WHERE {where} AND n.id IN ({placeholders(ids)})",
                    [*params, *ids],
                )
            ]
            self.db.executemany(
                "INSERT OR IGNORE INTO notification_reads (notification_id, user_id, read_at) VALUES (?, ?, ?)",
                [(i, user_id, now) for i in visible],
            )
        unread = self.list_for(user["subscriber_id"], user_id, unread_only=True, limit=1, after=None)
        return {"marked_ids": sorted(visible), "unread_count": unread["unread_count"]}
