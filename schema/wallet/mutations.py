"""Money moved inside Billing, no gateway involved: paying an invoice from the wallet, redeeming a gift card,
renewing a prepaid sub-service."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from adapters.errors import NotFound, Rejected
from adapters.ports.money import Money as MoneyValue
from schema.billing.types import Invoice
from schema.core.connection import given
from schema.core.context import Context
from schema.core.money import Money
from schema.core.mutation import (
    IDEMPOTENCY_KEY,
    INPUT,
    USER_ERRORS,
    amount_error,
    billing_only,
    idempotency_key_error,
    not_found,
    refusal,
    scoped_key,
)
from schema.core.node import decode_id_of
from schema.core.permission import can_see_subservice
from schema.service.types import SubService
from schema.wallet.errors import (
    ApplyWalletToInvoiceError,
    ApplyWalletToInvoiceErrorCode,
    RedeemGiftCardError,
    RedeemGiftCardErrorCode,
    RenewServiceError,
    RenewServiceErrorCode,
)
from schema.wallet.types import Wallet

GIFT_CARD_ATTEMPTS = 5
GIFT_CARD_WINDOW = timedelta(minutes=15)
MAX_GIFT_CARD_CODE = 40


# ------------------------------------------------------------------------------------ applyWalletToInvoice


@strawberry.input(description="The input of `applyWalletToInvoice`.")
class ApplyWalletToInvoiceInput:
    invoice_id: strawberry.ID = strawberry.field(description="The invoice to pay (its global ID).")
    amount: Decimal | None = strawberry.field(
        default=strawberry.UNSET, description="Default: as much of the balance as the wallet covers"
    )
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY_KEY)


@strawberry.type(
    description="The result of `applyWalletToInvoice`: what it changed, or why it was refused (`userErrors`)."
)
class ApplyWalletToInvoicePayload:
    invoice: Invoice | None = strawberry.field(default=None, description="The invoice after the payment.")
    wallet: Wallet | None = strawberry.field(default=None, description="The wallet after the payment.")
    user_errors: list[ApplyWalletToInvoiceError] = strawberry.field(
        default_factory=list, description=USER_ERRORS
    )


async def apply_wallet_to_invoice(
    info: Info[Context, None],
    input: Annotated[ApplyWalletToInvoiceInput, strawberry.argument(description=INPUT)],
) -> ApplyWalletToInvoicePayload:
    context = info.context
    viewer = context.require_viewer()
    invoice_id = decode_id_of(input.invoice_id, "Invoice")
    wanted = given(input.amount)
    error, codes = ApplyWalletToInvoiceError.of, ApplyWalletToInvoiceErrorCode
    problem = idempotency_key_error(error, codes.IDEMPOTENCY_KEY_INVALID, input.idempotency_key)
    if problem is None and wanted is not None and (not wanted.is_finite() or wanted <= 0):
        problem = amount_error(error, codes.AMOUNT_INVALID, wanted, "USD")  # refused before any call
    if problem is not None:
        return ApplyWalletToInvoicePayload(user_errors=[problem])
    amount: MoneyValue | None = None
    if wanted is not None:
        account = await context.loaders.account_by_subscriber_id.load(viewer.subscriber_id)
        if account is None:
            raise NotFound("billing", f"no account for subscriber {viewer.subscriber_id}")
        problem = amount_error(error, codes.AMOUNT_INVALID, wanted, account.currency)
        if problem is not None:
            return ApplyWalletToInvoicePayload(user_errors=[problem])
        amount = MoneyValue(wanted, account.currency)
    try:
        result = await context.backends.billing.apply_wallet(
            subscriber_id=viewer.subscriber_id,
            invoice_id=invoice_id,
            idempotency_key=scoped_key(viewer.subscriber_id, input.idempotency_key),
            amount=amount,
        )
    except NotFound:
        return ApplyWalletToInvoicePayload(
            user_errors=[not_found(error, codes.NOT_FOUND, "invoice", "invoiceId")]
        )
    except Rejected as exc:
        return ApplyWalletToInvoicePayload(user_errors=[refusal(error, exc, codes.REFUSED)])
    return ApplyWalletToInvoicePayload(
        invoice=Invoice.of(result.invoice),
        wallet=Wallet(subscriber_id=viewer.subscriber_id, balance=Money.of(result.wallet_balance)),
    )


# ------------------------------------------------------------------------------------------ redeemGiftCard


@strawberry.input(description="The input of `redeemGiftCard`.")
class RedeemGiftCardInput:
    code: str = strawberry.field(description="The gift card's code, as printed on it.")


@strawberry.type(
    description="The result of `redeemGiftCard`: what it changed, or why it was refused (`userErrors`)."
)
class RedeemGiftCardPayload:
    wallet: Wallet | None = strawberry.field(default=None, description="The wallet after the credit.")
    credited: Money | None = strawberry.field(default=None, description="What the card added to the wallet.")
    user_errors: list[RedeemGiftCardError] = strawberry.field(default_factory=list, description=USER_ERRORS)


def _plausible_code(code: str) -> bool:
    return 4 <= len(code) <= MAX_GIFT_CARD_CODE and all(
        c.isascii() and (c.isalnum() or c == "-") for c in code
    )


async def redeem_gift_card(
    info: Info[Context, None], input: Annotated[RedeemGiftCardInput, strawberry.argument(description=INPUT)]
) -> RedeemGiftCardPayload:
    """Every attempt counts against the user's budget (a success resets it), so guessing codes stops after
    GIFT_CARD_ATTEMPTS failures per window; the counters are shared by every instance through Redis."""
    context = info.context
    viewer = context.require_viewer()
    limiter = context.auth.limiter
    key = f"gift-card:{viewer.user_id}"
    decision = await limiter.hit(key, GIFT_CARD_ATTEMPTS, GIFT_CARD_WINDOW)
    if not decision.allowed:
        minutes = max(1, -(-decision.retry_after_s // 60))
        return RedeemGiftCardPayload(
            user_errors=[
                RedeemGiftCardError.of(
                    RedeemGiftCardErrorCode.RATE_LIMITED,
                    f"Too many gift card attempts. Try again in {minutes} minute(s).",
                    "input",
                    "code",
                )
            ]
        )
    code = input.code.strip()
    if not _plausible_code(code):
        return RedeemGiftCardPayload(
            user_errors=[
                RedeemGiftCardError.of(
                    RedeemGiftCardErrorCode.GIFT_CARD_INVALID, "No gift card has this code.", "input", "code"
                )
            ]
        )
    try:
        result = await context.backends.billing.redeem_gift_card(
            subscriber_id=viewer.subscriber_id, code=code
        )
    except Rejected as exc:
        error = refusal(
            RedeemGiftCardError.of, exc, RedeemGiftCardErrorCode.REFUSED, {"INVALID_REQUEST": "code"}
        )
        return RedeemGiftCardPayload(user_errors=[error])
    await limiter.reset(key)
    return RedeemGiftCardPayload(
        wallet=Wallet(subscriber_id=viewer.subscriber_id, balance=Money.of(result.wallet_balance)),
        credited=Money.of(result.value),
    )


# -------------------------------------------------------------------------------------------- renewService


@strawberry.input(description="The input of `renewService`.")
class RenewServiceInput:
    sub_service_id: strawberry.ID = strawberry.field(
        description="The prepaid sub-service to renew (its global ID)."
    )
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY_KEY)


@strawberry.type(
    description="The result of `renewService`: what it changed, or why it was refused (`userErrors`)."
)
class RenewServicePayload:
    sub_service: SubService | None = strawberry.field(
        default=None, description="The sub-service with its new expiry."
    )
    wallet: Wallet | None = strawberry.field(
        default=None, description="The wallet after paying for the period."
    )
    user_errors: list[RenewServiceError] = strawberry.field(default_factory=list, description=USER_ERRORS)


async def renew_service(
    info: Info[Context, None], input: Annotated[RenewServiceInput, strawberry.argument(description=INPUT)]
) -> RenewServicePayload:
    context = info.context
    viewer = context.require_viewer()
    subservice_id = decode_id_of(input.sub_service_id, "SubService")
    error, codes = RenewServiceError.of, RenewServiceErrorCode
    problem = idempotency_key_error(error, codes.IDEMPOTENCY_KEY_INVALID, input.idempotency_key)
    if problem is not None:
        return RenewServicePayload(user_errors=[problem])
    # Billing renews by sub-service id alone: make sure it is the viewer's before asking.
    record = await context.loaders.subservice_by_id.load(subservice_id)
    if record is None or not can_see_subservice(viewer, record):
        return RenewServicePayload(
            user_errors=[not_found(error, codes.NOT_FOUND, "sub-service", "subServiceId")]
        )
    try:
        result = await context.backends.billing.renew_subservice(
            subservice_id, idempotency_key=scoped_key(viewer.subscriber_id, input.idempotency_key)
        )
    except NotFound:
        return RenewServicePayload(
            user_errors=[not_found(error, codes.NOT_FOUND, "sub-service", "subServiceId")]
        )
    except Rejected as exc:
        refused = refusal(error, exc, codes.REFUSED, {"NOT_FOUND": "subServiceId"})
        return RenewServicePayload(user_errors=[refused])
    subservice = SubService.of(record)
    # The new expiry, read fresh rather than from anything this request may have cached before.
    fresh = await context.backends.billing.subservice_billing([subservice_id])
    subservice.prefetched.billing = fresh.get(subservice_id)
    return RenewServicePayload(
        sub_service=subservice,
        wallet=Wallet(subscriber_id=viewer.subscriber_id, balance=Money.of(result.wallet_balance)),
    )


@strawberry.type
class WalletMutation:
    apply_wallet_to_invoice: ApplyWalletToInvoicePayload = strawberry.mutation(
        resolver=apply_wallet_to_invoice,
        description=("Pay an invoice from the wallet balance. Refusals: `ApplyWalletToInvoiceErrorCode`."),
        extensions=billing_only(),
    )
    redeem_gift_card: RedeemGiftCardPayload = strawberry.mutation(
        resolver=redeem_gift_card,
        description="Credit a gift card to the wallet. Refusals: `RedeemGiftCardErrorCode`.",
        extensions=billing_only(),
    )
    renew_service: RenewServicePayload = strawberry.mutation(
        resolver=renew_service,
        description=(
            "Prepaid services: pay the next period from the wallet and extend `expiresAt`. Refusals: "
            "`RenewServiceErrorCode`."
        ),
        extensions=billing_only(),
    )
