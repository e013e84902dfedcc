"""Saved cards and autopay: what the gateway stored for the subscriber (brand, last 4, expiry — never the
number) and whether recurring invoices are charged to the default card. Starting to save a card is in
`schema.payments.mutations` (it goes through the gateway); everything here goes straight to Billing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

import strawberry
from strawberry.types import Info

from adapters.errors import NotFound, Rejected
from adapters.ports import billing, crm
from schema.core.context import Context
from schema.core.errors import UserError, user_error
from schema.core.node import Node, decode_id_of, encode_id, node_fetcher
from schema.core.resolver import typed_field
from schema.subscriber.types import Subscriber, own_subscriber
from schema.wallet.mutations import billing_only, not_found, refusal


def _today() -> date:
    return datetime.now(UTC).date()


def is_expired(method: billing.PaymentMethod, today: date | None = None) -> bool:
    """A card is good through the last day of its expiry month."""
    day = today or _today()
    return (method.exp_year, method.exp_month) < (day.year, day.month)


@strawberry.type
class PaymentMethod(Node):
    """A card saved at the payment gateway (never its number)."""

    record: strawberry.Private[billing.PaymentMethod]
    brand: str = strawberry.field(description="Card brand as the gateway reports it, e.g. visa, mastercard")
    last4: str
    exp_month: int
    exp_year: int
    is_default: bool
    expired: bool

    @classmethod
    def of(cls, m: billing.PaymentMethod) -> PaymentMethod:
        return cls(
            id=encode_id("PaymentMethod", m.id),
            record=m,
            brand=m.brand,
            last4=m.last4,
            exp_month=m.exp_month,
            exp_year=m.exp_year,
            is_default=m.is_default,
            expired=is_expired(m),
        )


@strawberry.type
class Autopay:
    enabled: bool
    subscriber_id: strawberry.Private[str]
    default_id: strawberry.Private[str | None]

    @classmethod
    def of(cls, account: billing.BillingAccount) -> Autopay:
        return cls(
            enabled=account.autopay,
            subscriber_id=account.subscriber_id,
            default_id=account.default_payment_method_id,
        )

    @typed_field(description="The card autopay charges (the default card); null when none is saved")
    async def payment_method(self, info: Info[Context, None]) -> PaymentMethod | None:
        if self.default_id is None:
            return None
        methods = await info.context.backends.billing.payment_methods(self.subscriber_id)
        found = next((m for m in methods if m.id == self.default_id), None)
        return PaymentMethod.of(found) if found is not None else None


async def payment_methods_of(context: Context, subscriber_id: str) -> list[PaymentMethod]:
    return [PaymentMethod.of(m) for m in await context.backends.billing.payment_methods(subscriber_id)]


async def autopay_of(context: Context, subscriber_id: str) -> Autopay:
    account = await context.loaders.account_by_subscriber_id.load(subscriber_id)
    if account is None:
        raise NotFound("billing", f"no account for subscriber {subscriber_id}")
    return Autopay.of(account)


def _manages_billing(info: Info[Context, None]) -> bool:
    viewer = info.context.viewer
    return viewer is not None and viewer.can_manage_billing


@strawberry.type
class SubscriberCards:
    """`Subscriber.paymentMethods` and `Subscriber.autopay`, merged into `Subscriber` by
    `schema.build_schema`. Both are null (not an empty list: "you may not know") for roles that may not
    manage billing, which a fail-silent permission extension cannot express for a list."""

    record: strawberry.Private[crm.Subscriber]

    @typed_field(
        description=(
            "Saved cards (tokens at the gateway: brand, last 4 digits, expiry — never the card number). "
            "Null for roles that may not manage billing (SITE, VIEWER)."
        )
    )
    async def payment_methods(self, info: Info[Context, None]) -> list[PaymentMethod] | None:
        if not _manages_billing(info):
            return None
        return await payment_methods_of(info.context, self.record.id)

    @typed_field(description="Null for roles that may not manage billing (SITE, VIEWER).")
    async def autopay(self, info: Info[Context, None]) -> Autopay | None:
        if not _manages_billing(info):
            return None
        return await autopay_of(info.context, self.record.id)


@node_fetcher("PaymentMethod")
async def fetch_payment_methods(context: Context, ids: Sequence[str]) -> dict[str, PaymentMethod]:
    viewer = context.require_viewer()
    if not viewer.can_manage_billing:
        return {}
    wanted = set(ids)
    return {
        m.record.id: m
        for m in await payment_methods_of(context, viewer.subscriber_id)
        if m.record.id in wanted
    }


# ---------------------------------------------------------------------------------------------- mutations


@strawberry.input
class RemovePaymentMethodInput:
    payment_method_id: strawberry.ID


@strawberry.type
class RemovePaymentMethodPayload:
    removed_payment_method_id: strawberry.ID | None = None
    subscriber: Subscriber | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class SetDefaultPaymentMethodInput:
    payment_method_id: strawberry.ID


@strawberry.type
class SetDefaultPaymentMethodPayload:
    payment_method: PaymentMethod | None = None
    subscriber: Subscriber | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class SetAutopayInput:
    enabled: bool


@strawberry.type
class SetAutopayPayload:
    autopay: Autopay | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


_CARD_FIELD = {"NOT_FOUND": "paymentMethodId", "PAYMENT_METHOD_IN_USE": "paymentMethodId"}


async def remove_payment_method(
    info: Info[Context, None], input: RemovePaymentMethodInput
) -> RemovePaymentMethodPayload:
    context = info.context
    viewer = context.require_viewer()
    method_id = decode_id_of(input.payment_method_id, "PaymentMethod")
    try:
        await context.backends.billing.remove_payment_method(viewer.subscriber_id, method_id)
    except NotFound:
        return RemovePaymentMethodPayload(user_errors=[not_found("payment method", "paymentMethodId")])
    except Rejected as exc:
        return RemovePaymentMethodPayload(user_errors=[refusal(exc, _CARD_FIELD)])
    return RemovePaymentMethodPayload(
        removed_payment_method_id=input.payment_method_id,
        subscriber=await own_subscriber(context, viewer),
    )


async def set_default_payment_method(
    info: Info[Context, None], input: SetDefaultPaymentMethodInput
) -> SetDefaultPaymentMethodPayload:
    context = info.context
    viewer = context.require_viewer()
    method_id = decode_id_of(input.payment_method_id, "PaymentMethod")
    port = context.backends.billing
    current = next((m for m in await port.payment_methods(viewer.subscriber_id) if m.id == method_id), None)
    if current is None:
        return SetDefaultPaymentMethodPayload(user_errors=[not_found("payment method", "paymentMethodId")])
    if is_expired(current):
        # Autopay would charge a card the gateway declines.
        return SetDefaultPaymentMethodPayload(
            user_errors=[
                user_error("CARD_EXPIRED", "This card has expired.", "input", "paymentMethodId"),
            ]
        )
    try:
        methods = await port.set_default_payment_method(viewer.subscriber_id, method_id)
    except NotFound:
        return SetDefaultPaymentMethodPayload(user_errors=[not_found("payment method", "paymentMethodId")])
    except Rejected as exc:
        return SetDefaultPaymentMethodPayload(user_errors=[refusal(exc, _CARD_FIELD)])
    chosen = next((m for m in methods if m.id == method_id), None)
    return SetDefaultPaymentMethodPayload(
        payment_method=PaymentMethod.of(chosen) if chosen is not None else None,
        subscriber=await own_subscriber(context, viewer),
    )


async def set_autopay(info: Info[Context, None], input: SetAutopayInput) -> SetAutopayPayload:
    context = info.context
    viewer = context.require_viewer()
    try:
        account = await context.backends.billing.set_autopay(viewer.subscriber_id, input.enabled)
    except Rejected as exc:
        return SetAutopayPayload(user_errors=[refusal(exc, {"AUTOPAY_REQUIRES_CARD": "enabled"})])
    return SetAutopayPayload(autopay=Autopay.of(account))


@strawberry.type
class CardMutation:
    remove_payment_method: RemovePaymentMethodPayload = strawberry.mutation(
        resolver=remove_payment_method,
        description=(
            "Codes: NOT_FOUND, PAYMENT_METHOD_IN_USE (the autopay card: turn autopay off or choose another "
            "default first)."
        ),
        extensions=billing_only(),
    )
    set_default_payment_method: SetDefaultPaymentMethodPayload = strawberry.mutation(
        resolver=set_default_payment_method,
        description="Codes: NOT_FOUND, CARD_EXPIRED.",
        extensions=billing_only(),
    )
    set_autopay: SetAutopayPayload = strawberry.mutation(
        resolver=set_autopay,
        description="Turn recurring card payments on or off. Codes: AUTOPAY_REQUIRES_CARD.",
        extensions=billing_only(),
    )
