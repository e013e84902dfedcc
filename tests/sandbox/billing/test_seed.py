"""The seeded invoice history is coherent whatever day it is seeded for: each invoice is issued on its
period's first day, before it falls due and not after today; its status agrees with its due date; it is
numbered after its period; payments come after the invoice they settle; a subscriber's periods follow each
other without gaps up to the current one."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from sandbox.billing.seed import seed_world
from sandbox.billing.service.cycle import add_months, cycle_containing
from sandbox.billing.store import SCHEMA
from sandbox.common.db import Database
from sandbox.world import demo_world, with_bench_subscriber

# The day the tests pin, the first days of a month (where an overdue invoice used to be issued after its
# due date), a month end, a leap day and a year boundary.
DAYS = [
    date(2026, 11, 25),
    date(2026, 12, 2),
    date(2026, 12, 1),
    date(2026, 12, 31),
    date(2028, 2, 29),
    date(2027, 1, 3),
]


def seeded(today: date) -> Database:
    """The demo world and the bench subscriber, with two variations: Ana (who has an installment plan) overdue for
    40 days, so several periods are unpaid, and Cara with everything paid."""
    world = with_bench_subscriber(demo_world(today), 3)
    variants = {
        "SUB-1001": {"open_due_in_days": None, "overdue_by_days": 40},
        "SUB-1003": {"open_due_in_days": None},
    }
    subscribers = tuple(replace(s, **variants.get(s.id, {})) for s in world.subscribers)
    db = Database(":memory:")
    db.script(SCHEMA)
    seed_world(db, replace(world, subscribers=subscribers), "USD")
    return db


@pytest.mark.parametrize("today", DAYS, ids=[d.isoformat() for d in DAYS])
def test_every_seeded_invoice_is_coherent(today: date) -> None:
    db = seeded(today)
    invoices = db.all("SELECT * FROM invoices ORDER BY seq")
    assert invoices
    for inv in invoices:
        issued, due = date.fromisoformat(inv["issued_on"]), date.fromisoformat(inv["due_on"])
        start, end = date.fromisoformat(inv["period_start"]), date.fromisoformat(inv["period_end"])
        where = f"{inv['number']} ({inv['subscriber_id']}, {inv['status']})"
        assert issued < due, f"{where}: issued {issued} but due {due}"
        assert issued <= today, f"{where}: issued in the future ({issued})"
        assert issued == start and start <= end and end == add_months(start, 1) - timedelta(days=1), where
        assert inv["number"].startswith(f"INV-{start:%Y%m}-"), where
        if inv["status"] == "OVERDUE":
            assert due < today and inv["amount_paid"] < inv["total"], where
        elif inv["status"] == "OPEN":
            assert due >= today and inv["amount_paid"] < inv["total"], where
        else:
            assert inv["status"] == "PAID" and inv["amount_paid"] == inv["total"], where
    for pay in db.all(
        "SELECT p.recorded_at, i.issued_on, i.number FROM payments p JOIN invoices i ON i.id = p.invoice_id"
    ):
        recorded = date.fromisoformat(pay["recorded_at"][:10])
        assert date.fromisoformat(pay["issued_on"]) <= recorded <= today, pay["number"]


@pytest.mark.parametrize("today", DAYS, ids=[d.isoformat() for d in DAYS])
def test_each_subscriber_is_invoiced_for_every_period_up_to_the_current_one(today: date) -> None:
    db = seeded(today)
    for account in db.all("SELECT subscriber_id, billing_day FROM accounts"):
        sid = account["subscriber_id"]
        starts = sorted(
            {
                date.fromisoformat(r["period_start"])
                for r in db.all("SELECT period_start FROM invoices WHERE subscriber_id = ?", (sid,))
            }
        )
        assert starts[-1] == cycle_containing(today, account["billing_day"]).period_start, sid
        assert starts == [add_months(starts[0], k) for k in range(len(starts))], f"{sid}: a gap in {starts}"
        # Unpaid invoices are the latest ones: nothing paid after something left unpaid.
        statuses = [
            r["status"]
            for r in db.all("SELECT status FROM invoices WHERE subscriber_id = ? ORDER BY seq", (sid,))
        ]
        first_unpaid = next((i for i, s in enumerate(statuses) if s != "PAID"), len(statuses))
        assert all(s != "PAID" for s in statuses[first_unpaid:]), f"{sid}: {statuses}"


def test_ben_owes_last_months_invoice_overdue_and_this_months_open() -> None:
    """The case of issue 12: seeded on Dec 2, Ben's overdue invoice (due Nov 20) is November's, issued Nov 1;
    December's is issued Dec 1 and open."""
    db = seeded(date(2026, 12, 2))
    ben = db.all(
        "SELECT number, status, issued_on, due_on FROM invoices WHERE subscriber_id = 'SUB-1002' AND status != 'PAID'"
        " ORDER BY seq"
    )
    assert [(r["status"], r["issued_on"], r["due_on"]) for r in ben] == [
        ("OVERDUE", "2026-11-01", "2026-11-20"),
        ("OPEN", "2026-12-01", "2026-12-15"),
    ]
    assert ben[0]["number"].startswith("INV-202611-") and ben[1]["number"].startswith("INV-202612-")
