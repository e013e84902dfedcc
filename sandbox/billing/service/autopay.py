"""Autopay: the billing run charges the saved default card of each autopay account for its unpaid invoices.

Billing only asks the gateway (the wired `CardCharger`) to charge and records the attempt; it never marks the
invoice paid itself. The gateway's `payment_intent.succeeded` webhook reaches the BFF, which records the payment
through `POST /v1/payments` — the same path as a manual payment — so a charge settles exactly once however
often it is reported.

Each charge uses the idempotency key `autopay-{invoice_id}-{balance_minor}` (and `-r{k}` for the k-th retry of
the dunning schedule): a second run, a retry after a crash between charging and recording, or a concurrent run
replays the first charge instead of charging twice. A balance that changed (a partial payment) is a new key.
An invoice whose balance was charged successfully is not charged again while the webhook is on its way.

A declined or refused charge starts the invoice's dunning (`dunning.py`): it is retried on the configured days
after the first decline, once per retry day, with whatever default card the account has then — never more
often, as retrying a declining card is what card networks penalise. The subscriber is told about each decline
(the BFF notifies from `payment_intent.payment_failed`).
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from typing import Any

from sandbox.billing.service.dunning import BillingDunning, InvoiceDunning
from sandbox.common import clock
from sandbox.common.db import placeholders
from sandbox.common.http import money
from sandbox.common.peers import ChargeOutcome, ChargeRefused


class BillingAutopay(BillingDunning):
    def autopay_due(self, subscriber_id: str | None = None) -> list[sqlite3.Row]:
        """Unpaid invoices of autopay accounts with a default card and a gateway customer, oldest first.

        Every unpaid invoice is charged by the run that first sees it (charging on issue, whatever its due
        date), so a subscriber on autopay never reaches the overdue path while their card works."""
        sql = (
            "SELECT i.id AS invoice_id, i.subscriber_id, i.total - i.amount_paid AS balance, i.currency,"
            " a.gateway_customer_id, m.id AS payment_method_id, m.gateway_token"
            " FROM invoices i JOIN accounts a USING (subscriber_id)"
            " JOIN payment_methods m ON m.id = a.default_payment_method_id"
            " WHERE a.autopay = 1 AND a.gateway_customer_id IS NOT NULL"
            " AND i.status IN ('OPEN', 'OVERDUE') AND i.total > i.amount_paid"
        )
        params: list[Any] = []
        if subscriber_id is not None:
            sql += " AND i.subscriber_id = ?"
            params.append(subscriber_id)
        return self.db.all(sql + " ORDER BY i.seq", params)

    def charge_autopay(
        self, subscriber_id: str | None = None, as_of: date | None = None
    ) -> list[dict[str, Any]]:
        """Charge what `autopay_due` lists that is due on `as_of` (the first charge of an invoice, or the retry
        whose day has come); call outside any Billing transaction (the gateway is a peer)."""
        charger = self.card_charger
        if charger is None:
            return []
        as_of = as_of or self.today()
        due_rows = self.autopay_due(subscriber_id)
        ids = [d["invoice_id"] for d in due_rows]
        dunning = self.dunning_of(
            self._invoices_with_grace(f"i.id IN ({placeholders(ids)})", ids) if ids else []
        )
        prior = self.attempts_of(ids)
        charged = []
        for due in due_rows:
            slot = self._autopay_slot(
                due, prior.get(due["invoice_id"], []), dunning.get(due["invoice_id"]), as_of
            )
            if slot is None:
                continue
            key = f"autopay-{due['invoice_id']}-{due['balance']}" + (f"-r{slot}" if slot else "")
            try:
                outcome = charger.charge(
                    due["gateway_customer_id"],
                    due["gateway_token"],
                    due["balance"],
                    due["currency"],
                    {
                        "wg_kind": "invoice",
                        "wg_invoice_id": due["invoice_id"],
                        "wg_subscriber_id": due["subscriber_id"],
                        "wg_origin": "autopay",
                    },
                    key,
                )
            except ChargeRefused as refused:
                attempt = self._record_attempt(due, key, None, "REFUSED", refused.code, slot, as_of)
            else:
                attempt = self._record_outcome(due, key, outcome, slot, as_of)
            if attempt is not None:
                charged.append(attempt)
        return charged

    @staticmethod
    def _autopay_slot(
        due: sqlite3.Row, prior: list[Any], dunning: InvoiceDunning | None, as_of: date
    ) -> int | None:
        """Which charge of this invoice is due on `as_of`: 0 the first, k the k-th retry; None when none."""
        if any(p["outcome"] == "SUCCEEDED" and p["amount"] == due["balance"] for p in prior):
            return None  # settled by the webhook; until then, charging again would take the money twice
        if dunning is None:
            # Never declined: the first charge of this balance (a balance reduced by a partial payment
            # after a success is charged afresh under its own key).
            return 0
        if dunning.exhausted:
            return None  # the schedule is over: the subscriber pays from the portal
        slot = dunning.schedule.due_retry(as_of)
        if slot == 0 or any(p["retry"] >= slot for p in prior):
            return None  # no retry day reached yet, or this retry was made (a second run the same day)
        return slot

    def _record_outcome(
        self, due: sqlite3.Row, key: str, outcome: ChargeOutcome, retry: int, as_of: date
    ) -> dict[str, Any] | None:
        result = "SUCCEEDED" if outcome.succeeded else "DECLINED"
        return self._record_attempt(
            due, key, outcome.payment_intent_id, result, outcome.decline_code, retry, as_of
        )

    def _record_attempt(
        self,
        due: sqlite3.Row,
        key: str,
        payment_intent_id: str | None,
        outcome: str,
        decline_code: str | None,
        retry: int,
        as_of: date,
    ) -> dict[str, Any] | None:
        """Store the attempt; None if a concurrent run already recorded this key (it reports the charge)."""
        with self.db.transaction():
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO autopay_attempts (invoice_id, subscriber_id, payment_method_id, amount,"
                " currency, idempotency_key, payment_intent_id, outcome, decline_code, at, retry, run_on)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    due["invoice_id"],
                    due["subscriber_id"],
                    due["payment_method_id"],
                    due["balance"],
                    due["currency"],
                    key,
                    payment_intent_id,
                    outcome,
                    decline_code,
                    # The run's day at the time of day it ran: the real moment when the run is today's.
                    clock.iso(datetime.combine(as_of, clock.now().timetz())),
                    retry,
                    as_of.isoformat(),
                ),
            )
        if cursor.rowcount == 0:
            return None
        return {
            "invoice_id": due["invoice_id"],
            "amount": money(due["balance"], due["currency"]),
            "payment_intent_id": payment_intent_id,
            "succeeded": outcome == "SUCCEEDED",
            "decline_code": decline_code,
            "retry": retry,
        }
