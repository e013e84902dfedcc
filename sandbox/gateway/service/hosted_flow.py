"""The card flow behind the hosted page: a card entered for a Checkout Session is saved as a PaymentMethod,
the session's PaymentIntent (or SetupIntent) is created on the first attempt, and the card's test behaviour
decides what happens — success, a decline shown on the page, or an authentication step first.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from sandbox.gateway.service import cards
from sandbox.gateway.service.base import new_id
from sandbox.gateway.service.customers import Customers

AUTH_FAILED_MESSAGE = "We are unable to authenticate your payment method. Please choose a different payment method and try again."


@dataclass(frozen=True)
class PayResult:
    """What the hosted page does next: `redirect` to url, show `authenticate`, show a `declined` message,
    or show the session as `closed` (complete/expired) or `missing`."""

    kind: str
    url: str | None = None
    message: str | None = None


class HostedFlow(Customers):
    def pay(self, session_id: str, card: cards.CardInput) -> PayResult:
        with self.db.transaction():
            row = self.session_row(session_id)
            if row is None:
                return PayResult("missing")
            if row["status"] != "open":
                return PayResult("closed")
            behavior = cards.behavior_of(card.number)
            method_id = self._insert_method(card, behavior)
            intent_id = self._session_intent(row)
            row = self._row("checkout_sessions", session_id, "checkout.session")  # now with its intent
            if behavior.kind in (cards.AUTHENTICATE, cards.ALWAYS_AUTHENTICATE):
                table = "payment_intents" if row["mode"] == "payment" else "setup_intents"
                self.db.execute(
                    f"UPDATE {table} SET status = 'requires_action', payment_method = ?, last_error = NULL"
                    " WHERE id = ?",
                    (method_id, intent_id),
                )
                self.db.execute(
                    "UPDATE checkout_sessions SET pending_payment_method = ? WHERE id = ?",
                    (method_id, session_id),
                )
                return PayResult("authenticate")
            decline = behavior if behavior.kind == cards.DECLINE else None
            if decline is None and row["mode"] == "payment" and behavior.kind == cards.CHARGE_FAILS:
                decline = cards.GENERIC_DECLINE
            if decline is not None:
                error = {
                    "code": decline.code,
                    "decline_code": decline.decline_code,
                    "message": decline.message,
                    "type": "card_error",
                }
                self._fail_intent(row, intent_id, method_id, error)
                return PayResult("declined", message=decline.message)
            return self._complete(row, method_id, card.name)

    def authenticate(self, session_id: str, *, approved: bool) -> PayResult:
        with self.db.transaction():
            row = self.session_row(session_id)
            if row is None:
                return PayResult("missing")
            if row["status"] != "open":
                return PayResult("closed")
            method_id = row["pending_payment_method"]
            if method_id is None:
                return PayResult("nothing_pending")
            if approved:
                method = self._row("payment_methods", method_id, "PaymentMethod")
                return self._complete(row, method_id, method["holder_name"])
            prefix = "payment_intent" if row["mode"] == "payment" else "setup_intent"
            error = {
                "code": f"{prefix}_authentication_failure",
                "message": "The provided PaymentMethod has failed authentication. You can provide"
                " payment_method_data or a new PaymentMethod to attempt to fulfill this"
                f" {'PaymentIntent' if prefix == 'payment_intent' else 'SetupIntent'} again.",
                "type": "invalid_request_error",
            }
            self._fail_intent(row, row["payment_intent"] or row["setup_intent"], method_id, error)
            return PayResult("declined", message=AUTH_FAILED_MESSAGE)

    def pending_session(self, session_id: str) -> sqlite3.Row | None:
        row = self.session_row(session_id)
        if row is None or row["status"] != "open" or row["pending_payment_method"] is None:
            return None
        return row

    def _insert_method(self, card: cards.CardInput, behavior: cards.Behavior) -> str:
        method_id = new_id("pm_")
        self.db.execute(
            "INSERT INTO payment_methods (id, brand, last4, exp_month, exp_year, fingerprint, funding,"
            " holder_name, behavior, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                method_id,
                card.brand,
                card.last4,
                card.exp_month,
                card.exp_year,
                cards.fingerprint(self.config.secret_key, card.number),
                "debit" if card.number == "4000056655665556" else "credit",
                card.name,
                behavior.kind,
                self.now(),
            ),
        )
        return method_id

    def _session_intent(self, row: sqlite3.Row) -> str:
        """The session's PaymentIntent / SetupIntent, created on the first attempt (as Stripe does)."""
        data = json.loads(row["intent_data"])
        if row["mode"] == "payment":
            if row["payment_intent"]:
                return str(row["payment_intent"])
            intent_id = new_id("pi_")
            items = json.loads(row["line_items"])
            self.db.execute(
                "INSERT INTO payment_intents (id, amount, currency, status, customer, description, metadata,"
                " setup_future_usage, client_secret, created)"
                " VALUES (?, ?, ?, 'requires_payment_method', ?, ?, ?, ?, ?, ?)",
                (
                    intent_id,
                    row["amount_total"],
                    row["currency"],
                    row["customer"],
                    data.get("description") or (items[0]["name"] if items else None),
                    json.dumps(data.get("metadata") or {}),
                    data.get("setup_future_usage"),
                    f"{intent_id}_secret_{new_id('')}",
                    self.now(),
                ),
            )
            self.db.execute(
                "UPDATE checkout_sessions SET payment_intent = ? WHERE id = ?", (intent_id, row["id"])
            )
            return intent_id
        if row["setup_intent"]:
            return str(row["setup_intent"])
        intent_id = new_id("seti_")
        self.db.execute(
            "INSERT INTO setup_intents (id, status, customer, metadata, client_secret, created)"
            " VALUES (?, 'requires_payment_method', ?, ?, ?, ?)",
            (
                intent_id,
                row["customer"],
                json.dumps(data.get("metadata") or {}),
                f"{intent_id}_secret_{new_id('')}",
                self.now(),
            ),
        )
        self.db.execute("UPDATE checkout_sessions SET setup_intent = ? WHERE id = ?", (intent_id, row["id"]))
        return intent_id

    def _fail_intent(self, row: sqlite3.Row, intent_id: str, method_id: str, error: dict[str, Any]) -> None:
        error = {**error, "payment_method": method_id}
        self.db.execute(
            "UPDATE checkout_sessions SET pending_payment_method = NULL WHERE id = ?", (row["id"],)
        )
        if row["mode"] == "payment":
            charge = new_id("ch_") if error["type"] == "card_error" else None
            if charge:
                error["charge"] = charge
            self.db.execute(
                "UPDATE payment_intents SET status = 'requires_payment_method', payment_method = NULL,"
                " last_error = ?, latest_charge = COALESCE(?, latest_charge) WHERE id = ?",
                (json.dumps(error), charge, intent_id),
            )
            self._emit("payment_intent.payment_failed", self.payment_intent(intent_id))
        else:
            self.db.execute(
                "UPDATE setup_intents SET status = 'requires_payment_method', payment_method = NULL,"
                " last_error = ? WHERE id = ?",
                (json.dumps(error), intent_id),
            )
            self._emit("setup_intent.setup_failed", self.setup_intent(intent_id))

    def _complete(self, row: sqlite3.Row, method_id: str, holder_name: str | None) -> PayResult:
        session_id = row["id"]
        customer = row["customer"]
        if customer is None and (row["mode"] == "setup" or row["customer_creation"] == "always"):
            customer = self._insert_customer(email=row["customer_email"], name=holder_name)
        if customer is not None:
            self.db.execute("UPDATE payment_methods SET customer = ? WHERE id = ?", (customer, method_id))
            self._emit("payment_method.attached", self.payment_method(method_id))
        if row["mode"] == "payment":
            intent_id = row["payment_intent"]
            self.db.execute(
                "UPDATE payment_intents SET status = 'succeeded', payment_method = ?, customer = ?,"
                " last_error = NULL, latest_charge = ? WHERE id = ?",
                (method_id, customer, new_id("ch_"), intent_id),
            )
            self._emit("payment_intent.succeeded", self.payment_intent(intent_id))
            payment_status = "paid"
        else:
            intent_id = row["setup_intent"]
            self.db.execute(
                "UPDATE setup_intents SET status = 'succeeded', payment_method = ?, customer = ?,"
                " last_error = NULL WHERE id = ?",
                (method_id, customer, intent_id),
            )
            self._emit("setup_intent.succeeded", self.setup_intent(intent_id))
            payment_status = "no_payment_required"
        self.db.execute(
            "UPDATE checkout_sessions SET status = 'complete', payment_status = ?, customer = ?,"
            " customer_name = ?, pending_payment_method = NULL WHERE id = ?",
            (payment_status, customer, holder_name, session_id),
        )
        self._emit("checkout.session.completed", self.checkout_session(session_id))
        return PayResult("redirect", url=row["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id))
