"""Payments through the gateway's hosted checkout: paying an invoice, topping up the wallet, saving a card.

These mutations only start a checkout and hand back its URL; the money moves when the gateway's webhook
arrives (`bff.core.payments.webhook`), and subscriptions tell the portal when it has (`schema.payments.subscriptions`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from bff.core.payments.checkout import (
    CheckoutStart,
    start_card_setup,
    start_invoice_payment,
    start_wallet_topup,
)
from schema.billing.types import Invoice
from schema.core.connection import given
from schema.core.context import Context
from schema.core.mutation import IDEMPOTENCY_KEY, INPUT, USER_ERRORS, billing_only, checkout_or_error
from schema.core.node import decode_id_of
from schema.core.permission import can_see_invoice
from schema.payments.errors import (
    AddPaymentMethodError,
    AddPaymentMethodErrorCode,
    PayInvoiceError,
    PayInvoiceErrorCode,
    TopUpWalletError,
    TopUpWalletErrorCode,
)
from schema.payments.gateways import PaymentGateway, gateway_name
from schema.wallet.types import Wallet, current_wallet

# ----------------------------------------------------------------------------------------------- payInvoice


@strawberry.input(description="The input of `payInvoice`.")
class PayInvoiceInput:
    invoice_id: strawberry.ID = strawberry.field(description="The invoice to pay (its global ID).")
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY_KEY)
    return_url: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=(
            "Where the gateway sends the browser after paying; must be on an allowed origin. Default: the "
            "portal's /payments/return page."
        ),
    )
    cancel_url: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Where the gateway sends the browser on cancel; same rule. Default: the portal's /invoices page.",
    )
    gateway: PaymentGateway | None = strawberry.field(
        default=strawberry.UNSET,
        description="The gateway to pay through (one of `paymentGateways`). Default: the first of them.",
    )
    save_card: bool | None = strawberry.field(
        default=False,
        description=(
            "Keep the card paid with and make it the default card autopay charges: the one step after a "
            "declined automatic charge (update card and pay)."
        ),
    )


@strawberry.type(
    description="The result of `payInvoice`: what it changed, or why it was refused (`userErrors`)."
)
class PayInvoicePayload:
    invoice: Invoice | None = strawberry.field(
        default=None,
        description="The invoice as it is now (PAID once the payment settles: `paymentSettled`).",
    )
    checkout_url: str | None = strawberry.field(
        default=None, description="The gateway's page to send the browser to, to pay; null when refused."
    )
    user_errors: list[PayInvoiceError] = strawberry.field(default_factory=list, description=USER_ERRORS)


async def pay_invoice(
    info: Info[Context, None], input: Annotated[PayInvoiceInput, strawberry.argument(description=INPUT)]
) -> PayInvoicePayload:
    context = info.context
    viewer = context.require_viewer()
    invoice_id = decode_id_of(input.invoice_id, "Invoice")
    started = await checkout_or_error(
        PayInvoiceError.of,
        PayInvoiceErrorCode.GATEWAY_UNAVAILABLE,
        input.idempotency_key,
        lambda: start_invoice_payment(
            context.backends,
            context.settings,
            viewer,
            invoice_id,
            idempotency_key=input.idempotency_key,
            return_url=given(input.return_url),
            cancel_url=given(input.cancel_url),
            gateway=gateway_name(given(input.gateway)),
            save_card=bool(input.save_card),
        ),
    )
    if not isinstance(started, CheckoutStart):
        return PayInvoicePayload(user_errors=[started])
    record = (await context.backends.billing.invoices([invoice_id])).get(invoice_id)
    invoice = Invoice.of(record) if record is not None and can_see_invoice(viewer, record) else None
    await context.audit("payment_started", f"invoice {record.number}" if record is not None else "invoice")
    return PayInvoicePayload(invoice=invoice, checkout_url=started.checkout_url)


# ---------------------------------------------------------------------------------------------- topUpWallet


@strawberry.input(description="The input of `topUpWallet`.")
class TopUpWalletInput:
    amount: Decimal = strawberry.field(
        description="How much to add, in the account's currency (within the operator's limits)."
    )
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY_KEY)
    return_url: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Where the gateway sends the browser after paying; must be on an allowed origin. Default: the portal's /payments/return page.",
    )
    cancel_url: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Where the gateway sends the browser when the payment is cancelled; must be on an allowed origin. Default: the portal's /wallet page.",
    )
    gateway: PaymentGateway | None = strawberry.field(
        default=strawberry.UNSET,
        description="The gateway to pay through (one of `paymentGateways`). Default: the first of them.",
    )


@strawberry.type(
    description="The result of `topUpWallet`: what it changed, or why it was refused (`userErrors`)."
)
class TopUpWalletPayload:
    wallet: Wallet | None = strawberry.field(
        default=None,
        description="The wallet as it is now (the top-up lands when the payment settles: `paymentSettled`).",
    )
    checkout_url: str | None = strawberry.field(
        default=None, description="The gateway's page to send the browser to, to pay; null when refused."
    )
    user_errors: list[TopUpWalletError] = strawberry.field(default_factory=list, description=USER_ERRORS)


async def top_up_wallet(
    info: Info[Context, None], input: Annotated[TopUpWalletInput, strawberry.argument(description=INPUT)]
) -> TopUpWalletPayload:
    context = info.context
    viewer = context.require_viewer()
    started = await checkout_or_error(
        TopUpWalletError.of,
        TopUpWalletErrorCode.GATEWAY_UNAVAILABLE,
        input.idempotency_key,
        lambda: start_wallet_topup(
            context.backends,
            context.settings,
            viewer,
            input.amount,
            idempotency_key=input.idempotency_key,
            return_url=given(input.return_url),
            cancel_url=given(input.cancel_url),
            gateway=gateway_name(given(input.gateway)),
        ),
    )
    if not isinstance(started, CheckoutStart):
        return TopUpWalletPayload(user_errors=[started])
    await context.audit("payment_started", "wallet top-up")
    return TopUpWalletPayload(
        wallet=await current_wallet(context, viewer.subscriber_id), checkout_url=started.checkout_url
    )


# ---------------------------------------------------------------------------------------- addPaymentMethod


@strawberry.input(description="The input of `addPaymentMethod`.")
class AddPaymentMethodInput:
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY_KEY)
    return_url: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Where the gateway sends the browser once the card is saved; must be on an allowed origin. Default: the portal's /payments/return page.",
    )
    cancel_url: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Where the gateway sends the browser when the subscriber cancels; must be on an allowed origin. Default: the portal's /payment-methods page.",
    )


@strawberry.type(
    description="The result of `addPaymentMethod`: what it changed, or why it was refused (`userErrors`)."
)
class AddPaymentMethodPayload:
    checkout_url: str | None = strawberry.field(
        default=None,
        description="The gateway's page where the subscriber enters the card (the portal never sees its number); null when refused.",
    )
    user_errors: list[AddPaymentMethodError] = strawberry.field(default_factory=list, description=USER_ERRORS)


async def add_payment_method(
    info: Info[Context, None], input: Annotated[AddPaymentMethodInput, strawberry.argument(description=INPUT)]
) -> AddPaymentMethodPayload:
    context = info.context
    viewer = context.require_viewer()
    started = await checkout_or_error(
        AddPaymentMethodError.of,
        AddPaymentMethodErrorCode.GATEWAY_UNAVAILABLE,
        input.idempotency_key,
        lambda: start_card_setup(
            context.backends,
            context.settings,
            viewer,
            idempotency_key=input.idempotency_key,
            return_url=given(input.return_url),
            cancel_url=given(input.cancel_url),
        ),
    )
    if not isinstance(started, CheckoutStart):
        return AddPaymentMethodPayload(user_errors=[started])
    await context.audit("card_added")
    return AddPaymentMethodPayload(checkout_url=started.checkout_url)


@strawberry.type
class PaymentMutation:
    pay_invoice: PayInvoicePayload = strawberry.mutation(
        resolver=pay_invoice,
        description=(
            "Start paying an invoice at the payment gateway. Redirect the browser to `checkoutUrl`. Refusals: "
            "`PayInvoiceErrorCode`."
        ),
        extensions=billing_only(),
    )
    top_up_wallet: TopUpWalletPayload = strawberry.mutation(
        resolver=top_up_wallet,
        description=(
            "Start a wallet top-up at the gateway. Redirect the browser to `checkoutUrl`. Refusals: "
            "`TopUpWalletErrorCode`."
        ),
        extensions=billing_only(),
    )
    add_payment_method: AddPaymentMethodPayload = strawberry.mutation(
        resolver=add_payment_method,
        description=(
            "Start saving a card at the gateway (setup mode). Redirect to `checkoutUrl`. Refusals: "
            "`AddPaymentMethodErrorCode`."
        ),
        extensions=billing_only(),
    )
