"""Invoice and statement PDFs: what Billing knows, laid out by `sandbox.billing.pdf`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sandbox.billing.config import ISP_ADDRESS, RECENT_DAYS, UNPAID
from sandbox.billing.pdf import (
    ActivityLine,
    InvoiceDocument,
    PdfLine,
    ReceiptDocument,
    StatementActivity,
    StatementDocument,
    StatementSection,
    invoice_pdf,
    receipt_pdf,
    statement_pdf,
)
from sandbox.billing.pdf.words import language
from sandbox.billing.service.activity import BillingActivity, method_text
from sandbox.billing.service.invoicing import attributed
from sandbox.common.db import placeholders
from sandbox.common.http import invalid
from sandbox.common.money import wire


class BillingDocuments(BillingActivity):
    def invoice_pdf(self, invoice_id: str, locale: str | None = None) -> bytes:
        """`locale`: the language to print it in (en, es, pt; English otherwise)."""
        invoice = self.require_invoice(invoice_id)
        currency = invoice["currency"]
        account = self.require_account(invoice["subscriber_id"])
        labels = self._labels(invoice["subscriber_id"])
        lines = self.db.all(
            "SELECT * FROM invoice_lines WHERE invoice_id = ? ORDER BY position", (invoice_id,)
        )
        consolidated = invoice["subservice_id"] is None
        balance = 0 if invoice["status"] == "VOID" else invoice["total"] - invoice["amount_paid"]
        doc = InvoiceDocument(
            isp_name=self.brand.name,
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
            currency=currency,
            lines=tuple(
                PdfLine(
                    # On a consolidated invoice each line says which service it is for.
                    f"{labels.get(line['subservice_id'], line['subservice_id'])}: {line['description']}"
                    if consolidated and line["subservice_id"]
                    else line["description"],
                    wire(line["amount"], currency),
                )
                for line in lines
            ),
            total=wire(invoice["total"], currency),
            amount_paid=wire(invoice["amount_paid"], currency),
            balance=wire(balance, currency),
            brand=self.brand,
            locale=language(locale),
        )
        return invoice_pdf(doc)

    def receipt_pdf(self, payment_id: str) -> bytes:
        payment = self.payment(payment_id)
        row = self.db.one("SELECT * FROM payments WHERE id = ?", (payment_id,))
        assert row is not None  # `payment` found it
        account = self.require_account(payment["subscriber_id"])
        currency = payment["amount"]["currency"]
        credit = row["amount"] - row["applied"]
        doc = ReceiptDocument(
            isp_name=self.brand.name,
            isp_address=ISP_ADDRESS,
            receipt_number=payment["receipt_number"],
            subscriber_name=account["name"],
            account_number=account["account_number"],
            billing_address=account["address"],
            paid_on=date.fromisoformat(row["recorded_at"][:10]),
            currency=currency,
            amount=payment["amount"]["amount"],
            method=method_text(row),
            invoices=(PdfLine(payment["invoice_number"], payment["applied"]["amount"]),),
            wallet_credit=wire(credit, currency) if credit else None,
            reference=payment["id"],
            brand=self.brand,
        )
        return receipt_pdf(doc)

    def statement_pdf(
        self,
        subscriber_id: str,
        subservice_ids: Sequence[str] | None = None,
        start: date | None = None,
        end: date | None = None,
        locale: str | None = None,
    ) -> bytes:
        """Consolidated statement: the period's activity (charges, payments, credits with the running
        balance), per sub-service its lines on unpaid and recent invoices, then open invoices; printed in `locale`.

        Restricted to some sub-services (a SITE user's statement), it shows only their share of what is owed
        and leaves out the account's wallet, which such a user does not see."""
        account = self.require_account(subscriber_id)
        currency = account["currency"]
        labels = self._labels(subscriber_id)
        if subservice_ids is not None:
            unknown = [s for s in subservice_ids if s not in labels]
            if unknown or not subservice_ids:
                raise invalid("`subservice_ids` must list sub-services of this subscriber")
            chosen = list(dict.fromkeys(subservice_ids))
        else:
            chosen = list(labels)
        chosen_ids = chosen if subservice_ids is not None else None
        today = self.today()
        invoices = self.db.all(
            "SELECT * FROM invoices WHERE subscriber_id = ? AND status != 'VOID'"
            " AND (status IN ('OPEN', 'OVERDUE') OR issued_on >= ?) ORDER BY issued_on, seq",
            (subscriber_id, (today - timedelta(days=RECENT_DAYS)).isoformat()),
        )
        lines = self._lines_by_subservice(invoices, chosen)
        by_id = {r["id"]: r for r in invoices}
        sections = [_section(f"{labels[ssid]} ({ssid})", lines[ssid], by_id, currency) for ssid in chosen]
        restricted = subservice_ids is not None
        open_invoices, owed_total = _open_balances(invoices, lines, restricted, currency)
        doc = StatementDocument(
            isp_name=self.brand.name,
            isp_address=ISP_ADDRESS,
            subscriber_name=account["name"],
            account_number=account["account_number"],
            generated_on=today,
            currency=currency,
            sections=tuple(sections),
            open_invoices=tuple(open_invoices),
            total_outstanding=wire(owed_total, currency),
            wallet_balance=None if restricted else wire(self.wallet_minor(subscriber_id), currency),
            brand=self.brand,
            locale=language(locale),
            activity=_activity(
                self.activity(
                    subscriber_id, start or today - timedelta(days=RECENT_DAYS), end or today, chosen_ids
                )
            ),
        )
        return statement_pdf(doc)

    def _lines_by_subservice(self, invoices: Sequence[Any], chosen: Sequence[str]) -> dict[str, list[Any]]:
        """The chosen sub-services' lines on these invoices, in the order they were billed."""
        lines: dict[str, list[Any]] = defaultdict(list)
        if invoices and chosen:
            ids = [r["id"] for r in invoices]
            for line in self.db.all(
                f"SELECT * FROM invoice_lines WHERE invoice_id IN ({placeholders(ids)})"
                f" AND subservice_id IN ({placeholders(chosen)}) ORDER BY id",
                [*ids, *chosen],
            ):
                lines[line["subservice_id"]].append(line)
        return lines

    def _labels(self, subscriber_id: str) -> dict[str, str]:
        return {
            r["subservice_id"]: r["label"]
            for r in self.db.all(
                "SELECT subservice_id, label FROM charges WHERE subscriber_id = ? ORDER BY rowid",
                (subscriber_id,),
            )
        }


def _section(title: str, lines: Sequence[Any], invoices: dict[str, Any], currency: str) -> StatementSection:
    pdf_lines = tuple(
        PdfLine(
            f"{invoices[line['invoice_id']]['number']} {line['description']}", wire(line["amount"], currency)
        )
        for line in lines
    )
    return StatementSection(title, pdf_lines, wire(sum(line["amount"] for line in lines), currency))


def _open_balances(
    invoices: Sequence[Any], lines: dict[str, list[Any]], restricted: bool, currency: str
) -> tuple[list[tuple[str, date, str]], int]:
    """(number, due date, balance) of each open invoice, and their sum. Restricted to some sub-services,
    only the invoices with their lines count, each for those lines' share of its balance."""
    mine: dict[str, int] = defaultdict(int)
    for subservice_lines in lines.values():
        for line in subservice_lines:
            mine[line["invoice_id"]] += line["amount"]
    rows, owed = [], 0
    for inv in invoices:
        if inv["status"] not in UNPAID or (restricted and inv["id"] not in mine):
            continue
        balance = inv["total"] - inv["amount_paid"]
        if restricted:
            balance = attributed(mine[inv["id"]], balance, inv["total"])
        owed += balance
        rows.append((inv["number"], date.fromisoformat(inv["due_on"]), wire(balance, currency)))
    return rows, owed


def _activity(found: dict[str, Any]) -> StatementActivity:
    """The activity's wire form (`BillingActivity.activity`), as the statement prints it."""
    return StatementActivity(
        period_start=date.fromisoformat(found["period_start"]),
        period_end=date.fromisoformat(found["period_end"]),
        opening_balance=found["opening_balance"]["amount"],
        charges=found["charges"]["amount"],
        payments=found["payments"]["amount"],
        credits=found["credits"]["amount"],
        closing_balance=found["closing_balance"]["amount"],
        lines=tuple(
            ActivityLine(
                date.fromisoformat(line["date"]),
                line["kind"],
                line["description"],
                line["amount"]["amount"],
                line["balance"]["amount"],
            )
            for line in found["lines"]
        ),
    )
