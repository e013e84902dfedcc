"""What every mutation shares: who may move money, idempotency keys, and turning a backend's refusals into
`userErrors` (the same answer for a foreign and an unknown ID)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from adapters.errors import Rejected
from schema.core.errors import UserError, user_error
from schema.core.permission import CanManageBilling, require

MAX_IDEMPOTENCY_KEY = 100
CENT = Decimal("0.01")


def billing_only() -> list[Any]:
    """Field extensions of the money mutations (a coded top-level error for other roles)."""
    return require(CanManageBilling())


def idempotency_key_error(key: str) -> UserError | None:
    if not key.strip() or len(key) > MAX_IDEMPOTENCY_KEY:
        return user_error(
            "IDEMPOTENCY_KEY_INVALID",
            f"The idempotency key must be 1 to {MAX_IDEMPOTENCY_KEY} characters (a UUID).",
            "input",
            "idempotencyKey",
        )
    return None


def scoped_key(subscriber_id: str, key: str) -> str:
    """The client's key, scoped to its subscriber: two subscribers choosing the same key never collide."""
    return f"{subscriber_id}:{key}"


# Which input field a Billing refusal is about, for `UserError.field`.
_FIELDS = {
    "NOT_FOUND": "invoiceId",
    "AMOUNT_INVALID": "amount",
    "IDEMPOTENCY_CONFLICT": "idempotencyKey",
    "GIFT_CARD_INVALID": "code",
    "GIFT_CARD_ALREADY_USED": "code",
}


def refusal(exc: Rejected, fields: dict[str, str] | None = None) -> UserError:
    """A Billing refusal as the client sees it: the backend's code, its message, the input field."""
    field = {**_FIELDS, **(fields or {})}.get(exc.code)
    return user_error(exc.code, exc.message, *(("input", field) if field else ()))


def not_found(what: str, field: str) -> UserError:
    # The same answer for a foreign and an unknown ID: nothing says which it was.
    return user_error("NOT_FOUND", f"No such {what}.", "input", field)


def amount_error(amount: Decimal) -> UserError | None:
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
        return user_error(
            "AMOUNT_INVALID",
            "The amount must be more than zero, with at most two decimals.",
            "input",
            "amount",
        )
    return None
