"""Invoices as the BFF reads them: by id, by subscriber, by sub-service, batch-first and wire-ready."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sandbox.billing.service.base import BillingBase
from sandbox.billing.store import invoice_dict
from sandbox.common.db import placeholders


class InvoiceReads(BillingBase):
    def invoice_dicts(self, rows: Sequence[Any]) -> list[dict[str, Any]]:
        """Wire form of invoice rows (order kept), with their lines fetched in one query."""
        ids = [r["id"] for r in rows]
        lines: dict[str, list[Any]] = defaultdict(list)
        if ids:
            for line in self.db.all(
                f"SELECT * FROM invoice_lines WHERE invoice_id IN ({placeholders(ids)}) ORDER BY invoice_id, position",
                ids,
            ):
                lines[line["invoice_id"]].append(line)
        return [invoice_dict(r, lines[r["id"]]) for r in rows]

    def get_invoice(self, invoice_id: str) -> dict[str, Any]:
        return self.invoice_dicts([self.require_invoice(invoice_id)])[0]

    def invoices(self, invoice_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Invoices by id, in the order asked; unknown ids are omitted."""
        if not invoice_ids:
            return []
        rows = self.db.all(
            f"SELECT * FROM invoices WHERE id IN ({placeholders(invoice_ids)})", list(invoice_ids)
        )
        by_id = {r["id"]: r for r in rows}
        return self.invoice_dicts([by_id[i] for i in invoice_ids if i in by_id])

    def invoices_for_subscribers(
        self, subscriber_ids: Sequence[str], status: str | None = None
    ) -> list[dict[str, Any]]:
        """Invoices of these subscribers, newest first."""
        if not subscriber_ids:
            return []
        sql = f"SELECT * FROM invoices WHERE subscriber_id IN ({placeholders(subscriber_ids)})"
        params: list[Any] = list(subscriber_ids)
        if status:
            sql += " AND status = ?"
            params.append(status)
        return self.invoice_dicts(self.db.all(sql + " ORDER BY issued_on DESC, seq DESC", params))

    def invoices_for_subservices(
        self, subservice_ids: Sequence[str], status: str | None = None
    ) -> list[dict[str, Any]]:
        """Invoices that have a line for any of these sub-services, newest first."""
        if not subservice_ids:
            return []
        sql = (
            "SELECT * FROM invoices WHERE id IN (SELECT invoice_id FROM invoice_lines"
            f" WHERE subservice_id IN ({placeholders(subservice_ids)}))"
        )
        params: list[Any] = list(subservice_ids)
        if status:
            sql += " AND status = ?"
            params.append(status)
        return self.invoice_dicts(self.db.all(sql + " ORDER BY issued_on DESC, seq DESC", params))
