"""Accounts, sub-service charges, wallets and installment plans as the BFF reads them: batch-first, in the
order asked, wire-ready."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sandbox.billing.config import MAX_PAGE
from sandbox.billing.service.base import BillingBase
from sandbox.billing.service.cycle import cycle_containing
from sandbox.billing.service.invoicing import attributed
from sandbox.billing.store import entry_dict, installment_dict
from sandbox.common.db import placeholders
from sandbox.common.http import invalid, money, not_found
from sandbox.common.window import Window
from sandbox.world.inventory import natural_key


class AccountReads(BillingBase):
    # ---- accounts and sub-services ---------------------------------------------------------------------
    def _wallets_minor(self, subscriber_ids: Sequence[str]) -> dict[str, int]:
        rows = self.db.all(
            "SELECT subscriber_id, SUM(amount) AS balance FROM wallet_entries"
            f" WHERE subscriber_id IN ({placeholders(subscriber_ids)}) GROUP BY subscriber_id",
            list(subscriber_ids),
        )
        return {r["subscriber_id"]: int(r["balance"]) for r in rows}

    def accounts(self, subscriber_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Account summaries for known subscribers, in the order asked."""
        if not subscriber_ids:
            return []
        marks = placeholders(subscriber_ids)
        params = list(subscriber_ids)
        rows = {
            r["subscriber_id"]: r
            for r in self.db.all(f"SELECT * FROM accounts WHERE subscriber_id IN ({marks})", params)
        }
        owed = {
            r["subscriber_id"]: r
            for r in self.db.all(
                "SELECT subscriber_id, SUM(total - amount_paid) AS outstanding,"
                " SUM(CASE WHEN status = 'OVERDUE' THEN total - amount_paid ELSE 0 END) AS overdue,"
                " MIN(CASE WHEN total > amount_paid THEN due_on END) AS next_due_on"
                f" FROM invoices WHERE status IN ('OPEN', 'OVERDUE') AND subscriber_id IN ({marks})"
                " GROUP BY subscriber_id",
                params,
            )
        }
        wallets = self._wallets_minor(subscriber_ids)
        monthly: dict[str, int] = defaultdict(int)
        for r in self.db.all(
            "SELECT subscriber_id, SUM(monthly_price) AS price FROM charges"
            f" WHERE subscriber_id IN ({marks}) GROUP BY subscriber_id",
            params,
        ):
            monthly[r["subscriber_id"]] += int(r["price"])
        for r in self.db.all(
            "SELECT c.subscriber_id, SUM(a.monthly_price) AS price FROM charge_addons a"
            f" JOIN charges c USING (subservice_id) WHERE c.subscriber_id IN ({marks}) GROUP BY c.subscriber_id",
            params,
        ):
            monthly[r["subscriber_id"]] += int(r["price"])
        today = self.today()
        items = []
        for sid in subscriber_ids:
            row = rows.get(sid)
            if row is None:
                continue
            cur = row["currency"]
            debt = owed.get(sid)
            items.append(
                {
                    "subscriber_id": sid,
                    "account_number": row["account_number"],
                    "name": row["name"],
                    "address": row["address"],
                    "currency": cur,
                    "invoice_mode": row["invoice_mode"],
                    "billing_day": row["billing_day"],
                    "grace_days": row["grace_days"],
                    "autopay": bool(row["autopay"]),
                    "default_payment_method_id": row["default_payment_method_id"],
                    "gateway_customer_id": row["gateway_customer_id"],
                    "cycle": cycle_containing(today, row["billing_day"]).wire(),
                    "outstanding": money(int(debt["outstanding"]) if debt else 0, cur),
                    "overdue": money(int(debt["overdue"]) if debt else 0, cur),
                    "next_due_on": debt["next_due_on"] if debt else None,
                    "wallet_balance": money(wallets.get(sid, 0), cur),
                    "monthly_charges": money(monthly[sid], cur),
                }
            )
        return items

    def account(self, subscriber_id: str) -> dict[str, Any]:
        found = self.accounts([subscriber_id])
        if not found:
            raise not_found("billing account")
        return found[0]

    def subservice_billing(self, subservice_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Per sub-service: its monthly charge, what it owes, its cycle and open invoices."""
        if not subservice_ids:
            return []
        marks = placeholders(subservice_ids)
        params = list(subservice_ids)
        charges = self.db.all(
            "SELECT c.*, a.billing_day, a.currency FROM charges c JOIN accounts a USING (subscriber_id)"
            f" WHERE c.subservice_id IN ({marks})",
            params,
        )
        by_id = {r["subservice_id"]: r for r in charges}
        addons: dict[str, list[Any]] = defaultdict(list)
        for r in self.db.all(
            f"SELECT * FROM charge_addons WHERE subservice_id IN ({marks}) ORDER BY id", params
        ):
            addons[r["subservice_id"]].append(r)
        adjustments: dict[str, list[Any]] = defaultdict(list)
        for r in self.db.all(
            f"SELECT * FROM plan_adjustments WHERE invoice_id IS NULL AND subservice_id IN ({marks}) ORDER BY id",
            params,
        ):
            adjustments[r["subservice_id"]].append(r)
        owed: dict[str, int] = defaultdict(int)
        open_ids: dict[str, list[str]] = defaultdict(list)
        for r in self.db.all(
            "SELECT l.subservice_id, l.invoice_id, SUM(l.amount) AS line_sum, i.total, i.amount_paid"
            " FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id"
            f" WHERE l.subservice_id IN ({marks}) AND i.status IN ('OPEN', 'OVERDUE')"
            " GROUP BY l.subservice_id, l.invoice_id ORDER BY i.due_on, i.seq",
            params,
        ):
            owed[r["subservice_id"]] += attributed(
                int(r["line_sum"]), r["total"] - r["amount_paid"], r["total"]
            )
            open_ids[r["subservice_id"]].append(r["invoice_id"])
        today = self.today()
        items = []
        for ssid in subservice_ids:
            row = by_id.get(ssid)
            if row is None:
                continue
            cur = row["currency"]
            lines = [{"description": row["description"], "amount": money(row["monthly_price"], cur)}]
            lines += [
                {"description": a["description"], "amount": money(a["monthly_price"], cur)}
                for a in addons[ssid]
            ]
            monthly = row["monthly_price"] + sum(a["monthly_price"] for a in addons[ssid])
            prepaid = bool(row["prepaid"])
            cycle = None if prepaid else cycle_containing(today, row["billing_day"]).wire()
            items.append(
                {
                    "subservice_id": ssid,
                    "subscriber_id": row["subscriber_id"],
                    "description": row["description"],
                    "monthly_charge": money(monthly, cur),
                    "charge_lines": lines,
                    "outstanding": money(owed[ssid], cur),
                    "cycle": cycle,
                    "next_invoice_on": cycle["next_invoice_on"] if cycle else None,
                    "open_invoice_ids": open_ids[ssid],
                    "prepaid": prepaid,
                    "expires_at": row["expires_at"],
                    "next_invoice_adjustments": [
                        {"description": a["description"], "amount": money(a["amount"], cur)}
                        for a in adjustments[ssid]
                    ],
                }
            )
        return items

    def subservices_in(self, window: Window) -> list[str]:
        """The ids of a window of the sub-services billed to one subscriber (`sandbox.common.window`)."""
        rows = self.db.all(
            "SELECT subservice_id FROM charges WHERE subscriber_id = ?", (window.subscriber_id,)
        )
        return window.of([r[0] for r in rows])

    def subservices_of_account(self, subscriber_id: str) -> list[dict[str, Any]]:
        """Every sub-service billed to the account (prepaid ones too), as invoices print them, in the order
        the CRM lists them (natural order of the ids). 404 for an unknown account."""
        self.require_account(subscriber_id)
        rows = self.db.all("SELECT * FROM charges WHERE subscriber_id = ?", (subscriber_id,))
        return [_billed(r) for r in sorted(rows, key=lambda r: natural_key(r["subservice_id"]))]

    def billed_subservices(self, subservice_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The billed sub-services with these ids, in the order asked (unknown ids omitted)."""
        if not subservice_ids:
            return []
        rows = {
            r["subservice_id"]: r
            for r in self.db.all(
                f"SELECT * FROM charges WHERE subservice_id IN ({placeholders(subservice_ids)})",
                list(subservice_ids),
            )
        }
        return [_billed(rows[i]) for i in dict.fromkeys(subservice_ids) if i in rows]

    def monthly_charge_minor(self, subservice_id: str) -> int:
        return int(
            self.db.scalar(
                "SELECT c.monthly_price + COALESCE((SELECT SUM(monthly_price) FROM charge_addons a"
                " WHERE a.subservice_id = c.subservice_id), 0) FROM charges c WHERE c.subservice_id = ?",
                (subservice_id,),
            )
            or 0
        )

    # ---- wallet --------------------------------------------------------------------------------------
    def wallets(self, subscriber_ids: Sequence[str]) -> list[dict[str, Any]]:
        if not subscriber_ids:
            return []
        known = {
            r["subscriber_id"]: r["currency"]
            for r in self.db.all(
                f"SELECT subscriber_id, currency FROM accounts WHERE subscriber_id IN ({placeholders(subscriber_ids)})",
                list(subscriber_ids),
            )
        }
        balances = self._wallets_minor(subscriber_ids)
        return [
            {"subscriber_id": sid, "balance": money(balances.get(sid, 0), known[sid])}
            for sid in subscriber_ids
            if sid in known
        ]

    def wallet_transactions(
        self, subscriber_id: str, limit: int = 20, before: str | None = None
    ) -> dict[str, Any]:
        """Ledger entries newest first; `next_cursor` continues after the last item."""
        account = self.require_account(subscriber_id)
        if not 1 <= limit <= MAX_PAGE:
            raise invalid(f"`limit` must be between 1 and {MAX_PAGE}")
        sql = "SELECT * FROM wallet_entries WHERE subscriber_id = ?"
        params: list[Any] = [subscriber_id]
        if before is not None:
            if not (before.isascii() and before.isdigit()) or len(before) > 12:
                raise invalid("`before` is not a cursor this API issued", "INVALID_CURSOR")
            sql += " AND seq < ?"
            params.append(int(before))
        rows = self.db.all(sql + " ORDER BY seq DESC LIMIT ?", [*params, limit + 1])
        total = int(
            self.db.scalar("SELECT COUNT(*) FROM wallet_entries WHERE subscriber_id = ?", (subscriber_id,))
        )
        page = rows[:limit]
        cur = account["currency"]
        return {
            "items": [entry_dict(r, cur) for r in page],
            "next_cursor": str(page[-1]["seq"]) if len(rows) > limit else None,
            "total_count": total,
            "balance": money(self.wallet_minor(subscriber_id), cur),
        }

    # ---- installments ----------------------------------------------------------------------------------
    def installments(self, subservice_ids: Sequence[str]) -> list[dict[str, Any]]:
        if not subservice_ids:
            return []
        rows = self.db.all(
            "SELECT p.*, a.currency FROM installment_plans p JOIN accounts a USING (subscriber_id)"
            f" WHERE p.subservice_id IN ({placeholders(subservice_ids)}) ORDER BY p.subservice_id, p.id",
            list(subservice_ids),
        )
        return [installment_dict(r) for r in rows]

    # ---- operator ----------------------------------------------------------------------------------------
    def ops_accounts(self) -> list[dict[str, Any]]:
        ids = [
            r["subscriber_id"]
            for r in self.db.all("SELECT subscriber_id FROM accounts ORDER BY subscriber_id")
        ]
        names = {
            r["subscriber_id"]: r["name"] for r in self.db.all("SELECT subscriber_id, name FROM accounts")
        }
        return [
            {
                "subscriber_id": a["subscriber_id"],
                "account_number": a["account_number"],
                "name": names[a["subscriber_id"]],
                "invoice_mode": a["invoice_mode"],
                "autopay": a["autopay"],
                "outstanding": a["outstanding"],
                "overdue": a["overdue"],
                "wallet_balance": a["wallet_balance"],
            }
            for a in self.accounts(ids)
        ]


def _billed(row: Any) -> dict[str, Any]:
    return {
        "subservice_id": row["subservice_id"],
        "subscriber_id": row["subscriber_id"],
        "kind": row["kind"],
        "label": row["label"],
        "location": row["location"],
        "activated_on": row["activated_on"],
        "plan": row["description"],
    }
