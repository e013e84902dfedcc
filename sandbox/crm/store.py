"""CRM tables. Every table with generated ids keeps a numeric `seq` so new ids continue after the seed's."""

from __future__ import annotations

from typing import Any

from sandbox.common.db import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS subscribers (
    id TEXT PRIMARY KEY,
    account_number TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT NOT NULL,
    address TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS subservices (
    id TEXT PRIMARY KEY,
    subscriber_id TEXT NOT NULL REFERENCES subscribers (id),
    position INTEGER NOT NULL,          -- natural order of the ids within the subscriber; the page cursor
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    location TEXT NOT NULL,
    activated_on TEXT NOT NULL,
    UNIQUE (subscriber_id, position)
);
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL UNIQUE,     -- lower-cased e-mail: log-in matching is case-insensitive
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    subscriber_id TEXT NOT NULL REFERENCES subscribers (id),
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    last_login_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS users_subscriber ON users (subscriber_id);
CREATE TABLE IF NOT EXISTS user_sites (
    user_id TEXT NOT NULL REFERENCES users (id),
    subservice_id TEXT NOT NULL REFERENCES subservices (id),
    PRIMARY KEY (user_id, subservice_id)
);
CREATE TABLE IF NOT EXISTS tickets (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    number TEXT NOT NULL UNIQUE,
    subscriber_id TEXT NOT NULL REFERENCES subscribers (id),
    subservice_id TEXT REFERENCES subservices (id),
    category TEXT NOT NULL,
    priority TEXT NOT NULL,
    status TEXT NOT NULL,
    queue TEXT NOT NULL,
    subject TEXT NOT NULL,
    opened_by_user_id TEXT REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    first_response_due_at TEXT NOT NULL,
    resolution_due_at TEXT NOT NULL,
    first_responded_at TEXT,
    resolved_at TEXT,
    rating INTEGER,                     -- 1..5, given by the customer once the ticket is resolved
    rating_comment TEXT,
    rated_at TEXT
);
CREATE INDEX IF NOT EXISTS tickets_subscriber ON tickets (subscriber_id, seq);
CREATE TABLE IF NOT EXISTS ticket_messages (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    author_kind TEXT NOT NULL,
    author_name TEXT NOT NULL,
    author_user_id TEXT,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ticket_messages_ticket ON ticket_messages (ticket_id, seq);
-- Every interaction with a ticket, in order: what the portal shows as its history.
CREATE TABLE IF NOT EXISTS ticket_events (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    kind TEXT NOT NULL,                 -- CREATED, ASSIGNED, REPLIED, STATUS_CHANGED, ATTACHMENT_ADDED, RATED, REOPENED
    actor_kind TEXT NOT NULL,           -- CUSTOMER, SUPPORT, SYSTEM
    actor_name TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    detail TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ticket_events_ticket ON ticket_events (ticket_id, seq);
CREATE TABLE IF NOT EXISTS attachments (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    message_id TEXT REFERENCES ticket_messages (id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    stored_name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS attachments_ticket ON attachments (ticket_id, seq);
CREATE TABLE IF NOT EXISTS notifications (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    subscriber_id TEXT NOT NULL REFERENCES subscribers (id),
    subservice_id TEXT REFERENCES subservices (id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link_kind TEXT,                     -- what the notification is about: TICKET, INVOICE, PAYMENT, SERVICE, WALLET
    link_id TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notifications_subscriber ON notifications (subscriber_id, seq);
CREATE TABLE IF NOT EXISTS notification_reads (
    notification_id TEXT NOT NULL REFERENCES notifications (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    read_at TEXT NOT NULL,
    PRIMARY KEY (notification_id, user_id)
);
CREATE TABLE IF NOT EXISTS email_outbox (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    subscriber_id TEXT,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    html TEXT,                          -- the HTML alternative; NULL: plain text only
    link TEXT,                          -- where in the portal the message points
    created_at TEXT NOT NULL,
    sent_at TEXT,                       -- handed to the SMTP server (NULL: not yet, or no SMTP configured)
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE TABLE IF NOT EXISTS audit_log (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    user_id TEXT,
    subscriber_id TEXT,
    action TEXT NOT NULL,
    ip TEXT,
    user_agent TEXT,
    detail TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_user ON audit_log (user_id, seq);
CREATE INDEX IF NOT EXISTS audit_subscriber ON audit_log (subscriber_id, seq);
-- Single-use links e-mailed to a user: a password reset, or the invitation to set a first password. Only
-- the SHA-256 of the token is kept.
CREATE TABLE IF NOT EXISTS password_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    purpose TEXT NOT NULL,              -- RESET or INVITE
    expires_at TEXT NOT NULL,
    used_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS password_tokens_user ON password_tokens (user_id);
-- The TOTP second factor: pending (confirmed_at NULL) from enrolment until the first code is confirmed.
-- `last_step` is the last accepted time step: a code is accepted once.
CREATE TABLE IF NOT EXISTS user_totp (
    user_id TEXT PRIMARY KEY REFERENCES users (id),
    secret TEXT NOT NULL,
    confirmed_at TEXT,
    last_step INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS recovery_codes (
    user_id TEXT NOT NULL REFERENCES users (id),
    code_hash TEXT NOT NULL,
    used_at TEXT,
    PRIMARY KEY (user_id, code_hash)
);
-- The devices (browser family + address) a user has signed in from: a new one gets an e-mail alert.
CREATE TABLE IF NOT EXISTS known_devices (
    user_id TEXT NOT NULL REFERENCES users (id),
    device_key TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    PRIMARY KEY (user_id, device_key)
);
-- Users an owner removed from the team: kept (the access log and tickets still name them), never listed.
CREATE TABLE IF NOT EXISTS removed_users (
    user_id TEXT PRIMARY KEY REFERENCES users (id),
    removed_at TEXT NOT NULL
);
-- The language a user chose for the portal, its e-mails and PDFs (issue 13): en, es or pt (pt-BR wording).
-- A table of its own so that other per-user settings can be added beside it without touching `users`;
-- no row: the user has not chosen, the portal follows the browser.
CREATE TABLE IF NOT EXISTS user_locales (
    user_id TEXT PRIMARY KEY REFERENCES users (id),
    locale TEXT NOT NULL
);
-- Contact details beyond the subscriber row (profile.py). The structured billing address; `subscribers.address`
-- keeps its one-line form for the readers that know only that.
CREATE TABLE IF NOT EXISTS billing_addresses (
    subscriber_id TEXT PRIMARY KEY REFERENCES subscribers (id),
    lines TEXT NOT NULL,                -- JSON array of 1 to 3 lines
    city TEXT NOT NULL,
    region TEXT,
    postal_code TEXT NOT NULL,
    country TEXT NOT NULL               -- ISO 3166-1 alpha-2
);
-- A portal user's own phone (E.164): kept beside the users table, not in it.
CREATE TABLE IF NOT EXISTS user_phones (
    user_id TEXT PRIMARY KEY REFERENCES users (id),
    phone TEXT NOT NULL
);
-- A requested change of a user's login e-mail (login_email.py), until the link sent to the new address is
-- opened: only the SHA-256 of the link's token is kept.
CREATE TABLE IF NOT EXISTS login_email_changes (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    new_email TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    created_at TEXT NOT NULL
);
-- Notification preferences (preferences.py): only the switches a user moved from the default (on).
CREATE TABLE IF NOT EXISTS notification_preferences (
    user_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,                 -- PAYMENTS, OUTAGES, TICKETS, USAGE, SECURITY
    channel TEXT NOT NULL,              -- PORTAL, EMAIL
    enabled INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user_id, kind, channel)
);
"""


def next_seq(db: Database, table: str) -> int:
    """The next `seq` of a table; call inside the transaction that inserts the row."""
    return int(db.scalar(f"SELECT COALESCE(MAX(seq), 0) + 1 FROM {table}"))


def attachment_wire(row: Any) -> dict[str, Any]:
    """An attachment's metadata as the API shows it (its bytes are served by their own route)."""
    return {
        "id": row["id"],
        "ticket_id": row["ticket_id"],
        "message_id": row["message_id"],
        "filename": row["filename"],
        "content_type": row["content_type"],
        "size_bytes": row["size_bytes"],
        "sha256": row["sha256"],
        "created_at": row["created_at"],
    }
