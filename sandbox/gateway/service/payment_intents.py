"""PaymentIntents created through the API — in practice off-session charges of a saved card, confirmed at
once — and the in-process `CardCharger` that Billing's autopay run calls with exactly the same rules.

A declined confirmation is an ordinary result (402 with Stripe's `card_error` body), stored against the
idempotency key like a success so that a retry replays it instead of charging again.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from sandbox.common.peers import ChargeOutcome, ChargeRefused
from sandbox.gateway.errors import StripeError, invalid
from sandbox.gateway.form import Params
from sandbox.gateway.service import cards, currency, idempotency
from sandbox.gateway.service.base import new_id
from sandbox.gateway.service.checkout_sessions import check_card_only
from sandbox.gateway.service.reads import GatewayReads

INTENT_PARAMS = (
    "amount",
    "currency",
    "customer",
    "payment_method",
    "confirm",
    "off_session",
    "metadata",
    "description",
    "payment_method_types",
)


@dataclass(frozen=True)
class IntentRequest:
    """A `POST /v1/payment_intents` whose parameters passed Stripe's checks."""

    amount: int
    currency: str
    customer: str | None
    method: sqlite3.Row | None
    confirm: bool
    off_session: bool
    description: str | None
    metadata: dict[str, str]


class PaymentIntents(GatewayReads):
    def create_payment_intent(self, p: Params) -> tuple[int, dict[str, Any]]:
        """(200, PaymentIntent) or, for a declined confirmation, (402, Stripe's card_error body)."""
        request = self._intent_request(p)
        with self.db.transaction():
            intent_id = self._insert_intent(request)
            if not request.confirm:
                return 200, self.payment_intent(intent_id)
            assert request.method is not None
            return self._confirm(intent_id, request.method, request.off_session)

    def charge_off_session(
        self,
        customer_id: str,
        payment_method_id: str,
        amount_minor: int,
        currency_code: str,
        metadata: dict[str, str],
        idempotency_key: str,
    ) -> ChargeOutcome:
        """The core's in-process `CardCharger`: exactly `POST /v1/payment_intents` with `confirm=true,
        off_session=true` and this `Idempotency-Key` (same parameters as the form-encoded request, so an HTTP
        retry with the key replays this charge and vice versa)."""
        raw: dict[str, Any] = {
            "amount": str(amount_minor),
            "currency": currency_code.lower(),
            "customer": customer_id,
            "payment_method": payment_method_id,
            "confirm": "true",
            "off_session": "true",
            "metadata": dict(metadata),
        }
        params = Params(raw)
        try:
            idempotency.check_key(idempotency_key)
            status, body, _replayed = idempotency.run_once(
                self.db,
                idempotency_key,
                "POST",
                "/v1/payment_intents",
                params.raw,
                lambda: self.create_payment_intent(params),
            )
        except StripeError as exc:
            raise ChargeRefused(exc.code or exc.type, exc.message) from None
        if status == 200:
            succeeded = body["status"] == "succeeded"
            error = body.get("last_payment_error") or {}
            decline = None if succeeded else error.get("decline_code") or error.get("code") or body["status"]
            return ChargeOutcome(succeeded, str(body["id"]), decline)
        error = body["error"]
        return ChargeOutcome(
            False, str(error["payment_intent"]["id"]), error.get("decline_code") or error.get("code")
        )

    # ---- steps -------------------------------------------------------------------------------------------

    def _intent_request(self, p: Params) -> IntentRequest:
        p.only(INTENT_PARAMS)
        amount = p.integer("amount", required=True, low=0)
        assert amount is not None
        code = p.required("currency", max_len=3).lower()
        if not currency.valid(code):
            raise invalid("currency", f"Invalid currency: {code}.")
        minimum = currency.minimum(code)
        if amount < minimum:
            raise StripeError(
                400,
                f"Amount must be at least {currency.display(minimum, code)} {code}",
                code="amount_too_small",
                param="amount",
            )
        customer = p.string("customer", max_len=255)
        if customer is not None:
            self._row("customers", customer, "customer", "customer")
        method_id = p.string("payment_method", max_len=255)
        method = (
            None
            if method_id is None
            else self._row("payment_methods", method_id, "PaymentMethod", "payment_method")
        )
        confirm = p.boolean("confirm") or False
        off_session = p.boolean("off_session") or False
        check_card_only(p)
        _check_method(method, customer, confirm=confirm, off_session=off_session)
        description = p.string("description", max_len=1000)
        return IntentRequest(amount, code, customer, method, confirm, off_session, description, p.metadata())

    def _insert_intent(self, request: IntentRequest) -> str:
        intent_id = new_id("pi_")
        status = "requires_payment_method" if request.method is None else "requires_confirmation"
        self.db.execute(
            "INSERT INTO payment_intents (id, amount, currency, status, customer, payment_method, description,"
            " metadata, off_session, client_secret, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                intent_id,
                request.amount,
                request.currency,
                status,
                request.customer,
                None if request.method is None else request.method["id"],
                request.description,
                json.dumps(request.metadata),
                int(request.off_session),
                f"{intent_id}_secret_{new_id('')}",
                self.now(),
            ),
        )
        return intent_id

    def _confirm(self, intent_id: str, method: sqlite3.Row, off_session: bool) -> tuple[int, dict[str, Any]]:
        """Charge the card as its test behaviour says: success, a step the customer must take, or a decline."""
        kind = method["behavior"]
        if not off_session and kind in (cards.AUTHENTICATE, cards.ALWAYS_AUTHENTICATE):
            self.db.execute(
                "UPDATE payment_intents SET status = 'requires_action' WHERE id = ?", (intent_id,)
            )
            return 200, self.payment_intent(intent_id)
        outcome = cards.decline_for(kind)
        charge = new_id("ch_")
        if outcome.kind == cards.SUCCEED:
            self.db.execute(
                "UPDATE payment_intents SET status = 'succeeded', latest_charge = ? WHERE id = ?",
                (charge, intent_id),
            )
            succeeded = self.payment_intent(intent_id)
            self._emit("payment_intent.succeeded", succeeded)
            return 200, succeeded
        return 402, self._decline(intent_id, method["id"], charge, outcome)

    def _decline(
        self, intent_id: str, method_id: str, charge: str, outcome: cards.Behavior
    ) -> dict[str, Any]:
        error = {
            "charge": charge,
            "code": outcome.code,
            "decline_code": outcome.decline_code,
            "message": outcome.message,
            "type": "card_error",
            "payment_method": method_id,
        }
        self.db.execute(
            "UPDATE payment_intents SET status = 'requires_payment_method', payment_method = NULL,"
            " last_error = ?, latest_charge = ? WHERE id = ?",
            (json.dumps(error), charge, intent_id),
        )
        failed = self.payment_intent(intent_id)
        self._emit("payment_intent.payment_failed", failed)
        return StripeError(
            402,
            str(outcome.message),
            type_="card_error",
            code=outcome.code,
            extra={
                "charge": charge,
                "decline_code": outcome.decline_code,
                "payment_intent": failed,
                "payment_method": failed["last_payment_error"]["payment_method"],
            },
        ).body()


def _check_method(
    method: sqlite3.Row | None, customer: str | None, *, confirm: bool, off_session: bool
) -> None:
    """Stripe's rules for confirming with a payment method, in the order it reports them."""
    if off_session and not confirm:
        raise invalid("off_session", "You can only pass off_session=true when confirm=true.")
    if confirm and method is None:
        raise StripeError(
            400,
            "You cannot confirm this PaymentIntent because it's missing a payment method.",
            code="payment_intent_unexpected_state",
        )
    if method is not None and method["customer"] is not None and method["customer"] != customer:
        raise invalid(
            "payment_method",
            f"The provided PaymentMethod {method['id']} is attached to another Customer than the one"
            " provided (or none was provided).",
            "payment_method_invalid_parameter",
        )
    if method is not None and off_session and method["customer"] is None:
        raise invalid(
            "payment_method",
            "A PaymentMethod must be attached to a Customer to be used off-session.",
            "payment_method_invalid_parameter",
        )
