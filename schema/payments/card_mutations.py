"""Saved cards and autopay, straight to Billing: removing a card, choosing the default, autopay on or off.
(Saving a card goes through the gateway: `schema.payments.mutations`.)"""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from adapters.errors import NotFound, Rejected
from schema.core.context import Context
from schema.core.errors import CodeT, ErrorFactory, ErrorT
from schema.core.mutation import INPUT, USER_ERRORS, billing_only, not_found, refusal
from schema.core.node import decode_id_of
from schema.payments.errors import (
    RemovePaymentMethodError,
    RemovePaymentMethodErrorCode,
    SetAutopayError,
    SetAutopayErrorCode,
    SetDefaultPaymentMethodError,
    SetDefaultPaymentMethodErrorCode,
)
from schema.payments.types import Autopay, PaymentMethod, is_expired
from schema.subscriber.types import Subscriber, own_subscriber


@strawberry.input(description="The input of `removePaymentMethod`.")
class RemovePaymentMethodInput:
    payment_method_id: strawberry.ID = strawberry.field(description="The card to remove (its global ID).")


@strawberry.type(
    description="The result of `removePaymentMethod`: what it changed, or why it was refused (`userErrors`)."
)
class RemovePaymentMethodPayload:
    removed_payment_method_id: strawberry.ID | None = strawberry.field(
        default=None, description="The ID of the card removed; null when refused."
    )
    subscriber: Subscriber | None = strawberry.field(
        default=None, description="The subscriber, with the saved cards as they are now."
    )
    user_errors: list[RemovePaymentMethodError] = strawberry.field(
        default_factory=list, description=USER_ERRORS
    )


@strawberry.input(description="The input of `setDefaultPaymentMethod`.")
class SetDefaultPaymentMethodInput:
    payment_method_id: strawberry.ID = strawberry.field(
        description="The card autopay should charge (its global ID)."
    )


@strawberry.type(
    description="The result of `setDefaultPaymentMethod`: what it changed, or why it was refused (`userErrors`)."
)
class SetDefaultPaymentMethodPayload:
    payment_method: PaymentMethod | None = strawberry.field(
        default=None, description="The card that is now the default."
    )
    subscriber: Subscriber | None = strawberry.field(
        default=None, description="The subscriber, with the saved cards as they are now."
    )
    user_errors: list[SetDefaultPaymentMethodError] = strawberry.field(
        default_factory=list, description=USER_ERRORS
    )


@strawberry.input(description="The input of `setAutopay`.")
class SetAutopayInput:
    enabled: bool = strawberry.field(
        description="Turn automatic payment of new invoices on (true) or off (false)."
    )


@strawberry.type(
    description="The result of `setAutopay`: what it changed, or why it was refused (`userErrors`)."
)
class SetAutopayPayload:
    autopay: Autopay | None = strawberry.field(default=None, description="Autopay as it is now.")
    user_errors: list[SetAutopayError] = strawberry.field(default_factory=list, description=USER_ERRORS)


_CARD_FIELD = {"NOT_FOUND": "paymentMethodId", "PAYMENT_METHOD_IN_USE": "paymentMethodId"}


def _no_card(error: ErrorFactory[CodeT, ErrorT], code: CodeT) -> ErrorT:
    return not_found(error, code, "payment method", "paymentMethodId")


async def remove_payment_method(
    info: Info[Context, None],
    input: Annotated[RemovePaymentMethodInput, strawberry.argument(description=INPUT)],
) -> RemovePaymentMethodPayload:
    context = info.context
    viewer = context.require_viewer()
    method_id = decode_id_of(input.payment_method_id, "PaymentMethod")
    try:
        await context.backends.billing.remove_payment_method(viewer.subscriber_id, method_id)
    except NotFound:
        return RemovePaymentMethodPayload(
            user_errors=[_no_card(RemovePaymentMethodError.of, RemovePaymentMethodErrorCode.NOT_FOUND)]
        )
    except Rejected as exc:
        error = refusal(RemovePaymentMethodError.of, exc, RemovePaymentMethodErrorCode.REFUSED, _CARD_FIELD)
        return RemovePaymentMethodPayload(user_errors=[error])
    await context.audit("card_removed")
    return RemovePaymentMethodPayload(
        removed_payment_method_id=input.payment_method_id,
        subscriber=await own_subscriber(context, viewer),
    )


async def set_default_payment_method(
    info: Info[Context, None],
    input: Annotated[SetDefaultPaymentMethodInput, strawberry.argument(description=INPUT)],
) -> SetDefaultPaymentMethodPayload:
    context = info.context
    viewer = context.require_viewer()
    method_id = decode_id_of(input.payment_method_id, "PaymentMethod")
    port = context.backends.billing
    current = next((m for m in await port.payment_methods(viewer.subscriber_id) if m.id == method_id), None)
    if current is None:
        return SetDefaultPaymentMethodPayload(
            user_errors=[
                _no_card(SetDefaultPaymentMethodError.of, SetDefaultPaymentMethodErrorCode.NOT_FOUND)
            ]
        )
    if is_expired(current):
        # Autopay would charge a card the gateway declines.
        return SetDefaultPaymentMethodPayload(
            user_errors=[
                SetDefaultPaymentMethodError.of(
                    SetDefaultPaymentMethodErrorCode.CARD_EXPIRED,
                    "This card has expired.",
                    "input",
                    "paymentMethodId",
                ),
            ]
        )
    try:
        methods = await port.set_default_payment_method(viewer.subscriber_id, method_id)
    except NotFound:
        return SetDefaultPaymentMethodPayload(
            user_errors=[
                _no_card(SetDefaultPaymentMethodError.of, SetDefaultPaymentMethodErrorCode.NOT_FOUND)
            ]
        )
    except Rejected as exc:
        error = refusal(
            SetDefaultPaymentMethodError.of, exc, SetDefaultPaymentMethodErrorCode.REFUSED, _CARD_FIELD
        )
        return SetDefaultPaymentMethodPayload(user_errors=[error])
    chosen = next((m for m in methods if m.id == method_id), None)
    await context.audit("default_card_changed")
    return SetDefaultPaymentMethodPayload(
        payment_method=PaymentMethod.of(chosen) if chosen is not None else None,
        subscriber=await own_subscriber(context, viewer),
    )


async def set_autopay(
    info: Info[Context, None], input: Annotated[SetAutopayInput, strawberry.argument(description=INPUT)]
) -> SetAutopayPayload:
    context = info.context
    viewer = context.require_viewer()
    try:
        account = await context.backends.billing.set_autopay(viewer.subscriber_id, input.enabled)
    except Rejected as exc:
        error = refusal(
            SetAutopayError.of, exc, SetAutopayErrorCode.REFUSED, {"AUTOPAY_REQUIRES_CARD": "enabled"}
        )
        return SetAutopayPayload(user_errors=[error])
    await context.audit("autopay_changed", "on" if input.enabled else "off")
    return SetAutopayPayload(autopay=Autopay.of(account))


@strawberry.type
class CardMutation:
    remove_payment_method: RemovePaymentMethodPayload = strawberry.mutation(
        resolver=remove_payment_method,
        description="Remove a saved card. Refusals: `RemovePaymentMethodErrorCode`.",
        extensions=billing_only(),
    )
    set_default_payment_method: SetDefaultPaymentMethodPayload = strawberry.mutation(
        resolver=set_default_payment_method,
        description="Make a saved card the default (the one autopay charges). Refusals: `SetDefaultPaymentMethodErrorCode`.",
        extensions=billing_only(),
    )
    set_autopay: SetAutopayPayload = strawberry.mutation(
        resolver=set_autopay,
        description="Turn recurring card payments on or off. Refusals: `SetAutopayErrorCode`.",
        extensions=billing_only(),
    )
