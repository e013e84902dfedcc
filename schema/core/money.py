"""`Money { amount: Decimal, currency }`: exact amounts, never floats."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from adapters.ports.money import Money as MoneyValue
from adapters.ports.money import quantum


@strawberry.type(description="An exact amount of money in one currency.")
class Money:
    amount: Decimal = strawberry.field(description="The amount, exact (a decimal string, never a float).")
    currency: str = strawberry.field(description="ISO 4217 code")

    @classmethod
    def of(cls, value: MoneyValue) -> Money:
        return cls(amount=value.amount, currency=value.currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(amount=MoneyValue.zero(currency).amount, currency=currency)


def total(values: list[MoneyValue], currency: str) -> Money:
    """The sum of `values` (all in `currency`), as a GraphQL `Money`."""
    amount = sum((v.amount for v in values), Decimal(0))
    return Money(amount=amount.quantize(quantum(currency)), currency=currency)
