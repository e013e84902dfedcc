"""`Money { amount: Decimal, currency }`: exact amounts, never floats."""

from __future__ import annotations

from collections.abc import Collection
from decimal import ROUND_HALF_EVEN, Decimal

import strawberry

from adapters.ports.billing import Invoice
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


def invoice_share(invoice: Invoice, subservice_ids: Collection[str]) -> Decimal:
    """The part of an invoice's unpaid balance owed for `subservice_ids` (Billing's own rule: the lines'
    share of the total, applied to the balance, rounded half-even to the currency's minor unit). A
    per-sub-service invoice is all or nothing."""
    if invoice.subservice_id is not None:
        return invoice.balance.amount if invoice.subservice_id in subservice_ids else Decimal(0)
    lines = sum((ln.amount.amount for ln in invoice.lines if ln.subservice_id in subservice_ids), Decimal(0))
    if invoice.total.amount <= 0 or invoice.balance.amount <= 0:
        return Decimal(0)
    step = quantum(invoice.balance.currency)
    return (lines * invoice.balance.amount / invoice.total.amount).quantize(step, rounding=ROUND_HALF_EVEN)


def subservices_on(invoice: Invoice) -> set[str]:
    """The sub-services an invoice charges: its own, or those of its lines (a consolidated invoice)."""
    found = set(invoice.subservice_ids)
    if invoice.subservice_id is not None:
        found.add(invoice.subservice_id)
    return found
