"""Money as the ports carry it: an exact Decimal amount and an ISO 4217 currency code."""

from __future__ import annotations

from decimal import Decimal

import msgspec


class Money(msgspec.Struct, frozen=True, gc=False):
    """`gc=False`: a Money holds a Decimal and a str and can never be part of a reference cycle, so the
    garbage collector need not track the thousands of them a large page decodes."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        # NaN and Infinity are valid Decimal strings but no amount of money; while decoding, this
        # ValueError becomes a ContractViolation naming the field.
        if not self.amount.is_finite():
            raise ValueError("expected a finite decimal amount")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal("0.00"), currency)

    def __str__(self) -> str:
        return f"{self.amount:.2f} {self.currency}"

    def display(self) -> str:
        """As a subscriber reads it in a notification or e-mail: "$1,215.00", "€9.99", "1,000.00 CHF"."""
        symbol = _SYMBOLS.get(self.currency)
        number = f"{abs(self.amount):,.2f}"
        sign = "-" if self.amount < 0 else ""
        return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {self.currency}"


_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}
