"""Saved cards and autopay, straight to Billing: removing a card, choosing the default, autopay on or off.
(Saving a card goes through the gateway: `schema.payments.mutations`.)"""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from adapters.errors import NotFound, Rejected
from schema.core.context import Context
from schema.core.errors import UserError, user_error
from schema.core.mutation import billing_only, not_found, refusal
from schema.core.node import decode_id_of
from schema.payments.types import Autopay, PaymentMethod, is_expired
from schema.subscriber.types import Subscriber, own_subscriber


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
