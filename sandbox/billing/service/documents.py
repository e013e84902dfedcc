"""Invoice and statement PDFs: what Billing knows, laid out by `sandbox.billing.pdf`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sandbox.billing.config import ISP_ADDRESS, ISP_NAME, RECENT_DAYS
from sandbox.billing.pdf import (
    InvoiceDocument,
    PdfLine,
    StatementDocument,
    StatementSection,
    invoice_pdf,
    statement_pdf,
)
from sandbox.billing.service.base import BillingBase
from sandbox.billing.service.invoicing import attributed
from sandbox.common.db import placeholders
from sandbox.common.http import invalid
from sandbox.common.money import wire


class BillingDocuments(BillingBase):
    def invoice_pdf(self, invoice_id: str) -> bytes:
        invoice = self.require_invoice(invoice_id)
        account = self.require_account(invoice["subscriber_id"])
        labels = self._labels(invoice["subscriber_id"])
        lines = self.db.all(
            "SELECT * FROM invoice_lines WHERE invoice_id = ? ORDER BY position", (invoice_id,)
        )
        consolidated = invoice["subservice_id"] is None
        balance = 0 if invoice["status"] == "VOID" else invoice["total"] - invoice["amount_paid"]
        doc = InvoiceDocument(
            isp_name=ISP_NAME,
            isp_address=ISP_ADDRESS,
            invoice_number=invoice["number"],
            status=invoice["status"],
            subscriber_name=account["name"],
            account_number=account["account_number"],
            billing_address=account["address"],
            issued_on=date.fromisoformat(invoice["issued_on"]),
            due_on=date.fromisoformat(invoice["due_on"]),
            period_start=date.fromisoformat(invoice["period_start"]),
            period_end=date.fromisoformat(invoice["period_end"]),
            currency=invoice["currency"],
            lines=tuple(
                PdfLine(
                    # On a consolidated invoice each line says which service it is for.
                    f"{labels.get(line['subservice_id'], line['subservice_id'])}: {line['description']}"
                    if consolidated and line["subservice_id"]
                    else line["description"],
                    wire(line["amount"]),
                )
                for line in lines
            ),
            total=wire(invoice["total"]),
            amount_paid=wire(invoice["amount_paid"]),
            balance=wire(balance),
        )
        return invoice_pdf(doc)

    def statement_pdf(self, subscriber_id: str, subservice_ids: Sequence[str] | None = None) -> bytes:
        """Consolidated statement: per sub-service its lines on unpaid and recent invoices, then open invoices."""
        account = self.require_account(subscriber_id)
        labels = self._labels(subscriber_id)
        if subservice_ids is not None:
            unknown = [s for s in subservice_ids if s not in labels]
            if unknown or not subservice_ids:
                raise invalid("`subservice_ids` must list sub-services of this subscriber")
            chosen = list(dict.fromkeys(subservice_ids))
        else:
            chosen = list(labels)
        today = self.today()
        since = (today - timedelta(days=RECENT_DAYS)).isoformat()
        invoices = self.db.all(
            "SELECT * FROM invoices WHERE subscriber_id = ? AND status != 'VOID'"
            " AND (status IN ('OPEN', 'OVERDUE') OR issued_on >= ?) ORDER BY issued_on, seq",
            (subscriber_id, since),
        )
        by_id = {r["id"]: r for r in invoices}
        lines: dict[str, list[Any]] = defaultdict(list)
        if invoices and chosen:
            for line in self.db.all(
                f"SELECT * FROM invoice_lines WHERE invoice_id IN ({placeholders(list(by_id))})"
                f" AND subservice_id IN ({placeholders(chosen)}) ORDER BY id",
                [*by_id, *chosen],
            ):
                lines[line["subservice_id"]].append(line)
        sections = []
        owed_total = 0
        open_with_lines: dict[str, int] = defaultdict(int)
        for ssid in chosen:
            pdf_lines = []
            for line in lines[ssid]:
                inv = by_id[line["invoice_id"]]
                pdf_lines.append(PdfLine(f"{inv['number']} {line['description']}", wire(line["amount"])))
                if inv["status"] in ("OPEN", "OVERDUE"):
                    open_with_lines[inv["id"]] += line["amount"]
            subtotal = sum(line["amount"] for line in lines[ssid])
            sections.append(StatementSection(f"{labels[ssid]} ({ssid})", tuple(pdf_lines), wire(subtotal)))
        open_invoices = []
        for inv in invoices:
            if inv["status"] not in ("OPEN", "OVERDUE") or (
                subservice_ids is not None and inv["id"] not in open_with_lines
            ):
                continue
            balance = inv["total"] - inv["amount_paid"]
            if subservice_ids is not None:
                # Restricted: only the chosen sub-services' share of what is owed.
                balance = attributed(open_with_lines[inv["id"]], balance, inv["total"])
            owed_total += balance
            open_invoices.append((inv["number"], date.fromisoformat(inv["due_on"]), wire(balance)))
        doc = StatementDocument(
            isp_name=ISP_NAME,
            isp_address=ISP_ADDRESS,
            subscriber_name=account["name"],
            account_number=account["account_number"],
            generated_on=today,
            currency=account["currency"],
            sections=tuple(sections),
            open_invoices=tuple(open_invoices),
            total_outstanding=wire(owed_total),
            # A statement restricted to some sites is for a SITE user, who does not see the account's wallet.
            wallet_balance=wire(self.wallet_minor(subscriber_id)) if subservice_ids is None else None,
        )
        return statement_pdf(doc)

    def _labels(self, subscriber_id: str) -> dict[str, str]:
        return {
            r["subservice_id"]: r["label"]
            for r in self.db.all(
                "SELECT subservice_id, label FROM charges WHERE subscriber_id = ? ORDER BY rowid",
                (subscriber_id,),
            )
        }
