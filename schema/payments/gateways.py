"""Which payment gateways the portal offers (`GATEWAYS`): the `PaymentGateway` a payment mutation may name,
and `paymentGateways`, from which the web decides whether to show a choice at all."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.types import Info

from schema.core.context import Context
from schema.core.permission import IsAuthenticated, require


@strawberry.enum(description="A payment gateway the subscriber can pay through.")
class PaymentGateway(Enum):
    STRIPE = strawberry.enum_value(
        "stripe",
        description="Cards on Stripe's hosted page. Saved cards, autopay and add-on purchases are Stripe's only.",
    )
    PAYPAL = strawberry.enum_value(
        "paypal", description="PayPal's approval page: invoice payments and wallet top-ups only."
    )


_NAMES = {PaymentGateway.STRIPE: "stripe", PaymentGateway.PAYPAL: "paypal"}  # GATEWAYS' words
_BY_NAME = {name: gateway for gateway, name in _NAMES.items()}


def gateway_name(gateway: PaymentGateway | None) -> str | None:
    """The settings' name of a gateway a client chose; None: the portal's default (the first offered)."""
    return None if gateway is None else _NAMES[gateway]


async def payment_gateways(info: Info[Context, None]) -> list[PaymentGateway]:
    return [_BY_NAME[name] for name in info.context.settings.gateways]


@strawberry.type
class PaymentQuery:
    payment_gateways: list[PaymentGateway] = strawberry.field(
        resolver=payment_gateways,
        description=(
            "The gateways this portal takes payments through, the default first. Offer a choice only when"
            " there is more than one; `payInvoice` and `topUpWallet` take it as `gateway`."
        ),
        extensions=require(IsAuthenticated()),
    )
