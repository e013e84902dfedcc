"""Why the payment mutations fail: one error type and one code enum per mutation, each member described by
when it happens. The three checkout mutations share most reasons but not all (only an invoice can be paid
already), so each lists exactly its own."""

from __future__ import annotations

from enum import Enum

import strawberry

from schema.core.errors import CodedError

_NOT_FOUND_ACCOUNT = "The subscriber has no billing account (or no customer record) to pay with."
_RETURN_URL = "`returnUrl` or `cancelUrl` is not on one of the portal's allowed origins; `field` says which."
_KEY_INVALID = "The idempotency key is empty or longer than 100 characters."
_KEY_CONFLICT = (
    "The idempotency key was used for a different request, or its checkout has completed or expired: start "
    "again with a new key."
)
_NOT_OFFERED = "`gateway` names a gateway this portal does not take payments through (see `paymentGateways`)."
_GATEWAY = (
    "The payment gateway (or Billing) would not open a checkout for a reason that is not the subscriber's; "
    "nothing was charged, try again later. Also the answer to a refusal this enum does not list."
)


@strawberry.enum(description="Why `payInvoice` failed.")
class PayInvoiceErrorCode(Enum):
    NOT_FOUND = strawberry.enum_value(
        "NOT_FOUND",
        description=(
            "No such invoice (a foreign ID answers the same), or the subscriber has no billing account (or no "
            "customer record) to pay with."
        ),
    )
    ALREADY_PAID = strawberry.enum_value("ALREADY_PAID", description="The invoice has nothing left to pay.")
    INVOICE_VOID = strawberry.enum_value("INVOICE_VOID", description="The invoice was cancelled.")
    RETURN_URL_NOT_ALLOWED = strawberry.enum_value("RETURN_URL_NOT_ALLOWED", description=_RETURN_URL)
    IDEMPOTENCY_KEY_INVALID = strawberry.enum_value("IDEMPOTENCY_KEY_INVALID", description=_KEY_INVALID)
    IDEMPOTENCY_CONFLICT = strawberry.enum_value("IDEMPOTENCY_CONFLICT", description=_KEY_CONFLICT)
    GATEWAY_UNAVAILABLE = strawberry.enum_value("GATEWAY_UNAVAILABLE", description=_GATEWAY)
    GATEWAY_NOT_OFFERED = strawberry.enum_value("GATEWAY_NOT_OFFERED", description=_NOT_OFFERED)


@strawberry.type(description="A refusal of `payInvoice`.")
class PayInvoiceError(CodedError[PayInvoiceErrorCode]):
    pass


@strawberry.enum(description="Why `topUpWallet` failed.")
class TopUpWalletErrorCode(Enum):
    AMOUNT_INVALID = strawberry.enum_value(
        "AMOUNT_INVALID",
        description="The amount is below 5.00, above 1000.00 or finer than the currency's minor unit.",
    )
    NOT_FOUND = strawberry.enum_value("NOT_FOUND", description=_NOT_FOUND_ACCOUNT)
    RETURN_URL_NOT_ALLOWED = strawberry.enum_value("RETURN_URL_NOT_ALLOWED", description=_RETURN_URL)
    IDEMPOTENCY_KEY_INVALID = strawberry.enum_value("IDEMPOTENCY_KEY_INVALID", description=_KEY_INVALID)
    IDEMPOTENCY_CONFLICT = strawberry.enum_value("IDEMPOTENCY_CONFLICT", description=_KEY_CONFLICT)
    GATEWAY_UNAVAILABLE = strawberry.enum_value("GATEWAY_UNAVAILABLE", description=_GATEWAY)
    GATEWAY_NOT_OFFERED = strawberry.enum_value("GATEWAY_NOT_OFFERED", description=_NOT_OFFERED)


@strawberry.type(description="A refusal of `topUpWallet`.")
class TopUpWalletError(CodedError[TopUpWalletErrorCode]):
    pass


@strawberry.enum(description="Why `addPaymentMethod` failed.")
class AddPaymentMethodErrorCode(Enum):
    NOT_FOUND = strawberry.enum_value("NOT_FOUND", description=_NOT_FOUND_ACCOUNT)
    RETURN_URL_NOT_ALLOWED = strawberry.enum_value("RETURN_URL_NOT_ALLOWED", description=_RETURN_URL)
    IDEMPOTENCY_KEY_INVALID = strawberry.enum_value("IDEMPOTENCY_KEY_INVALID", description=_KEY_INVALID)
    IDEMPOTENCY_CONFLICT = strawberry.enum_value("IDEMPOTENCY_CONFLICT", description=_KEY_CONFLICT)
    GATEWAY_UNAVAILABLE = strawberry.enum_value("GATEWAY_UNAVAILABLE", description=_GATEWAY)


@strawberry.type(description="A refusal of `addPaymentMethod`.")
class AddPaymentMethodError(CodedError[AddPaymentMethodErrorCode]):
    pass


_NO_CARD = "No such saved card (a foreign ID answers the same)."
_REFUSED = "Billing refused for a reason this enum does not list; `message` is Billing's own."


@strawberry.enum(description="Why `removePaymentMethod` failed.")
class RemovePaymentMethodErrorCode(Enum):
    NOT_FOUND = strawberry.enum_value("NOT_FOUND", description=_NO_CARD)
    PAYMENT_METHOD_IN_USE = strawberry.enum_value(
        "PAYMENT_METHOD_IN_USE",
        description="It is the card autopay charges: turn autopay off or choose another default first.",
    )
    REFUSED = strawberry.enum_value("REFUSED", description=_REFUSED)


@strawberry.type(description="A refusal of `removePaymentMethod`.")
class RemovePaymentMethodError(CodedError[RemovePaymentMethodErrorCode]):
    pass


@strawberry.enum(description="Why `setDefaultPaymentMethod` failed.")
class SetDefaultPaymentMethodErrorCode(Enum):
    NOT_FOUND = strawberry.enum_value("NOT_FOUND", description=_NO_CARD)
    CARD_EXPIRED = strawberry.enum_value(
        "CARD_EXPIRED", description="The card has expired: autopay would charge a card the gateway declines."
    )
    REFUSED = strawberry.enum_value("REFUSED", description=_REFUSED)


@strawberry.type(description="A refusal of `setDefaultPaymentMethod`.")
class SetDefaultPaymentMethodError(CodedError[SetDefaultPaymentMethodErrorCode]):
    pass


@strawberry.enum(description="Why `setAutopay` failed.")
class SetAutopayErrorCode(Enum):
    AUTOPAY_REQUIRES_CARD = strawberry.enum_value(
        "AUTOPAY_REQUIRES_CARD", description="Autopay was turned on with no saved card to charge."
    )
    REFUSED = strawberry.enum_value("REFUSED", description=_REFUSED)


@strawberry.type(description="A refusal of `setAutopay`.")
class SetAutopayError(CodedError[SetAutopayErrorCode]):
    pass


_WHICH = "; `message` names the invoice."


@strawberry.enum(description="Why `payInvoices` failed; nothing was opened or charged.")
class PayInvoicesErrorCode(Enum):
    NO_INVOICES = strawberry.enum_value(
        "NO_INVOICES",
        description="`invoiceIds` is empty (and `allOverdue` not set), or `allOverdue` found nothing overdue.",
    )
    TOO_MANY_INVOICES = strawberry.enum_value(
        "TOO_MANY_INVOICES",
        description="More than 50 invoices chosen (or overdue, with `allOverdue`): pay them in several checkouts.",
    )
    DUPLICATE_INVOICE = strawberry.enum_value(
        "DUPLICATE_INVOICE", description="`invoiceIds` names the same invoice twice."
    )
    SELECTION_INVALID = strawberry.enum_value(
        "SELECTION_INVALID", description="Both `invoiceIds` and `allOverdue: true` were given: choose one."
    )
    MIXED_CURRENCIES = strawberry.enum_value(
        "MIXED_CURRENCIES",
        description="The invoices are in more than one currency: one checkout charges one currency.",
    )
    NOT_FOUND = strawberry.enum_value(
        "NOT_FOUND",
        description=(
            "An invoice does not exist or is not the viewer's to pay (a foreign ID, or for a SITE user another "
            "site's, answers the same), or the subscriber has no billing account to pay with."
        ),
    )
    ALREADY_PAID = strawberry.enum_value(
        "ALREADY_PAID", description="An invoice has nothing left to pay" + _WHICH
    )
    INVOICE_VOID = strawberry.enum_value("INVOICE_VOID", description="An invoice was cancelled" + _WHICH)
    RETURN_URL_NOT_ALLOWED = strawberry.enum_value("RETURN_URL_NOT_ALLOWED", description=_RETURN_URL)
    IDEMPOTENCY_KEY_INVALID = strawberry.enum_value("IDEMPOTENCY_KEY_INVALID", description=_KEY_INVALID)
    IDEMPOTENCY_CONFLICT = strawberry.enum_value("IDEMPOTENCY_CONFLICT", description=_KEY_CONFLICT)
    GATEWAY_UNAVAILABLE = strawberry.enum_value("GATEWAY_UNAVAILABLE", description=_GATEWAY)


@strawberry.type(description="A refusal of `payInvoices`.")
class PayInvoicesError(CodedError[PayInvoicesErrorCode]):
    pass
