"""Money as the ports carry it: an exact Decimal amount and an ISO 4217 currency code."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

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
