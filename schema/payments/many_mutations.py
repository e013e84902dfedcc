"""`payInvoices`: several open invoices (or every overdue one) paid in one checkout at the gateway.

Like `payInvoice`, it only opens the hosted page; the webhook records each invoice's share when the gateway
says the money moved (`bff.core.payments.multi`), and `paymentSettled` tells the portal, once per invoice.
"""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from adapters.ports.gateway import MAX_INVOICES_PER_CHECKOUT
from bff.core.payments.checkout import CheckoutStart, start_invoices_payment
from schema.billing.types import Invoice
from schema.core.connection import given
from schema.core.context import Context
from schema.core.errors import BadUserInput
from schema.core.mutation import IDEMPOTENCY_KEY, INPUT, USER_ERRORS, billing_only, checkout_or_error
from schema.core.node import decode_id_of, nodes_of
from schema.payments.errors import PayInvoicesError, PayInvoicesErrorCode


@strawberry.input(description="The input of `payInvoices`: either `invoiceIds` or `allOverdue: true`.")
class PayInvoicesInput:
    invoice_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list,
        description="The invoices to pay (global IDs, 1 to 50, each once), in the order to list them.",
    )
    all_overdue: bool = strawberry.field(
        default=False, description="Pay every overdue invoice the viewer may pay (up to 50) instead."
    )
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


@strawberry.type(
    description="The result of `payInvoices`: what it opened, or why it was refused (`userErrors`)."
)
class PayInvoicesPayload:
    invoices: list[Invoice] = strawberry.field(
        default_factory=list,
        description="The invoices the checkout pays, as they are now (PAID once it settles: `paymentSettled`).",
    )
    checkout_url: str | None = strawberry.field(
        default=None, description="The gateway's page to send the browser to, to pay; null when refused."
    )
    user_errors: list[PayInvoicesError] = strawberry.field(default_factory=list, description=USER_ERRORS)


def _raw_ids(global_ids: list[strawberry.ID]) -> list[str]:
    """The invoices' raw ids; an ID that names no invoice becomes one no invoice has (so it is NOT_FOUND like a
    foreign or a missing one), distinct per position (so it is not taken for a duplicate)."""
    if len(global_ids) > MAX_INVOICES_PER_CHECKOUT:
        return ["?"] * len(global_ids)  # not decoded: the flow answers TOO_MANY_INVOICES first
    raw: list[str] = []
    for n, global_id in enumerate(global_ids):
        try:
            raw.append(decode_id_of(global_id, "Invoice"))
        except BadUserInput:
            raw.append(f"?{n}")
    return raw


async def pay_invoices(
    info: Info[Context, None], input: Annotated[PayInvoicesInput, strawberry.argument(description=INPUT)]
) -> PayInvoicesPayload:
    context = info.context
    viewer = context.require_viewer()
    started = await checkout_or_error(
        PayInvoicesError.of,
        PayInvoicesErrorCode.GATEWAY_UNAVAILABLE,
        input.idempotency_key,
        lambda: start_invoices_payment(
            context.backends,
            context.settings,
            viewer,
            _raw_ids(input.invoice_ids),
            all_overdue=input.all_overdue,
            idempotency_key=input.idempotency_key,
            return_url=given(input.return_url),
            cancel_url=given(input.cancel_url),
        ),
    )
    if not isinstance(started, CheckoutStart):
        return PayInvoicesPayload(user_errors=[started])
    invoices = await nodes_of(context, "Invoice", list(started.invoice_ids))
    await context.audit("payment_started", f"{len(started.invoice_ids)} invoices")
    return PayInvoicesPayload(invoices=invoices, checkout_url=started.checkout_url)


@strawberry.type
class PayInvoicesMutation:
    pay_invoices: PayInvoicesPayload = strawberry.mutation(
        resolver=pay_invoices,
        description=(
            "Start paying several invoices (or every overdue one) in one checkout at the payment gateway. "
            "Redirect the browser to `checkoutUrl`. Refusals: `PayInvoicesErrorCode`."
        ),
        extensions=billing_only(),
    )
