"""Loads Billing's part of the seed world: accounts, charges, invoice history, wallets, installments, gift cards.

Deterministic for a given world (ids and invoice numbers come from counters in a fixed order; nothing is
random), and bulk-inserted so a 1,000-sub-service enterprise seeds in well under a second.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sandbox.billing.config import DUE_AFTER_DAYS
from sandbox.billing.service.cycle import Cycle, cycle_containing
from sandbox.billing.service.invoicing import (
    ChargeInfo,
    InvoiceDraft,
    PlanInfo,
    drafts_for,
    invoice_id,
    invoice_number,
)
from sandbox.common import clock
from sandbox.common.db import Database
from sandbox.common.money import round_to_minor
from sandbox.world import SubscriberSeed, SubServiceSeed, World
from sandbox.world.inventory import activated_on

SEED_CARD = ("visa", "4242")  # the brand and last four digits of seeded card payments
GIFT_CARDS = (
    ("WG-GIFT-25", "25.00", None),
    ("WG-GIFT-10", "10.00", None),
    ("WG-GIFT-USED", "10.00", "SUB-1002"),
)


def _at(day: date, hour: int = 9) -> str:
    return clock.iso(datetime.combine(day, time(hour), tzinfo=UTC)) or ""


class _Rows:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.tables: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        self.seq = {
            t: int(db.scalar(f"SELECT COALESCE(MAX(seq), 0) FROM {t}"))
            for t in ("invoices", "payments", "wallet_entries")
        }

    def next(self, table: str) -> int:
        self.seq[table] += 1
        return self.seq[table]


def seed_world(db: Database, world: World, currency: str) -> None:
    rows = _Rows(db)
    by_subscriber: dict[str, list[SubServiceSeed]] = defaultdict(list)
    for service in world.subservices:
        by_subscriber[service.subscriber_id].append(service)
    for sub in world.subscribers:
        _seed_subscriber(rows, world.today, sub, by_subscriber[sub.id], currency)
    _seed_gift_cards(rows, world, currency)
    inserts = {
        "accounts": "INSERT INTO accounts (subscriber_id, account_number, name, address, currency, invoice_mode,"
        " billing_day) VALUES (?, ?, ?, ?, ?, ?, ?)",
        "charges": "INSERT INTO charges (subservice_id, subscriber_id, label, kind, location, activated_on,"
        " description, monthly_price, prepaid, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "charge_addons": "INSERT INTO charge_addons (subservice_id, description, monthly_price) VALUES (?, ?, ?)",
        "installment_plans": "INSERT INTO installment_plans (id, subscriber_id, subservice_id, description, total,"
        " count, paid_count, billed_count, amount_each, next_due_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "invoices": "INSERT INTO invoices (id, seq, number, subscriber_id, subservice_id, status, issued_on, due_on,"
        " period_start, period_end, total, amount_paid, currency) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "invoice_lines": "INSERT INTO invoice_lines (invoice_id, position, subservice_id, description, amount,"
        " installment_plan_id) VALUES (?, ?, ?, ?, ?, ?)",
        "payments": "INSERT INTO payments (id, seq, external_ref, invoice_id, amount, applied, currency, method,"
        " recorded_at, card_brand, card_last4) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "wallet_entries": "INSERT INTO wallet_entries (id, seq, subscriber_id, kind, amount, description, reference,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        "gift_cards": "INSERT INTO gift_cards (code, value, currency, created_at, redeemed_by, redeemed_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
    }
    with db.transaction():
        for table, sql in inserts.items():
            if rows.tables[table]:
                db.executemany(sql, rows.tables[table])


def _seed_subscriber(
    rows: _Rows, today: date, sub: SubscriberSeed, services: list[SubServiceSeed], currency: str
) -> None:
    rows.tables["accounts"].append(
        (sub.id, sub.account_number, sub.name, sub.address, currency, sub.invoice_mode, sub.billing_day)
    )
    charges = _seed_charges(rows, today, sub.id, services, currency)
    unpaid = _unpaid_cycles(today, sub)
    first_due = unpaid[0][2] if unpaid else None
    plans, billed_now = _seed_plans(rows, sub, len(unpaid), first_due, today, currency)
    method = "CARD" if sub.kind == "RESIDENTIAL" else "BANK_TRANSFER"
    # The paid history first, oldest first, then the unpaid invoices: every period from the first seeded one
    # to the current one has its invoices, each issued on its period's first day.
    latest = cycle_containing(today, sub.billing_day)
    # When nothing is unpaid, the current period's invoice is paid already: one more paid invoice.
    first_unpaid, paid = (
        (unpaid[0][0], sub.paid_months) if unpaid else (latest.shifted(1), sub.paid_months + 1)
    )
    history: list[tuple[Cycle, str, date | None]] = [
        (first_unpaid.shifted(-k), "PAID", None) for k in range(paid, 0, -1)
    ]
    invoices = [*history, *unpaid]
    for position, (cycle, invoice_status, due) in enumerate(invoices):
        back = len(invoices) - 1 - position  # how many invoices come after this one
        numbers = {p.id: billed_now[p.id] - back for p in plans}
        due = due or cycle.period_start + timedelta(days=DUE_AFTER_DAYS)
        for draft in drafts_for(sub.invoice_mode, charges, plans, numbers):
            _seed_invoice(rows, today, sub.id, draft, cycle, invoice_status, due, method, currency)
    for entry in sorted(sub.wallet, key=lambda e: -e.days_ago):
        _wallet_row(
            rows,
            sub.id,
            entry.kind,
            round_to_minor(entry.amount, currency),
            entry.description,
            None,
            today - timedelta(days=entry.days_ago),
        )


def _seed_charges(
    rows: _Rows, today: date, subscriber_id: str, services: list[SubServiceSeed], currency: str
) -> list[ChargeInfo]:
    """Each sub-service's monthly charge and add-ons; returns the ones invoiced (prepaid ones expire)."""
    charges: list[ChargeInfo] = []
    for s in services:
        expires = None
        if s.prepaid_expires_in_days is not None:
            expires = _at(today + timedelta(days=s.prepaid_expires_in_days), 0)
        price = round_to_minor(s.plan.monthly_price, currency)
        add_ons = tuple((a.name, round_to_minor(a.monthly_price, currency)) for a in s.add_ons)
        rows.tables["charges"].append(
            (
                s.id,
                subscriber_id,
                s.label,
                s.kind,
                s.location,
                activated_on(s.id, today).isoformat(),
                s.plan.name,
                price,
                int(expires is not None),
                expires,
            )
        )
        rows.tables["charge_addons"] += [(s.id, name, addon_price) for name, addon_price in add_ons]
        if expires is None:
            charges.append(ChargeInfo(s.id, s.plan.name, price, add_ons))
    return charges


def _unpaid_cycles(today: date, sub: SubscriberSeed) -> list[tuple[Cycle, str, date]]:
    """The periods whose invoices are unpaid, oldest first, with status and due date.

    An OPEN invoice is the current period's, due in `open_due_in_days`. An OVERDUE one fell due
    `overdue_by_days` ago, so it belongs to the period before that day (an invoice is issued on its period's
    first day, before it falls due); the periods after it up to the current one are invoiced too, each due
    `DUE_AFTER_DAYS` after it was issued, and overdue when that day has passed.
    """
    current = cycle_containing(today, sub.billing_day)
    if sub.open_due_in_days is not None:
        return [(current, "OPEN", today + timedelta(days=sub.open_due_in_days))]
    if sub.overdue_by_days is None:
        return []
    due = today - timedelta(days=sub.overdue_by_days)
    cycle = cycle_containing(due - timedelta(days=1), sub.billing_day)
    unpaid = [(cycle, "OVERDUE", due)]
    while cycle.period_start < current.period_start:
        cycle = cycle.shifted(1)
        later_due = cycle.period_start + timedelta(days=DUE_AFTER_DAYS)
        unpaid.append((cycle, "OVERDUE" if later_due < today else "OPEN", later_due))
    return unpaid


def _seed_plans(
    rows: _Rows, sub: SubscriberSeed, unpaid: int, first_due: date | None, today: date, currency: str
) -> tuple[list[PlanInfo], dict[str, int]]:
    """The installment plans, and how many installments of each are billed up to this period."""
    plans: list[PlanInfo] = []
    billed_now: dict[str, int] = {}
    current = cycle_containing(today, sub.billing_day)
    for k, inst in enumerate(sub.installments, start=1):
        plan = PlanInfo(
            f"ip_{inst.subservice_id}_{k}",
            inst.subservice_id,
            inst.description,
            round_to_minor(inst.total, currency),
            inst.installments,
            round_to_minor(inst.total / Decimal(inst.installments), currency),
        )
        plans.append(plan)
        # Each unpaid invoice bills the next installment.
        billed_now[plan.id] = min(inst.paid + unpaid, inst.installments)
        next_due = None
        if inst.paid < inst.installments:
            next_due = first_due or current.next_invoice_on + timedelta(days=DUE_AFTER_DAYS)
        rows.tables["installment_plans"].append(
            (
                plan.id,
                sub.id,
                plan.subservice_id,
                plan.description,
                plan.total,
                plan.count,
                inst.paid,
                billed_now[plan.id],
                plan.amount_each,
                next_due.isoformat() if next_due else None,
            )
        )
    return plans, billed_now


def _seed_invoice(
    rows: _Rows,
    today: date,
    subscriber_id: str,
    draft: InvoiceDraft,
    cycle: Cycle,
    status: str,
    due: date,
    method: str,
    currency: str,
) -> None:
    """One invoice with its lines, and the payment that settled it when it is PAID."""
    seq = rows.next("invoices")
    iid = invoice_id(seq)
    paid = draft.total if status == "PAID" else 0
    rows.tables["invoices"].append(
        (
            iid,
            seq,
            invoice_number(cycle.period_start, seq),
            subscriber_id,
            draft.subservice_id,
            status,
            cycle.period_start.isoformat(),
            due.isoformat(),
            cycle.period_start.isoformat(),
            cycle.period_end.isoformat(),
            draft.total,
            paid,
            currency,
        )
    )
    rows.tables["invoice_lines"] += [
        (iid, pos, line.subservice_id, line.description, line.amount, line.installment_plan_id)
        for pos, line in enumerate(draft.lines)
    ]
    if paid:
        pseq = rows.next("payments")
        recorded = _at(min(due - timedelta(days=3), today), 10)
        # A seeded card payment names a test card, as a receipt would print it.
        brand, last4 = SEED_CARD if method == "CARD" else (None, None)
        rows.tables["payments"].append(
            (
                f"pay_{pseq:07d}",
                pseq,
                f"seed:{iid}",
                iid,
                paid,
                paid,
                currency,
                method,
                recorded,
                brand,
                last4,
            )
        )


def _wallet_row(
    rows: _Rows,
    subscriber_id: str,
    kind: str,
    amount: int,
    description: str,
    reference: str | None,
    day: date,
) -> None:
    seq = rows.next("wallet_entries")
    rows.tables["wallet_entries"].append(
        (f"wtx_{seq:07d}", seq, subscriber_id, kind, amount, description, reference, _at(day))
    )


def _seed_gift_cards(rows: _Rows, world: World, currency: str) -> None:
    known = {s.id for s in world.subscribers}
    created = world.today - timedelta(days=90)
    for code, value, redeemed_by in GIFT_CARDS:
        if redeemed_by is not None and redeemed_by not in known:
            redeemed_by = None
        redeemed_on = world.today - timedelta(days=40)
        rows.tables["gift_cards"].append(
            (
                code,
                round_to_minor(value, currency),
                currency,
                _at(created),
                redeemed_by,
                _at(redeemed_on) if redeemed_by else None,
            )
        )
        if redeemed_by is not None:
            _wallet_row(
                rows,
                redeemed_by,
                "GIFT_CARD",
                round_to_minor(value, currency),
                f"Gift card {code}",
                f"gift-card:{code}",
                redeemed_on,
            )
