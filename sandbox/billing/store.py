"""Billing's tables, and the wire shapes built from their rows.

Money columns are integers in the minor unit of the row's currency (its ISO 4217 exponent: cents for USD,
yen for JPY, fils for KWD); dates are ISO strings. The wallet has no balance column on purpose: the balance
is always the sum of the ledger, so it can never drift from the entries that explain it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sandbox.common.db import Database
from sandbox.common.http import money

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
    -- What invoices print about the service billed (and what the portal lists when the CRM is down).
    kind TEXT NOT NULL CHECK (kind IN ('INTERNET', 'IPTV', 'VOIP')),
    location TEXT NOT NULL,
    activated_on TEXT NOT NULL,
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
    result TEXT,
    -- What a receipt may say about a card: its brand and last four digits, never more (null when unknown).
    card_brand TEXT,
    card_last4 TEXT
);
CREATE INDEX IF NOT EXISTS payments_invoice ON payments (invoice_id);
CREATE TABLE IF NOT EXISTS wallet_entries (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    subscriber_id TEXT NOT NULL REFERENCES accounts (subscriber_id),
    kind TEXT NOT NULL CHECK (kind IN ('TOPUP', 'PROMO', 'GIFT_CARD', 'COMPENSATION', 'INVOICE_PAYMENT',
                                       'OVERPAYMENT', 'RENEWAL', 'ADD_ON')),
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
-- replays a key (a concurrent run, a retry) records it once. `retry` is 0 for the first charge of an
-- invoice and k for the k-th retry of the dunning schedule (`service/dunning.py`); `run_on` is the run's day.
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
    at TEXT NOT NULL,
    retry INTEGER NOT NULL DEFAULT 0,
    run_on TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS autopay_attempts_invoice ON autopay_attempts (invoice_id, amount);
-- Plan changes asked for: an upgrade is APPLIED at once, a downgrade SCHEDULED for `effective_on` (the next
-- period) until the billing run applies it, or CANCELLED by a later change.
CREATE TABLE IF NOT EXISTS plan_changes (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    subservice_id TEXT NOT NULL REFERENCES charges (subservice_id),
    subscriber_id TEXT NOT NULL REFERENCES accounts (subscriber_id),
    from_plan TEXT NOT NULL,
    to_plan_id TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('UPGRADE', 'DOWNGRADE')),
    requested_at TEXT NOT NULL,
    effective_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('APPLIED', 'SCHEDULED', 'CANCELLED'))
);
CREATE INDEX IF NOT EXISTS plan_changes_subservice ON plan_changes (subservice_id, status);
-- The proration of an upgrade: lines for the sub-service's next invoice (`invoice_id` once billed).
CREATE TABLE IF NOT EXISTS plan_adjustments (
    id INTEGER PRIMARY KEY,
    subservice_id TEXT NOT NULL REFERENCES charges (subservice_id),
    subscriber_id TEXT NOT NULL REFERENCES accounts (subscriber_id),
    plan_change_id TEXT NOT NULL REFERENCES plan_changes (id),
    description TEXT NOT NULL,
    amount INTEGER NOT NULL,
    invoice_id TEXT REFERENCES invoices (id)
);
CREATE INDEX IF NOT EXISTS plan_adjustments_unbilled ON plan_adjustments (subscriber_id, invoice_id);
-- Add-ons bought: `reference` is the gateway payment of a card purchase (one purchase per payment).
CREATE TABLE IF NOT EXISTS add_on_purchases (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    subservice_id TEXT NOT NULL REFERENCES charges (subservice_id),
    subscriber_id TEXT NOT NULL REFERENCES accounts (subscriber_id),
    add_on_id TEXT NOT NULL,
    name TEXT NOT NULL,
    billing TEXT NOT NULL CHECK (billing IN ('MONTHLY', 'ONE_OFF')),
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    paid_by TEXT NOT NULL CHECK (paid_by IN ('WALLET', 'CARD')),
    reference TEXT UNIQUE,
    data_gb INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS add_on_purchases_subservice ON add_on_purchases (subservice_id);
-- Results of idempotent operations that have no natural unique row of their own (wallet apply, renew).
CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    result TEXT NOT NULL
);
"""


# Columns added after a table was first created: a data directory kept from an older version
# (SANDBOX_DATA_DIR) gets them on start-up, since `CREATE TABLE IF NOT EXISTS` leaves an existing table as it is.
ADDED_COLUMNS = (
    ("payments", "card_brand", "TEXT"),
    ("payments", "card_last4", "TEXT"),
)


def upgrade(db: Database) -> None:
    for table, column, kind in ADDED_COLUMNS:
        if column not in {r["name"] for r in db.all(f"PRAGMA table_info({table})")}:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")


def invoice_dict(row: Any, lines: Sequence[Any]) -> dict[str, Any]:
    currency = row["currency"]
    # A void invoice is owed by no one, whatever was paid before it was voided.
    balance = 0 if row["status"] == "VOID" else row["total"] - row["amount_paid"]
    return {
        "id": row["id"],
        "number": row["number"],
        "subscriber_id": row["subscriber_id"],
        "subservice_id": row["subservice_id"],
        "status": row["status"],
        "issued_on": row["issued_on"],
        "due_on": row["due_on"],
        "period_start": row["period_start"],
        "period_end": row["period_end"],
        "total": money(row["total"], currency),
        "amount_paid": money(row["amount_paid"], currency),
        "balance": money(balance, currency),
        "lines": [
            {
                "subservice_id": line["subservice_id"],
                "description": line["description"],
                "amount": money(line["amount"], currency),
            }
            for line in lines
        ],
        "subservice_ids": list(
            dict.fromkeys(line["subservice_id"] for line in lines if line["subservice_id"])
        ),
    }


def payment_dict(row: Any, subscriber_id: str) -> dict[str, Any]:
    currency = row["currency"]
    return {
        "id": row["id"],
        "external_ref": row["external_ref"],
        "invoice_id": row["invoice_id"],
        "subscriber_id": subscriber_id,
        "amount": money(row["amount"], currency),
        "applied": money(row["applied"], currency),
        "method": row["method"],
        "recorded_at": row["recorded_at"],
        "receipt_number": receipt_number(row["seq"]),
        "card_brand": row["card_brand"],
        "card_last4": row["card_last4"],
    }


def receipt_number(seq: int) -> str:
    """A payment's receipt number: one per payment, in the order payments were recorded."""
    return f"RCT-{seq:07d}"


def method_dict(row: Any, default_id: str | None) -> dict[str, Any]:
    return {
        "id": row["id"],
        "brand": row["brand"],
        "last4": row["last4"],
        "exp_month": row["exp_month"],
        "exp_year": row["exp_year"],
        "is_default": row["id"] == default_id,
        "created_at": row["created_at"],
    }


def entry_dict(row: Any, currency: str) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "amount": money(row["amount"], currency),
        "description": row["description"],
        "reference": row["reference"],
        "invoice_id": row["invoice_id"],
        "subservice_id": row["subservice_id"],
        "created_at": row["created_at"],
    }


def installment_dict(row: Any) -> dict[str, Any]:
    cur = row["currency"]
    total, count, paid = row["total"], row["count"], row["paid_count"]
    # The last installment absorbs rounding, so a fully paid plan has paid exactly its total.
    paid_amount = total if paid >= count else row["amount_each"] * paid
    progress = (Decimal(paid) / Decimal(count)).quantize(Decimal("0.0001")) if count else Decimal(1)
    return {
        "id": row["id"],
        "subservice_id": row["subservice_id"],
        "description": row["description"],
        "total": money(total, cur),
        "paid_amount": money(paid_amount, cur),
        "remaining": money(total - paid_amount, cur),
        "installments_total": count,
        "installments_paid": paid,
        "amount_each": money(row["amount_each"], cur),
        "next_due_on": row["next_due_on"],
        "progress": str(progress),
    }


def gift_card_dict(row: Any) -> dict[str, Any]:
    return {
        "code": row["code"],
        "value": money(row["value"], row["currency"]),
        "created_at": row["created_at"],
        "redeemed_by": row["redeemed_by"],
        "redeemed_at": row["redeemed_at"],
    }
