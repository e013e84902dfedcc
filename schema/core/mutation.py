"""What every mutation shares: who may move money, idempotency keys, and turning a backend's refusals into
`userErrors` (the same answer for a foreign and an unknown ID).

The helpers that build an error take the mutation's `SomeError.of` and the member of its enum to use, so
each resolver still names every code it can answer and mypy checks the member belongs to that enum."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from adapters.errors import NotFound, Rejected
from adapters.ports.money import exponent, quantum
from bff.core.payments.checkout import CheckoutStart, PaymentError
from schema.core.errors import CodeT, ErrorFactory, ErrorT, known_code
from schema.core.permission import CanManageBilling, require

MAX_IDEMPOTENCY_KEY = 100

# Descriptions every mutation shares (tests/schema/test_descriptions.py: the schema documents every element).
USER_ERRORS = "Why the mutation was refused, each with a code; empty when it succeeded."
INPUT = "What to do: one input object, each of its fields described there."
IDEMPOTENCY_KEY = (
    "A key the client makes up once per intended operation (a UUID, 1 to 100 characters) and sends again on a "
    "retry: the same key never moves money twice."
)


def billing_only() -> list[Any]:
    """Field extensions of the money mutations (a coded top-level error for other roles)."""
    return require(CanManageBilling())


def idempotency_key_error(error: ErrorFactory[CodeT, ErrorT], code: CodeT, key: str) -> ErrorT | None:
    if not key.strip() or len(key) > MAX_IDEMPOTENCY_KEY:
        return error(
            code,
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


def refusal(
    error: ErrorFactory[CodeT, ErrorT],
    exc: Rejected,
    otherwise: CodeT,
    fields: dict[str, str] | None = None,
) -> ErrorT:
    """A Billing refusal as the client sees it: the backend's code as a member of the mutation's enum (a code
    the enum lacks becomes `otherwise`, its REFUSED member, and is logged), its message, the input field."""
    code = known_code(exc.code, otherwise, source=exc.backend)
    field = {**_FIELDS, **(fields or {})}.get(exc.code)
    return error(code, exc.message, *(("input", field) if field else ()))


def not_found(error: ErrorFactory[CodeT, ErrorT], code: CodeT, what: str, field: str) -> ErrorT:
    # The same answer for a foreign and an unknown ID: nothing says which it was.
    return error(code, f"No such {what}.", "input", field)


def amount_error(
    error: ErrorFactory[CodeT, ErrorT], code: CodeT, amount: Decimal, currency: str
) -> ErrorT | None:
    """AMOUNT_INVALID unless the amount is positive and exact in the currency's minor unit."""
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(quantum(currency)):
        places = exponent(currency)
        return error(
            code,
            f"The amount must be more than zero, with at most {places} decimal{'' if places == 1 else 's'}.",
            "input",
            "amount",
        )
    return None


async def checkout_or_error(
    error: ErrorFactory[CodeT, ErrorT],
    unavailable: CodeT,
    idempotency_key: str,
    start: Callable[[], Awaitable[CheckoutStart]],
) -> CheckoutStart | ErrorT:
    """Start a checkout once the client's idempotency key is acceptable; a business refusal becomes the
    mutation's error. Outages propagate (BACKEND_UNAVAILABLE).

    `unavailable` is the mutation's GATEWAY_UNAVAILABLE. The other codes (IDEMPOTENCY_KEY_INVALID, NOT_FOUND
    and those of the `PaymentError`s its flow raises) are found by name in the same enum, because the flows in
    `bff.core.payments.checkout` cannot know the schema's enums; tests/schema/test_error_codes.py checks that
    each checkout enum lists them, and a name one lacks would be logged and answered as `unavailable`."""

    def coded(code: str) -> CodeT:
        return known_code(code, unavailable, source="checkout")

    problem = idempotency_key_error(error, coded("IDEMPOTENCY_KEY_INVALID"), idempotency_key)
    if problem is not None:
        return problem
    try:
        return await start()
    except PaymentError as exc:
        return error(coded(exc.code), exc.message, *(("input", exc.field) if exc.field else ()))
    except NotFound:
        return error(coded("NOT_FOUND"), "Not found.")
    except Rejected:
        # The gateway (or Billing) refused to open a checkout for a reason that is not the client's: the
        # subscriber can only try again later.
        return error(unavailable, "The payment provider cannot start a payment right now. Try again later.")
