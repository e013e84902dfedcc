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
