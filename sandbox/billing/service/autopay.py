"""Autopay: the billing run charges the saved default card of each autopay account for its unpaid invoices.

Billing only asks the gateway (the wired `CardCharger`) to charge and records the attempt; it never marks the
invoice paid itself. The gateway's `payment_intent.succeeded` webhook reaches the BFF, which records the payment
through `POST /v1/payments` — the same path as a manual payment — so a charge settles exactly once however
often it is reported.

Each charge uses the idempotency key `autopay-{invoice_id}-{balance_minor}`: a second run, a retry after a
crash between charging and recording, or a concurrent run replays the first charge instead of charging twice.
A balance that changed (a partial payment) is a new key. An invoice whose balance was charged successfully is
not charged again while the webhook is on its way. A declined or refused card is not retried for the same
balance: retrying a declining card is what card networks penalise, and the subscriber is told about the
decline (the BFF notifies from `payment_intent.payment_failed`). Once they choose another default card the
next run charges that card, under a key naming it.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sandbox.billing.service.base import BillingBase
from sandbox.common import clock
from sandbox.common.http import money
from sandbox.common.peers import ChargeOutcome, ChargeRefused


class BillingAutopay(BillingBase):
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

    def charge_autopay(self, subscriber_id: str | None = None) -> list[dict[str, Any]]:
        """Charge what `autopay_due` lists; call outside any Billing transaction (the gateway is a peer)."""
        charger = self.card_charger
        if charger is None:
            return []
        charged = []
        for due in self.autopay_due(subscriber_id):
            key = self._autopay_key(due)
            if key is None:
                continue
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
                attempt = self._record_attempt(due, key, None, "REFUSED", refused.code)
            else:
                attempt = self._record_outcome(due, key, outcome)
            if attempt is not None:
                charged.append(attempt)
        return charged

    def _autopay_key(self, due: sqlite3.Row) -> str | None:
        """The idempotency key for charging this balance with this card, or None when it must not be charged."""
        base = f"autopay-{due['invoice_id']}-{due['balance']}"
        prior = self.db.all(
            "SELECT payment_method_id, outcome FROM autopay_attempts WHERE invoice_id = ? AND amount = ?",
            (due["invoice_id"], due["balance"]),
        )
        if not prior:
            return base
        if any(p["outcome"] == "SUCCEEDED" for p in prior):
            return None  # settled by the webhook; until then, charging again would take the money twice
        if any(p["payment_method_id"] == due["payment_method_id"] for p in prior):
            return None  # this card already declined this balance
        return f"{base}-{due['gateway_token']}"

    def _record_outcome(self, due: sqlite3.Row, key: str, outcome: ChargeOutcome) -> dict[str, Any] | None:
        result = "SUCCEEDED" if outcome.succeeded else "DECLINED"
        return self._record_attempt(due, key, outcome.payment_intent_id, result, outcome.decline_code)

    def _record_attempt(
        self,
        due: sqlite3.Row,
        key: str,
        payment_intent_id: str | None,
        outcome: str,
        decline_code: str | None,
    ) -> dict[str, Any] | None:
        """Store the attempt; None if a concurrent run already recorded this key (it reports the charge)."""
        with self.db.transaction():
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO autopay_attempts (invoice_id, subscriber_id, payment_method_id, amount,"
                " currency, idempotency_key, payment_intent_id, outcome, decline_code, at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                    clock.iso(clock.now()),
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
        }
