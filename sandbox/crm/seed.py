"""Loads the CRM's part of the seed world: subscribers, inventory, users, tickets and a few notifications.

Seeding is additive (`INSERT OR IGNORE`), so seeding a world that grew (the bench subscriber) only adds what
is new, and only new users pay for a password hash. Seeding emits no events: it is the initial state.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sandbox.common import clock
from sandbox.common.db import Database
from sandbox.crm.service import sla
from sandbox.crm.service.history import TicketHistory
from sandbox.crm.service.passwords import hash_password
from sandbox.world import TicketSeed, World
from sandbox.world.inventory import activated_on, natural_key

SUPPORT_AGENT = "WISPGate Support"


def _iso(moment: datetime) -> str:
    value = clock.iso(moment)
    assert value is not None
    return value


def seed_world(db: Database, world: World) -> None:
    with db.transaction():
        db.executemany(
            "INSERT OR IGNORE INTO subscribers (id, account_number, name, kind, email, phone, address)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (s.id, s.account_number, s.name, s.kind, s.email, s.phone, s.address)
                for s in world.subscribers
            ],
        )
        _seed_subservices(db, world)
        _seed_users(db, world)
        for ticket in world.tickets:
            _seed_ticket(db, world, ticket)
        _seed_notifications(db, world)


def _seed_subservices(db: Database, world: World) -> None:
    rows = []
    for subscriber in world.subscribers:
        ordered = sorted(world.subservices_of(subscriber.id), key=lambda s: natural_key(s.id))
        for position, s in enumerate(ordered):
            rows.append(
                (
                    s.id,
                    s.subscriber_id,
                    position,
                    s.kind,
                    s.label,
                    s.location,
                    activated_on(s.id, world.today).isoformat(),
                )
            )
    db.executemany(
        "INSERT OR IGNORE INTO subservices (id, subscriber_id, position, kind, label, location, activated_on)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def _seed_users(db: Database, world: World) -> None:
    existing = {r[0] for r in db.all("SELECT id FROM users")}
    created = _iso(datetime.combine(world.today - timedelta(days=200), time(9), UTC))
    new = [u for u in world.users if u.id not in existing]
    db.executemany(
        "INSERT INTO users (id, email, email_key, name, role, subscriber_id, password_hash, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                u.id,
                u.email,
                u.email.lower(),
                u.name,
                u.role,
                u.subscriber_id,
                hash_password(u.password),
                created,
            )
            for u in new
        ],
    )
    db.executemany(
        "INSERT OR IGNORE INTO user_sites (user_id, subservice_id) VALUES (?, ?)",
        [(u.id, s) for u in new for s in u.site_subservice_ids],
    )


def _opener(world: World, ticket: TicketSeed) -> tuple[str, str]:
    """Who opened a seeded ticket: the site user of its sub-service, else the owner, else the first user."""
    users = [u for u in world.users if u.subscriber_id == ticket.subscriber_id]
    for pick in (
        [u for u in users if ticket.subservice_id in u.site_subservice_ids],
        [u for u in users if u.role == "OWNER"],
        users,
    ):
        if pick:
            return pick[0].id, pick[0].name
    raise ValueError(f"ticket {ticket.id} has no user to open it")


def _seed_ticket(db: Database, world: World, ticket: TicketSeed) -> None:
    if db.scalar("SELECT 1 FROM tickets WHERE id = ?", (ticket.id,)):
        return
    day = world.today - timedelta(days=ticket.opened_days_ago)
    # A ticket opened "today" is dated just after midnight so it is never in the future on the seed day;
    # older ones at 09:00, with messages an hour apart.
    opened = datetime.combine(day, time(0, 5) if ticket.opened_days_ago == 0 else time(9), UTC)
    step = timedelta(minutes=5) if ticket.opened_days_ago == 0 else timedelta(hours=1)
    first_due, resolution_due = sla.due_times(ticket.priority, opened)
    user_id, user_name = _opener(world, ticket)
    digits = re.sub(r"\D", "", ticket.id)
    seq = int(digits) if digits else int(db.scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM tickets"))
    message_seq = int(db.scalar("SELECT COALESCE(MAX(seq), 0) FROM ticket_messages"))
    messages = []
    first_response: str | None = None
    last = opened
    for i, (author, body) in enumerate(ticket.messages):
        last = opened + i * step
        if author == "SUPPORT" and first_response is None:
            first_response = _iso(last)
        message_seq += 1
        messages.append(
            (
                f"MSG-{message_seq}",
                message_seq,
                ticket.id,
                author,
                SUPPORT_AGENT if author == "SUPPORT" else user_name,
                user_id if author == "CUSTOMER" else None,
                body,
                _iso(last),
            )
        )
    resolved = _iso(last + step) if ticket.status in ("RESOLVED", "CLOSED") else None
    db.execute(
        "INSERT INTO tickets (id, seq, number, subscriber_id, subservice_id, category, priority, status, queue,"
        " subject, opened_by_user_id, created_at, updated_at, first_response_due_at, resolution_due_at,"
        " first_responded_at, resolved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            ticket.id,
            seq,
            ticket.id,
            ticket.subscriber_id,
            ticket.subservice_id,
            ticket.category,
            ticket.priority,
            ticket.status,
            sla.QUEUES[ticket.category],
            ticket.subject,
            user_id,
            _iso(opened),
            resolved or _iso(last),
            _iso(first_due),
            _iso(resolution_due),
            first_response,
            resolved,
        ),
    )
    db.executemany(
        "INSERT INTO ticket_messages (id, seq, ticket_id, author_kind, author_name, author_user_id, body,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        messages,
    )
    _seed_history(db, ticket, user_name, opened, messages, first_response, resolved)


def _seed_history(
    db: Database,
    ticket: TicketSeed,
    user_name: str,
    opened: datetime,
    messages: list[tuple[Any, ...]],
    first_response: str | None,
    resolved: str | None,
) -> None:
    """The seeded ticket's history, as the CRM would have recorded it."""
    history = TicketHistory(db)
    at = _iso(opened)
    history.record(ticket.id, "CREATED", "CUSTOMER", user_name, to_status="OPEN", at=at)
    history.record(ticket.id, "ASSIGNED", "SYSTEM", "WISPGate", detail=sla.QUEUES[ticket.category], at=at)
    status = "OPEN"
    for message_id, _seq, _ticket, author, name, _user, _body, created in messages[1:]:
        history.record(ticket.id, "REPLIED", author, name, detail=message_id, at=created)
        if created == first_response and status == "OPEN" and ticket.status != "OPEN":
            history.record(
                ticket.id,
                "STATUS_CHANGED",
                "SUPPORT",
                name,
                from_status="OPEN",
                to_status="IN_PROGRESS",
                at=created,
            )
            status = "IN_PROGRESS"
    if ticket.status != status:
        history.record(
            ticket.id,
            "STATUS_CHANGED",
            "SUPPORT",
            SUPPORT_AGENT,
            from_status=status,
            to_status=ticket.status,
            at=resolved or _iso(opened),
        )


# (subscriber, sub-service, kind, title, body, days ago, read by every user of the subscriber)
_NOTIFICATIONS = (
    (
        "SUB-1001",
        None,
        "INVOICE_ISSUED",
        "Invoice issued",
        # A date, never "in N days": the text is read days after it was written.
        "Your new invoice is ready. It is due on {due}; you can pay it in the portal.",
        2,
        False,
    ),
    (
        "SUB-1002",
        "SS-1002-1",
        "SERVICE_STATUS",
        "Service suspended for non-payment",
        "Internet – Home is suspended because an invoice is overdue. Pay it to restore service.",
        5,
        False,
    ),
    (
        "SUB-2001",
        None,
        "WALLET_CREDITED",
        "Wallet credited with 250.00",
        "An overpayment of your invoice was credited to your wallet.",
        25,
        True,
    ),
)


# What each seeded notification is about (the sub-service, for SERVICE, is the notification's own).
_LINKS: dict[str, tuple[str, str | None]] = {
    "INVOICE_ISSUED": ("INVOICE", None),
    "SERVICE_STATUS": ("SERVICE", None),
    "WALLET_CREDITED": ("WALLET", None),
}


def long_date(day: date) -> str:
    """ "December 7, 2026": how a notification names a day (absolute, so it stays true as the notice ages)."""
    return f"{day:%B} {day.day}, {day.year}"


def _seed_notifications(db: Database, world: World) -> None:
    known = {s.id for s in world.subscribers}
    due_on = {
        s.id: long_date(world.today + timedelta(days=s.open_due_in_days))
        for s in world.subscribers
        if s.open_due_in_days is not None
    }
    for seq, (subscriber_id, subservice_id, kind, title, body, days_ago, read) in enumerate(
        _NOTIFICATIONS, 1
    ):
        if subscriber_id not in known:
            continue
        created = _iso(datetime.combine(world.today - timedelta(days=days_ago), time(8), UTC))
        body = body.format(due=due_on.get(subscriber_id, "the date on the invoice"))
        notification_id = f"NTF-{seq}"
        link_kind, link_id = _LINKS.get(kind, (None, None))
        cursor = db.execute(
            "INSERT OR IGNORE INTO notifications (id, seq, subscriber_id, subservice_id, kind, title, body,"
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
                link_id or subservice_id,
                created,
            ),
        )
        if read and cursor.rowcount:
            db.execute(
                "INSERT OR IGNORE INTO notification_reads (notification_id, user_id, read_at)"
                " SELECT ?, id, ? FROM users WHERE subscriber_id = ?",
                (notification_id, created, subscriber_id),
            )
