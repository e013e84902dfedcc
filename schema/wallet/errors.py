"""Why the wallet mutations fail: one error type and one code enum per mutation, each member described by
when it happens. Billing answers most of these; a Billing code an enum does not list becomes its REFUSED."""

from __future__ import annotations

from enum import Enum

import strawberry

from schema.core.errors import CodedError

_KEY_INVALID = "The idempotency key is empty or longer than 100 characters."
_KEY_CONFLICT = "The idempotency key was already used for a different request."
_REFUSED = "Billing refused for a reason this enum does not list; `message` is Billing's own."


@strawberry.enum(description="Why `applyWalletToInvoice` failed.")
class ApplyWalletToInvoiceErrorCode(Enum):
    NOT_FOUND = strawberry.enum_value(
        "NOT_FOUND", description="No such invoice (a foreign ID answers the same)."
    )
    ALREADY_PAID = strawberry.enum_value("ALREADY_PAID", description="The invoice has nothing left to pay.")
    INVOICE_VOID = strawberry.enum_value("INVOICE_VOID", description="The invoice was cancelled.")
    INSUFFICIENT_BALANCE = strawberry.enum_value(
        "INSUFFICIENT_BALANCE", description="The wallet is empty, or holds less than the amount asked for."
    )
    AMOUNT_INVALID = strawberry.enum_value(
        "AMOUNT_INVALID",
        description="The amount is not more than zero, finer than the currency's minor unit, or exceeds what is due.",
    )
    IDEMPOTENCY_KEY_INVALID = strawberry.enum_value("IDEMPOTENCY_KEY_INVALID", description=_KEY_INVALID)
    IDEMPOTENCY_CONFLICT = strawberry.enum_value("IDEMPOTENCY_CONFLICT", description=_KEY_CONFLICT)
    REFUSED = strawberry.enum_value("REFUSED", description=_REFUSED)


@strawberry.type(description="A refusal of `applyWalletToInvoice`.")
class ApplyWalletToInvoiceError(CodedError[ApplyWalletToInvoiceErrorCode]):
    pass


@strawberry.enum(description="Why `redeemGiftCard` failed.")
class RedeemGiftCardErrorCode(Enum):
    GIFT_CARD_INVALID = strawberry.enum_value(
        "GIFT_CARD_INVALID", description="No gift card has this code (or it is in another currency)."
    )
    GIFT_CARD_ALREADY_USED = strawberry.enum_value(
        "GIFT_CARD_ALREADY_USED", description="The gift card was already redeemed."
    )
    RATE_LIMITED = strawberry.enum_value(
        "RATE_LIMITED",
        description="Too many attempts in 15 minutes (a redeemed card starts the count again); `message` says how long to wait.",
    )
    REFUSED = strawberry.enum_value("REFUSED", description=_REFUSED)


@strawberry.type(description="A refusal of `redeemGiftCard`.")
class RedeemGiftCardError(CodedError[RedeemGiftCardErrorCode]):
    pass


@strawberry.enum(description="Why `renewService` failed.")
class RenewServiceErrorCode(Enum):
    NOT_FOUND = strawberry.enum_value(
        "NOT_FOUND", description="No such sub-service (a foreign ID answers the same)."
    )
    NOT_PREPAID = strawberry.enum_value(
        "NOT_PREPAID", description="Only prepaid sub-services are renewed; this one is billed monthly."
    )
    INSUFFICIENT_BALANCE = strawberry.enum_value(
        "INSUFFICIENT_BALANCE", description="The wallet does not cover the next period."
    )
    IDEMPOTENCY_KEY_INVALID = strawberry.enum_value("IDEMPOTENCY_KEY_INVALID", description=_KEY_INVALID)
    IDEMPOTENCY_CONFLICT = strawberry.enum_value("IDEMPOTENCY_CONFLICT", description=_KEY_CONFLICT)
    REFUSED = strawberry.enum_value("REFUSED", description=_REFUSED)


@strawberry.type(description="A refusal of `renewService`.")
class RenewServiceError(CodedError[RenewServiceErrorCode]):
    pass
