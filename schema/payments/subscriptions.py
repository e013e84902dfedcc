"""`paymentSettled`: a payment the viewer may see went through at the gateway and was recorded."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import Enum

import strawberry
from strawberry.types import Info

from adapters.errors import BackendError
from adapters.ports.money import Money as MoneyValue
from bff.core.bus import SETTLED_ADD_ON, SETTLED_INVOICE, SETTLED_WALLET_TOPUP, BusEvent
from schema.billing.types import Invoice, visible_invoice
from schema.core.context import Context
from schema.core.feed import (
    SETTLED,
    fresh_loaders,
    moment,
    skipped,
    subscribing_viewer,
    text,
    texts,
    viewer_events,
)
from schema.core.money import Money
from schema.core.permission import can_see_wallet
from schema.service.types import SubService, visible_subservices_by_id
from schema.wallet.types import Wallet

log = logging.getLogger("wispgate.subscriptions")


@strawberry.enum(description="What a settled gateway payment paid for.")
class PaymentKind(Enum):
    INVOICE = strawberry.enum_value(
        SETTLED_INVOICE, description="An invoice paid through the gateway (checkout or autopay)"
    )
    WALLET_TOPUP = strawberry.enum_value(
        SETTLED_WALLET_TOPUP, description="A wallet top-up paid through the gateway"
    )
    ADD_ON = strawberry.enum_value(
        SETTLED_ADD_ON, description="An add-on or data top-up paid by card (`buyAddOn`)"
    )


async def _settled_wallet(root: PaymentSettled, info: Info[Context, None]) -> Wallet | None:
    viewer = info.context.viewer
    if not can_see_wallet(viewer):
        return None  # the same rule as `Subscriber.wallet`
    account = await info.context.loaders.account_by_subscriber_id.load(root.subscriber_id)
    if account is None:
        return None
    return Wallet(subscriber_id=root.subscriber_id, balance=Money.of(account.wallet_balance))


@strawberry.type(
    description="A payment through the gateway that has settled (checkout, autopay or a top-up)."
)
class PaymentSettled:
    subscriber_id: strawberry.Private[str]
    kind: PaymentKind = strawberry.field(
        description="What it paid for: an invoice, a wallet top-up or an add-on."
    )
    amount: Money = strawberry.field(description="The amount settled.")
    invoice: Invoice | None = strawberry.field(
        description="INVOICE: the invoice as it is now (PAID when fully settled)"
    )
    # Read only when selected (one Billing call), and null for SITE users.
    wallet: Wallet | None = strawberry.field(
        resolver=_settled_wallet, description="WALLET_TOPUP: the wallet as it is now"
    )
    reactivated: list[SubService] = strawberry.field(
        description="Sub-services that came back to ACTIVE because of this payment"
    )
    settled_at: datetime = strawberry.field(description="When the gateway confirmed it.")


def _settled(event: BusEvent) -> tuple[PaymentKind, MoneyValue] | None:
    try:
        kind = PaymentKind(event.data.get("kind"))
        amount = Decimal(str(event.data.get("amount")))
    except (ValueError, InvalidOperation):
        return None
    currency = text(event.data, "currency")
    if not amount.is_finite() or currency is None:
        return None
    return kind, MoneyValue(amount, currency)


async def payment_settled(info: Info[Context, None]) -> AsyncIterator[PaymentSettled]:
    context = info.context
    viewer = await subscribing_viewer(info)

    async def feed() -> AsyncIterator[PaymentSettled]:
        async for event in viewer_events(context, viewer, {SETTLED}):
            parsed = _settled(event)
            if parsed is None:
                log.warning("malformed %s event %s ignored", event.type, event.id)
                continue
            kind, amount = parsed
            if kind is PaymentKind.WALLET_TOPUP and not can_see_wallet(viewer):
                continue
            loaders = fresh_loaders(context)
            try:
                invoice = await visible_invoice(loaders, viewer, text(event.data, "invoice_id"))
                reactivated = await visible_subservices_by_id(
                    loaders, viewer, texts(event.data, "reactivated_subservice_ids")
                )
            except BackendError as exc:
                skipped(event, exc)
                continue
            if viewer.is_site_user and invoice is None and not reactivated:
                continue  # nothing of theirs was paid
            yield PaymentSettled(
                kind=kind,
                amount=Money.of(amount),
                invoice=invoice,
                subscriber_id=viewer.subscriber_id,
                reactivated=reactivated,
                settled_at=moment(event.occurred_at),
            )

    return feed()


@strawberry.type
class PaymentSubscription:
    payment_settled: AsyncIterator[PaymentSettled] = strawberry.subscription(
        resolver=payment_settled,
        description="A payment the viewer may see went through at the gateway and was recorded.",
    )
