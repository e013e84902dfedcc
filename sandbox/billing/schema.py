"""Billing's SQLite schema. Money columns are integer cents; dates are ISO strings.

The wallet has no balance column on purpose: the balance is always the sum of the ledger, so it can never
drift from the entries that explain it.
"""

from __future__ import annotations

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    subscriber_id TEXT PRIMARY KEY,
    account_number TEXT NOT NULL,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    currency TEXT NOT NULL,
    invoice_mode TEXT NOT NULL CHECK (invoice_mode IN ('CONSOLIDATED', 'PER_SUBSERVICE')),
    billing_day INTEGER NOT NULL CHECK (billing_day BETWEEN 1 AND 28),
    grace_days INTEGER NOT NULL DEFAULT 7,
    autopay INTEGER NOT NULL DEFAULT 0,
    default_payment_method_id TEXT,
    gateway_customer_id TEXT
);
CREATE TABLE IF NOT EXISTS charges (
    subservice_id TEXT PRIMARY KEY,
    subscriber_id TEXT NOT NULL REFERENCES accounts (subscriber_id),
    label TEXT NOT NULL,
    description TEXT NOT NULL,
    monthly_price INTEGER NOT NULL,
    prepaid INTEGER NOT NULL DEFAULT 0,
    expires_at TEXT
);
CREATE INDEX IF NOT EXISTS charges_subscriber ON charges (subscriber_id);
CREATE TABLE IF NOT EXISTS charge_addons (
    id INTEGER PRIMARY KEY,
    subservice_id TEXT NOT NULL REFERENCES charges (subservice_id),
    description TEXT NOT NULL,
    monthly_price INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS charge_addons_subservice ON charge_addons (subservice_id);
CREATE TABLE IF NOT EXISTS invoices (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    number TEXT NOT NULL UNIQUE,
    subscriber_id TEXT NOT NULL REFERENCES accounts (subscriber_id),
    subservice_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('OPEN', 'PAID', 'OVERDUE', 'VOID')),
    issued_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    total INTEGER NOT NULL,
    amount_paid INTEGER NOT NULL DEFAULT 0,
    currency TEXT NOT NULL
);
-- One invoice per account (or per sub-service) and period: what makes billing runs idempotent.
CREATE UNIQUE INDEX IF NOT EXISTS invoices_period
    ON invoices (subscriber_id, COALESCE(subservice_id, ''), period_start);
CREATE INDEX IF NOT EXISTS invoices_status ON invoices (status, due_on);
CREATE TABLE IF NOT EXISTS invoice_lines (
    id INTEGER PRIMARY KEY,
    invoice_id TEXT NOT NULL REFERENCES invoices (id),
    position INTEGER NOT NULL,
    subservice_id TEXT,
    description TEXT NOT NULL,
    amount INTEGER NOT NULL,
    installment_plan_id TEXT
);
CREATE INDEX IF NOT EXISTS invoice_lines_invoice ON invoice_lines (invoice_id);
CREATE INDEX IF NOT EXISTS invoice_lines_subservice ON invoice_lines (subservice_id);
CREATE TABLE IF NOT EXISTS payments (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    external_ref TEXT NOT NULL UNIQUE,
    invoice_id TEXT NOT NULL REFERENCES invoices (id),
    amount INTEGER NOT NULL,
    applied INTEGER NOT NULL,
    currency TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('CARD', 'WALLET', 'BANK_TRANSFER', 'GATEWAY')),
    recorded_at TEXT NOT NULL,
    result TEXT
);
CREATE INDEX IF NOT EXISTS payments_invoice ON payments (invoice_id);
CREATE TABLE IF NOT EXISTS wallet_entries (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    subscriber_id TEXT NOT NULL REFERENCES accounts (subscriber_id),
    kind TEXT NOT NULL CHECK (kind IN ('TOPUP', 'PROMO', 'GIFT_CARD', 'COMPENSATION', 'INVOICE_PAYMENT',
                                       'OVERPAYMENT', 'RENEWAL')),
    amount INTEGER NOT NULL,
    description TEXT NOT NULL,
    reference TEXT UNIQUE,
    invoice_id TEXT,
    subservice_id TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS wallet_entries_subscriber ON wallet_entries (subscriber_id, seq);
CREATE TABLE IF NOT EXISTS gift_cards (
    code TEXT PRIMARY KEY,
    value INTEGER NOT NULL,
    currency TEXT NOT NULL,
    created_at TEXT NOT NULL,
    redeemed_by TEXT,
    redeemed_at TEXT
);
CREATE TABLE IF NOT EXISTS payment_methods (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    subscriber_id TEXT NOT NULL REFERENCES accounts (subscriber_id),
    gateway_token TEXT NOT NULL UNIQUE,
    brand TEXT NOT NULL,
    last4 TEXT NOT NULL,
    exp_month INTEGER NOT NULL,
    exp_year INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS payment_methods_subscriber ON payment_methods (subscriber_id);
CREATE TABLE IF NOT EXISTS installment_plans (
    id TEXT PRIMARY KEY,
    subscriber_id TEXT NOT NULL REFERENCES accounts (subscriber_id),
    subservice_id TEXT NOT NULL,
    description TEXT NOT NULL,
    total INTEGER NOT NULL,
    count INTEGER NOT NULL,
    paid_count INTEGER NOT NULL,
    billed_count INTEGER NOT NULL,  -- installments put on an invoice so far
    amount_each INTEGER NOT NULL,
    next_due_on TEXT
);
CREATE INDEX IF NOT EXISTS installment_plans_subservice ON installment_plans (subservice_id);
-- Each off-session charge the billing run asked the gateway for. `idempotency_key` is unique: a run that
-- replays a key (a concurrent run, a retry) records it once.
CREATE TABLE IF NOT EXISTS autopay_attempts (
    id INTEGER PRIMARY KEY,
    invoice_id TEXT NOT NULL REFERENCES invoices (id),
    subscriber_id TEXT NOT NULL REFERENCES accounts (subscriber_id),
    payment_method_id TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    payment_intent_id TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('SUCCEEDED', 'DECLINED', 'REFUSED')),
    decline_code TEXT,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS autopay_attempts_invoice ON autopay_attempts (invoice_id, amount);
-- Results of idempotent operations that have no natural unique row of their own (wallet apply, renew).
CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    result TEXT NOT NULL
);
"""
