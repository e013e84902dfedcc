"""Saved cards and autopay: what the gateway stored for the subscriber (brand, last 4, expiry — never the
number) and whether recurring invoices are charged to the default card. Starting to save a card is in
`schema.payments.mutations` (it goes through the gateway); everything here goes straight to Billing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import strawberry
from strawberry.types import Info

from adapters.errors import NotFound
from adapters.ports import billing
from schema.core.context import Context
from schema.core.node import Node, encode_id
from schema.core.resolver import typed_field


def _today() -> date:
    return datetime.now(UTC).date()


def is_expired(method: billing.PaymentMethod, today: date | None = None) -> bool:
    """A card is good through the last day of its expiry month."""
    day = today or _today()
    return (method.exp_year, method.exp_month) < (day.year, day.month)


@strawberry.type(description="A card saved at the payment gateway (never its number).")
class PaymentMethod(Node):
    """A card saved at the payment gateway (never its number)."""

    record: strawberry.Private[billing.PaymentMethod]
    brand: str = strawberry.field(description="Card brand as the gateway reports it, e.g. visa, mastercard")
    last4: str = strawberry.field(description="The card number's last four digits, to tell cards apart.")
    exp_month: int = strawberry.field(description="Expiry month, 1 to 12.")
    exp_year: int = strawberry.field(description="Expiry year, four digits.")
    is_default: bool = strawberry.field(description="The card autopay charges.")
    expired: bool = strawberry.field(description="Past its expiry month: the gateway will refuse it.")

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


@strawberry.type(description="Automatic payment of each new invoice with the default card.")
class Autopay:
    enabled: bool = strawberry.field(
        description="Whether new invoices are charged to the default card when they are issued."
    )
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


def manages_billing(info: Info[Context, None]) -> bool:
    viewer = info.context.viewer
    return viewer is not None and viewer.can_manage_billing
