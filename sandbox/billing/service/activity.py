"""Payments as receipts, and the account's activity over a period: what the statement lists line by line.

The statement's balance is what the account owes net of its wallet (positive: owed; negative: in credit), so
that every movement of money between the subscriber and the ISP shows once:

- an invoice is a CHARGE of its positive lines, and each negative line on it (a proration credit for the
  unused days of a plan) a CREDIT;
- a payment by card, bank transfer or gateway is a PAYMENT of what it applied to its invoice; what exceeded
  the invoice went to the wallet and shows as the OVERPAYMENT credit the wallet recorded;
- wallet credits (top-ups, promotions, gift cards, compensation, overpayments) are CREDITs, and what the
  wallet paid for outside invoices (renewals, add-ons) is a CHARGE;
- paying an invoice from the wallet moves money inside the account (the wallet's credit was counted when it
  arrived), so neither its payment nor its wallet entry is a line. Its receipt still exists.

So the closing balance at today equals the account's outstanding minus its wallet balance (a test holds it).
A statement restricted to some sub-services (a SITE user's) has their invoice lines and their share of each
payment on those invoices, and no wallet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sandbox.billing.config import MAX_ACTIVITY_DAYS, RECENT_DAYS
from sandbox.billing.service.base import BillingBase
from sandbox.billing.service.invoicing import attributed
from sandbox.billing.store import payment_dict
from sandbox.common.db import placeholders
from sandbox.common.http import invalid, money, not_found

WALLET_CREDITS = ("TOPUP", "PROMO", "GIFT_CARD", "COMPENSATION", "OVERPAYMENT")
WALLET_CHARGES = ("RENEWAL", "ADD_ON")
# Within one day: charges first, then payments, then credits (a bill, then what settled it).
_ORDER = {"CHARGE": 0, "PAYMENT": 1, "CREDIT": 2}


@dataclass(frozen=True)
class Movement:
    on: date
    kind: str  # CHARGE | PAYMENT | CREDIT
    description: str
    reference: str  # the invoice number, receipt number or wallet entry id
    amount: int  # signed effect on the balance, minor units
    order: int  # the source row's sequence, for a stable order within a day


def period(start: str | None, end: str | None, today: date) -> tuple[date, date]:
    """The asked period (default: the last RECENT_DAYS days to today), at most MAX_ACTIVITY_DAYS long."""
    try:
        last = date.fromisoformat(end) if end else today
        first = date.fromisoformat(start) if start else last - timedelta(days=RECENT_DAYS)
    except ValueError:
        raise invalid("`from` and `to` are dates (YYYY-MM-DD)", "PERIOD_INVALID") from None
    if first > last:
        raise invalid("`from` is after `to`", "PERIOD_INVALID")
    if (last - first).days + 1 > MAX_ACTIVITY_DAYS:
        raise invalid(f"the period is longer than {MAX_ACTIVITY_DAYS} days", "PERIOD_INVALID")
    return first, last


class BillingActivity(BillingBase):
    # ---- payments and receipts -------------------------------------------------------------------------
    def payments_of(self, subscriber_id: str, start: date, end: date) -> list[dict[str, Any]]:
        """The account's payments recorded within [start, end], newest first, each with its invoice's
        number and sub-service (what a receipt and its visibility need)."""
        self.require_account(subscriber_id)
        rows = self.db.all(
            "SELECT p.*, i.number AS invoice_number, i.subservice_id AS invoice_subservice_id"
            " FROM payments p JOIN invoices i ON i.id = p.invoice_id"
            " WHERE i.subscriber_id = ? AND substr(p.recorded_at, 1, 10) BETWEEN ? AND ?"
            " ORDER BY p.seq DESC",
            (subscriber_id, start.isoformat(), end.isoformat()),
        )
        return [_payment_with_invoice(r, subscriber_id) for r in rows]

    def payments_for_invoices(self, invoice_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The payments of these invoices, oldest first (unknown ids simply have none)."""
        ids = list(dict.fromkeys(invoice_ids))
        if not ids:
            return []
        rows = self.db.all(
            "SELECT p.*, i.number AS invoice_number, i.subservice_id AS invoice_subservice_id,"
            " i.subscriber_id AS subscriber_id FROM payments p JOIN invoices i ON i.id = p.invoice_id"
            f" WHERE p.invoice_id IN ({placeholders(ids)}) ORDER BY p.seq",
            ids,
        )
        return [_payment_with_invoice(r, r["subscriber_id"]) for r in rows]

    def payment(self, payment_id: str) -> dict[str, Any]:
        row = self.db.one(
            "SELECT p.*, i.number AS invoice_number, i.subservice_id AS invoice_subservice_id,"
            " i.subscriber_id AS subscriber_id FROM payments p JOIN invoices i ON i.id = p.invoice_id"
            " WHERE p.id = ?",
            (payment_id,),
        )
        if row is None:
            raise not_found("payment")
        return _payment_with_invoice(row, row["subscriber_id"])

    # ---- the statement's lines ---------------------------------------------------------------------------
    def activity(
        self, subscriber_id: str, start: date, end: date, subservice_ids: Sequence[str] | None = None
    ) -> dict[str, Any]:
        """Opening balance at `start`, every movement within [start, end] with the running balance, and the
        closing balance; restricted to `subservice_ids` when given (see the module)."""
        account = self.require_account(subscriber_id)
        currency = account["currency"]
        chosen = self._chosen(subscriber_id, subservice_ids)
        movements = self._invoice_movements(subscriber_id, chosen, end)
        if chosen is None:
            movements += self._wallet_movements(subscriber_id, end)
        movements.sort(key=lambda m: (m.on, _ORDER[m.kind], m.order))
        opening = sum(m.amount for m in movements if m.on < start)
        balance, lines = opening, []
        totals = {"CHARGE": 0, "PAYMENT": 0, "CREDIT": 0}
        for m in movements:
            if m.on < start:
                continue
            balance += m.amount
            totals[m.kind] += m.amount
            lines.append(
                {
                    "date": m.on.isoformat(),
                    "kind": m.kind,
                    "description": m.description,
                    "reference": m.reference,
                    "amount": money(m.amount, currency),
                    "balance": money(balance, currency),
                }
            )
        return {
            "subscriber_id": subscriber_id,
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
            "opening_balance": money(opening, currency),
            "charges": money(totals["CHARGE"], currency),
            "payments": money(totals["PAYMENT"], currency),
            "credits": money(totals["CREDIT"], currency),
            "closing_balance": money(balance, currency),
            "lines": lines,
        }

    def _chosen(self, subscriber_id: str, subservice_ids: Sequence[str] | None) -> list[str] | None:
        if subservice_ids is None:
            return None
        known = {
            r["subservice_id"]
            for r in self.db.all(
                "SELECT subservice_id FROM charges WHERE subscriber_id = ?", (subscriber_id,)
            )
        }
        if not subservice_ids or any(s not in known for s in subservice_ids):
            raise invalid("`subservice_ids` must list sub-services of this subscriber")
        return list(dict.fromkeys(subservice_ids))

    def _invoice_movements(self, subscriber_id: str, chosen: list[str] | None, end: date) -> list[Movement]:
        invoices = self.db.all(
            "SELECT * FROM invoices WHERE subscriber_id = ? AND status != 'VOID' AND issued_on <= ?",
            (subscriber_id, end.isoformat()),
        )
        if not invoices:
            return []
        ids = [r["id"] for r in invoices]
        sql = f"SELECT * FROM invoice_lines WHERE invoice_id IN ({placeholders(ids)})"
        args: list[Any] = list(ids)
        if chosen is not None:
            sql += f" AND subservice_id IN ({placeholders(chosen)})"
            args += chosen
        lines: dict[str, list[Any]] = defaultdict(list)
        for line in self.db.all(sql + " ORDER BY invoice_id, position", args):
            lines[line["invoice_id"]].append(line)
        out: list[Movement] = []
        mine: dict[str, int] = {}
        for inv in invoices:
            own = lines.get(inv["id"], [])
            if chosen is not None and not own:
                continue
            mine[inv["id"]] = sum(line["amount"] for line in own)
            issued, number = date.fromisoformat(inv["issued_on"]), inv["number"]
            charged = sum(line["amount"] for line in own if line["amount"] > 0)
            if charged:
                out.append(Movement(issued, "CHARGE", f"Invoice {number}", number, charged, inv["seq"]))
            for line in own:
                if line["amount"] < 0:
                    out.append(
                        Movement(issued, "CREDIT", line["description"], number, line["amount"], inv["seq"])
                    )
        by_id = {r["id"]: r for r in invoices}
        payments = self.db.all(
            f"SELECT * FROM payments WHERE invoice_id IN ({placeholders(list(mine))})"
            " AND method != 'WALLET' AND substr(recorded_at, 1, 10) <= ?",
            [*mine, end.isoformat()],
        )
        for p in payments:
            inv = by_id[p["invoice_id"]]
            applied = p["applied"]
            if chosen is not None:
                applied = attributed(mine[inv["id"]], applied, inv["total"])
            if applied:
                out.append(
                    Movement(
                        date.fromisoformat(p["recorded_at"][:10]),
                        "PAYMENT",
                        f"Invoice {inv['number']}, {method_text(p)}",
                        payment_dict(p, subscriber_id)["receipt_number"],
                        -applied,
                        p["seq"],
                    )
                )
        return out

    def _wallet_movements(self, subscriber_id: str, end: date) -> list[Movement]:
        kinds = (*WALLET_CREDITS, *WALLET_CHARGES)
        rows = self.db.all(
            f"SELECT * FROM wallet_entries WHERE subscriber_id = ? AND kind IN ({placeholders(kinds)})"
            " AND substr(created_at, 1, 10) <= ?",
            [subscriber_id, *kinds, end.isoformat()],
        )
        # A wallet credit lowers what is owed (its entry is positive); a wallet charge raises it.
        return [
            Movement(
                date.fromisoformat(r["created_at"][:10]),
                "CREDIT" if r["kind"] in WALLET_CREDITS else "CHARGE",
                r["description"],
                r["id"],
                -r["amount"],
                r["seq"],
            )
            for r in rows
        ]


def method_text(payment: Any) -> str:
    """How a payment was made, as documents print it: a card's brand and last four digits only."""
    kind = payment["method"]
    if kind == "CARD":
        brand, last4 = payment["card_brand"], payment["card_last4"]
        if brand and last4:
            return f"{str(brand).upper()} **** {last4}"
        return "Card"
    return {"WALLET": "Wallet", "BANK_TRANSFER": "Bank transfer", "GATEWAY": "Online payment"}.get(
        kind, str(kind)
    )


def _payment_with_invoice(row: Any, subscriber_id: str) -> dict[str, Any]:
    return {
        **payment_dict(row, subscriber_id),
        "invoice_number": row["invoice_number"],
        "invoice_subservice_id": row["invoice_subservice_id"],
    }
