"""The operator's billing run and invoice voiding.

A run, for a day `as_of`: issues each account's invoices for the period containing that day unless they
exist (so running twice, or daily, issues each period once), marks OPEN invoices past due OVERDUE, charges the
saved card of autopay accounts for their unpaid invoices and retries declined ones on the dunning schedule
(through the wired CardCharger, see `autopay.py` and `dunning.py`), and asks AAA (through the wired
ServiceControl) to suspend the sub-services on invoices overdue beyond the grace days — except those whose
dunning is not over: an autopay invoice is suspended only after its last retry failed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sandbox.billing.config import AUTOPAY_RAN, AUTOPAY_SKIPPED_NO_CHARGER, DUE_AFTER_DAYS, MAX_RUN_DISTANCE
from sandbox.billing.service.autopay import BillingAutopay
from sandbox.billing.service.cycle import Cycle, cycle_containing
from sandbox.billing.service.invoicing import (
    ChargeInfo,
    InvoiceDraft,
    PlanInfo,
    drafts_for,
    invoice_id,
    invoice_number,
)
from sandbox.billing.service.payments import BillingPayments
from sandbox.billing.service.plans import BillingPlans
from sandbox.common.db import placeholders
from sandbox.common.http import conflict, invalid, money


class BillingRuns(BillingAutopay, BillingPayments, BillingPlans):
    def billing_run(self, as_of: date | None = None, subscriber_id: str | None = None) -> dict[str, Any]:
        as_of = as_of or self.today()
        if abs(as_of - self.today()) > MAX_RUN_DISTANCE:
            raise invalid("`as_of` must be within a year of today")
        with self.db.transaction():
            if subscriber_id is not None:
                accounts = [self.require_account(subscriber_id)]
            else:
                accounts = self.db.all("SELECT * FROM accounts ORDER BY subscriber_id")
            # Downgrades scheduled for this period take effect before it is invoiced.
            replanned = self.apply_scheduled_changes(as_of, subscriber_id)
            issued = [iid for account in accounts for iid in self._issue_period(account, as_of)]
            overdue = self._mark_overdue(as_of, subscriber_id)
        # Peer calls happen outside the transaction: they must not hold Billing's database lock.
        charged = self.charge_autopay(subscriber_id, as_of)
        # Read after charging, so that the run that makes the last retry and sees it fail also suspends.
        beyond_grace = self._beyond_grace(as_of, subscriber_id)
        if self.service_control is not None:
            for ssid, plan in replanned:
                self.service_control.set_plan(ssid, plan.name, plan.down_mbps, plan.up_mbps)
        suspended: list[str] = []
        if self.service_control is not None:
            for ssid, number in beyond_grace:
                self.service_control.suspend(ssid, "NON_PAYMENT", f"invoice {number} is overdue beyond grace")
                suspended.append(ssid)
        return {
            "as_of": as_of.isoformat(),
            "invoices_issued": issued,
            "marked_overdue": overdue,
            "overdue_beyond_grace": [ssid for ssid, _ in beyond_grace],
            "suspended": suspended,
            "autopay": AUTOPAY_RAN if self.card_charger is not None else AUTOPAY_SKIPPED_NO_CHARGER,
            "charged": charged,
            "plans_changed": [ssid for ssid, _ in replanned],
        }

    def _issue_period(self, account: Any, as_of: date) -> list[str]:
        """Issue the account's invoices for the period containing `as_of`, unless they exist."""
        cycle = cycle_containing(as_of, account["billing_day"])
        latest = self._latest_periods(account["subscriber_id"])
        due_on = as_of + timedelta(days=DUE_AFTER_DAYS)
        issued = []
        for draft in self._period_drafts(account):
            # Billing never goes back in time: a period at or before the latest invoiced one is not issued.
            last = latest.get(draft.subservice_id or "")
            if last is not None and last >= cycle.period_start.isoformat():
                continue
            issued.append(self._issue(account, draft, cycle, as_of, due_on))
        return issued

    def _period_drafts(self, account: Any) -> list[InvoiceDraft]:
        """What the account's next period bills: each invoiced charge with its add-ons and the proration of
        the plan changes since the last invoice, and the next installment of each plan not fully billed yet."""
        sid = account["subscriber_id"]
        charges = self.db.all(
            "SELECT * FROM charges WHERE subscriber_id = ? AND prepaid = 0 ORDER BY rowid", (sid,)
        )
        addons: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for a in self.db.all(
            "SELECT a.* FROM charge_addons a JOIN charges c USING (subservice_id) WHERE c.subscriber_id = ?"
            " ORDER BY a.id",
            (sid,),
        ):
            addons[a["subservice_id"]].append((a["description"], a["monthly_price"]))
        for ssid, lines in self.unbilled_adjustments(sid).items():
            addons[ssid] += lines
        plan_rows = self.db.all(
            "SELECT * FROM installment_plans WHERE subscriber_id = ? AND billed_count < count ORDER BY id",
            (sid,),
        )
        return drafts_for(
            account["invoice_mode"],
            [
                ChargeInfo(
                    c["subservice_id"],
                    c["description"],
                    c["monthly_price"],
                    tuple(addons[c["subservice_id"]]),
                )
                for c in charges
            ],
            [
                PlanInfo(
                    p["id"], p["subservice_id"], p["description"], p["total"], p["count"], p["amount_each"]
                )
                for p in plan_rows
            ],
            {p["id"]: p["billed_count"] + 1 for p in plan_rows},
        )

    def _latest_periods(self, subscriber_id: str) -> dict[str, str]:
        """The latest invoiced period start per sub-service ('' for consolidated invoices)."""
        return {
            r["key"]: r["latest"]
            for r in self.db.all(
                "SELECT COALESCE(subservice_id, '') AS key, MAX(period_start) AS latest FROM invoices"
                " WHERE subscriber_id = ? GROUP BY COALESCE(subservice_id, '')",
                (subscriber_id,),
            )
        }

    def _issue(self, account: Any, draft: InvoiceDraft, cycle: Cycle, as_of: date, due_on: date) -> str:
        """Store one invoice with its lines, count the installments it bills, emit `invoice.created`."""
        sid, currency = account["subscriber_id"], account["currency"]
        seq = self.next_seq("invoices")
        iid = invoice_id(seq)
        number = invoice_number(cycle.period_start, seq)
        self.db.execute(
            "INSERT INTO invoices (id, seq, number, subscriber_id, subservice_id, status, issued_on, due_on,"
            " period_start, period_end, total, amount_paid, currency) VALUES (?, ?, ?, ?, ?, 'OPEN', ?, ?, ?, ?,"
            " ?, 0, ?)",
            (
                iid,
                seq,
                number,
                sid,
                draft.subservice_id,
                as_of.isoformat(),
                due_on.isoformat(),
                cycle.period_start.isoformat(),
                cycle.period_end.isoformat(),
                draft.total,
                currency,
            ),
        )
        self.db.executemany(
            "INSERT INTO invoice_lines (invoice_id, position, subservice_id, description, amount,"
            " installment_plan_id) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (iid, pos, line.subservice_id, line.description, line.amount, line.installment_plan_id)
                for pos, line in enumerate(draft.lines)
            ],
        )
        billed = list(dict.fromkeys(line.subservice_id for line in draft.lines if line.subservice_id))
        if billed:
            self.db.execute(
                "UPDATE plan_adjustments SET invoice_id = ? WHERE subscriber_id = ? AND invoice_id IS NULL"
                f" AND subservice_id IN ({placeholders(billed)})",
                [iid, sid, *billed],
            )
        for line in draft.lines:
            if line.installment_plan_id:
                self.db.execute(
                    "UPDATE installment_plans SET billed_count = billed_count + 1,"
                    " next_due_on = COALESCE(next_due_on, ?) WHERE id = ?",
                    (due_on.isoformat(), line.installment_plan_id),
                )
        self.outbox.emit(
            "invoice.created",
            subscriber_id=sid,
            subservice_id=draft.subservice_id,
            data={
                "invoice_id": iid,
                "number": number,
                "status": "OPEN",
                "total": money(draft.total, currency),
                "due_on": due_on.isoformat(),
            },
        )
        return iid

    def _mark_overdue(self, as_of: date, subscriber_id: str | None) -> list[str]:
        sql = "SELECT * FROM invoices WHERE status = 'OPEN' AND due_on < ?"
        params: list[Any] = [as_of.isoformat()]
        if subscriber_id is not None:
            sql += " AND subscriber_id = ?"
            params.append(subscriber_id)
        rows = self.db.all(sql + " ORDER BY seq", params)
        if rows:
            ids = [r["id"] for r in rows]
            self.db.execute(f"UPDATE invoices SET status = 'OVERDUE' WHERE id IN ({placeholders(ids)})", ids)
        for r in rows:
            self.outbox.emit(
                "invoice.updated",
                subscriber_id=r["subscriber_id"],
                subservice_id=r["subservice_id"],
                data={
                    "invoice_id": r["id"],
                    "number": r["number"],
                    "status": "OVERDUE",
                    "amount_paid": money(r["amount_paid"], r["currency"]),
                    "balance": money(r["total"] - r["amount_paid"], r["currency"]),
                },
            )
        return [r["id"] for r in rows]

    def _beyond_grace(self, as_of: date, subscriber_id: str | None) -> list[tuple[str, str]]:
        """(sub-service id, invoice number) for each sub-service on an invoice overdue beyond grace whose
        dunning, if any, is over."""
        sql = (
            "SELECT l.subservice_id, i.id, i.number FROM invoices i"
            " JOIN accounts a USING (subscriber_id) JOIN invoice_lines l ON l.invoice_id = i.id"
            " WHERE i.status = 'OVERDUE' AND l.subservice_id IS NOT NULL"
            " AND date(i.due_on, '+' || a.grace_days || ' days') < ?"
        )
        params: list[Any] = [as_of.isoformat()]
        if subscriber_id is not None:
            sql += " AND i.subscriber_id = ?"
            params.append(subscriber_id)
        rows = self.db.all(sql + " ORDER BY l.subservice_id, i.number", params)
        waits = self.suspension_waits(list(dict.fromkeys(r["id"] for r in rows)))
        first: dict[str, str] = {}
        for r in rows:
            if r["id"] not in waits:
                first.setdefault(r["subservice_id"], r["number"])
        return list(first.items())

    def void_invoice(self, invoice_id: str) -> dict[str, Any]:
        """Void an unpaid invoice; voiding a void invoice is a no-op. Paid money is never voided away."""
        with self.db.transaction():
            invoice = self.require_invoice(invoice_id)
            if invoice["status"] == "VOID":
                return self.get_invoice(invoice_id)
            if invoice["status"] == "PAID":
                raise conflict("INVOICE_PAID", "a paid invoice cannot be voided")
            if invoice["amount_paid"] > 0:
                raise conflict("INVOICE_HAS_PAYMENTS", "a partly paid invoice cannot be voided")
            self.db.execute("UPDATE invoices SET status = 'VOID' WHERE id = ?", (invoice_id,))
            # Installments billed on it are billed again by the next run.
            for line in self.db.all(
                "SELECT installment_plan_id FROM invoice_lines WHERE invoice_id = ? AND installment_plan_id IS NOT NULL",
                (invoice_id,),
            ):
                self.db.execute(
                    "UPDATE installment_plans SET billed_count = MAX(billed_count - 1, paid_count) WHERE id = ?",
                    (line["installment_plan_id"],),
                )
            self.outbox.emit(
                "invoice.updated",
                subscriber_id=invoice["subscriber_id"],
                subservice_id=invoice["subservice_id"],
                data={
                    "invoice_id": invoice_id,
                    "number": invoice["number"],
                    "status": "VOID",
                    "amount_paid": money(0, invoice["currency"]),
                    "balance": money(0, invoice["currency"]),
                },
            )
            return self.get_invoice(invoice_id)
