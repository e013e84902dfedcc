"""Recording payments against invoices, and paying invoices from the wallet.

Both are idempotent: a payment by its external reference (the gateway's id), a wallet payment by the
caller's idempotency key. The UNIQUE constraint on `payments.external_ref` plus one transaction per call
means concurrent duplicates produce exactly one payment.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from decimal import Decimal
from typing import Any

from sandbox.billing.service.base import idempotency_conflict
from sandbox.billing.service.cycle import add_months
from sandbox.billing.service.invoice_reads import InvoiceReads
from sandbox.billing.store import payment_dict
from sandbox.common import clock
from sandbox.common.http import conflict, invalid, money, not_found
from sandbox.common.money import wire


class BillingPayments(InvoiceReads):
    def settle(self, invoice: Any, applied: int) -> None:
        """Apply `applied` (minor units) to an invoice; PAID when nothing remains. Call inside a transaction."""
        paid = invoice["amount_paid"] + applied
        status = "PAID" if paid >= invoice["total"] else invoice["status"]
        self.db.execute(
            "UPDATE invoices SET amount_paid = ?, status = ? WHERE id = ?", (paid, status, invoice["id"])
        )
        if status == "PAID" and invoice["status"] != "PAID":
            # An installment counts as paid when the invoice that billed it is paid.
            for line in self.db.all(
                "SELECT installment_plan_id FROM invoice_lines WHERE invoice_id = ? AND installment_plan_id IS NOT NULL",
                (invoice["id"],),
            ):
                plan = self.db.one(
                    "SELECT * FROM installment_plans WHERE id = ?", (line["installment_plan_id"],)
                )
                if plan is None or plan["paid_count"] >= plan["count"]:
                    continue
                count = plan["paid_count"] + 1
                next_due = None
                if count < plan["count"] and plan["next_due_on"]:
                    next_due = add_months(date.fromisoformat(plan["next_due_on"]), 1).isoformat()
                self.db.execute(
                    "UPDATE installment_plans SET paid_count = ?, next_due_on = ? WHERE id = ?",
                    (count, next_due, plan["id"]),
                )
        self.outbox.emit(
            "invoice.updated",
            subscriber_id=invoice["subscriber_id"],
            subservice_id=invoice["subservice_id"],
            data={
                "invoice_id": invoice["id"],
                "number": invoice["number"],
                "status": status,
                "amount_paid": money(paid, invoice["currency"]),
                "balance": money(invoice["total"] - paid, invoice["currency"]),
            },
        )

    def _card_charged(self, external_ref: str) -> tuple[str | None, str | None]:
        """The brand and last four digits of the stored card an autopay charge took this payment from (its
        gateway payment is the external reference); unknown for a card typed on the hosted page."""
        row = self.db.one(
            "SELECT m.brand, m.last4 FROM autopay_attempts a JOIN payment_methods m ON m.id = a.payment_method_id"
            " WHERE a.payment_intent_id = ? AND a.outcome = 'SUCCEEDED'",
            (external_ref,),
        )
        return (row["brand"], row["last4"]) if row is not None else (None, None)

    def _insert_payment(
        self, external_ref: str, invoice: Any, amount: int, applied: int, method: str
    ) -> dict[str, Any]:
        seq = self.next_seq("payments")
        payment_id = f"pay_{seq:07d}"
        brand, last4 = self._card_charged(external_ref) if method == "CARD" else (None, None)
        self.db.execute(
            "INSERT INTO payments (id, seq, external_ref, invoice_id, amount, applied, currency, method, recorded_at,"
            " card_brand, card_last4) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                payment_id,
                seq,
                external_ref,
                invoice["id"],
                amount,
                applied,
                invoice["currency"],
                method,
                clock.iso(clock.now()),
                brand,
                last4,
            ),
        )
        row = self.db.one("SELECT * FROM payments WHERE id = ?", (payment_id,))
        payment = payment_dict(row, invoice["subscriber_id"])
        self.outbox.emit(
            "payment.recorded",
            subscriber_id=invoice["subscriber_id"],
            subservice_id=invoice["subservice_id"],
            data={
                "payment_id": payment_id,
                "invoice_id": invoice["id"],
                "external_ref": external_ref,
                "amount": payment["amount"],
                "method": method,
            },
        )
        return payment

    def record_payment(
        self, external_ref: str, invoice_id: str, paid: Decimal, currency: str, method: str
    ) -> tuple[dict[str, Any], bool]:
        """Record a payment of `paid` (in `currency`, which must be the invoice's) once per `external_ref`;
        returns (result, created).

        Whatever exceeds the invoice's balance (all of it, for an invoice already paid) is credited to the
        wallet as OVERPAYMENT in the same transaction, so no money is ever lost.
        """
        amount = self.minor_units(paid, currency)
        request = {"invoice_id": invoice_id, "amount": amount, "currency": currency, "method": method}
        try:
            with self.db.transaction():
                existing = self.db.one("SELECT * FROM payments WHERE external_ref = ?", (external_ref,))
                if existing is not None:
                    return self._payment_replay(existing, request), False
                invoice = self.require_invoice(invoice_id)
                if currency != invoice["currency"]:
                    raise invalid(f"the invoice is in {invoice['currency']}", "CURRENCY_MISMATCH")
                if invoice["status"] == "VOID":
                    raise conflict("INVOICE_VOID", "the invoice is void")
                if amount <= 0:
                    raise invalid("`amount` must be more than zero", "AMOUNT_INVALID")
                balance = max(invoice["total"] - invoice["amount_paid"], 0)
                applied = min(amount, balance)
                payment = self._insert_payment(external_ref, invoice, amount, applied, method)
                if applied:
                    self.settle(invoice, applied)
                credit = amount - applied
                if credit:
                    self.add_wallet_entry(
                        invoice["subscriber_id"],
                        "OVERPAYMENT",
                        credit,
                        f"Overpayment of {invoice['number']} credited",
                        reference=f"overpayment:{payment['id']}",
                        invoice_id=invoice["id"],
                    )
                result = {
                    "payment": payment,
                    "invoice": self.get_invoice(invoice_id),
                    "wallet_credit": money(credit, invoice["currency"]) if credit else None,
                }
                self.db.execute(
                    "UPDATE payments SET result = ? WHERE id = ?", (json.dumps(result), payment["id"])
                )
                return {**result, "duplicate": False}, True
        except sqlite3.IntegrityError:
            # Another writer recorded the same reference first; answer as a replay of theirs.
            existing = self.db.one("SELECT * FROM payments WHERE external_ref = ?", (external_ref,))
            if existing is None:
                raise
            return self._payment_replay(existing, request), False

    def _payment_replay(self, row: Any, request: dict[str, Any]) -> dict[str, Any]:
        recorded = {
            "invoice_id": row["invoice_id"],
            "amount": row["amount"],
            "currency": row["currency"],
            "method": row["method"],
        }
        if recorded != request:
            raise idempotency_conflict()
        if row["result"] is None:
            # Seeded payments have no stored response; rebuild it from what was recorded.
            invoice = self.get_invoice(row["invoice_id"])
            result: dict[str, Any] = {
                "payment": payment_dict(row, invoice["subscriber_id"]),
                "invoice": invoice,
                "wallet_credit": None,
            }
        else:
            result = json.loads(row["result"])
        return {**result, "duplicate": True}

    def apply_wallet(
        self, subscriber_id: str, invoice_id: str, idempotency_key: str, amount: Decimal | None = None
    ) -> tuple[dict[str, Any], bool]:
        """Pay (part of) an invoice from the wallet; default amount: min(invoice balance, wallet balance)."""
        try:
            return self._apply_wallet(subscriber_id, invoice_id, idempotency_key, amount)
        except sqlite3.IntegrityError:
            # The derived payment reference was already taken by a payment recorded under that name.
            raise idempotency_conflict() from None

    def _apply_wallet(
        self, subscriber_id: str, invoice_id: str, idempotency_key: str, requested: Decimal | None
    ) -> tuple[dict[str, Any], bool]:
        key = f"wallet-apply:{idempotency_key}"
        with self.db.transaction():
            # The invoice's currency says what the amount means, so it is read before the replay check.
            self.require_account(subscriber_id)
            invoice = self.require_invoice(invoice_id)
            amount = None if requested is None else self.minor_units(requested, invoice["currency"])
            request = {"subscriber_id": subscriber_id, "invoice_id": invoice_id, "amount": amount}
            previous = self.replay(key, request)
            if previous is not None:
                return {**previous, "duplicate": True}, False
            if invoice["subscriber_id"] != subscriber_id:
                raise not_found("invoice")  # a foreign invoice looks like a missing one
            if invoice["status"] == "VOID":
                raise conflict("INVOICE_VOID", "the invoice is void")
            balance = invoice["total"] - invoice["amount_paid"]
            if invoice["status"] == "PAID" or balance <= 0:
                raise conflict("ALREADY_PAID", "the invoice is already paid")
            wallet = self.wallet_minor(subscriber_id)
            if amount is not None and (amount <= 0 or amount > balance):
                raise invalid(
                    f"`amount` must be more than 0 and at most {wire(balance, invoice['currency'])}",
                    "AMOUNT_INVALID",
                )
            use = min(balance, wallet) if amount is None else amount
            if use <= 0 or use > wallet:
                raise conflict("INSUFFICIENT_BALANCE", "the wallet balance is not enough")
            payment = self._insert_payment(f"wallet:{idempotency_key}", invoice, use, use, "WALLET")
            self.add_wallet_entry(
                subscriber_id,
                "INVOICE_PAYMENT",
                -use,
                f"Payment of {invoice['number']}",
                reference=key,
                invoice_id=invoice_id,
                subservice_id=invoice["subservice_id"],
            )
            self.settle(invoice, use)
            result = {
                "payment": payment,
                "invoice": self.get_invoice(invoice_id),
                "wallet_balance": money(self.wallet_minor(subscriber_id), invoice["currency"]),
            }
            self.remember(key, request, result)
            return {**result, "duplicate": False}, True
