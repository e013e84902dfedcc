"""The gateway's tables. Amounts are integer minor units; times are unix seconds (Stripe's `created`).

No column ever holds a card number or CVC: a payment method keeps brand, last four digits, expiry, a keyed
fingerprint and the sandbox test behaviour read from the test card number when it was entered.
"""

from __future__ import annotations

SCHEMA = """
CREATE TABLE IF NOT EXISTS customers (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    email TEXT,
    name TEXT,
    description TEXT,
    phone TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS payment_methods (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    customer TEXT REFERENCES customers (id),
    brand TEXT NOT NULL,
    last4 TEXT NOT NULL,
    exp_month INTEGER NOT NULL,
    exp_year INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    funding TEXT NOT NULL,
    holder_name TEXT,
    behavior TEXT NOT NULL,          -- the test card's behaviour (service/cards.py), never the number
    metadata TEXT NOT NULL DEFAULT '{}',
    created INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS payment_methods_customer ON payment_methods (customer, seq);
CREATE TABLE IF NOT EXISTS payment_intents (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL,
    customer TEXT,
    payment_method TEXT,
    description TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    off_session INTEGER NOT NULL DEFAULT 0,
    setup_future_usage TEXT,
    last_error TEXT,                 -- JSON: code, decline_code, message, type, payment_method
    latest_charge TEXT,
    client_secret TEXT NOT NULL,
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS setup_intents (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    customer TEXT,
    payment_method TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    last_error TEXT,
    client_secret TEXT NOT NULL,
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS checkout_sessions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    mode TEXT NOT NULL,
    status TEXT NOT NULL,            -- open | complete | expired
    payment_status TEXT NOT NULL,    -- unpaid | paid | no_payment_required
    customer TEXT,
    customer_email TEXT,
    customer_creation TEXT,
    customer_name TEXT,
    client_reference_id TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    success_url TEXT NOT NULL,
    cancel_url TEXT,
    currency TEXT,
    amount_subtotal INTEGER,
    amount_total INTEGER,
    line_items TEXT NOT NULL DEFAULT '[]',
    intent_data TEXT NOT NULL DEFAULT '{}',  -- payment_intent_data / setup_intent_data
    payment_intent TEXT,
    setup_intent TEXT,
    pending_payment_method TEXT,     -- a card waiting for the authentication step
    created INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS idempotency_keys (
    key TEXT PRIMARY KEY,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS idempotency_keys_created ON idempotency_keys (created);
"""
