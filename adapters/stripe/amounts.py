"""Money ↔ Stripe amounts: integers in the currency's smallest unit, exactly (Decimal scaling, no floats).

Stripe's zero-decimal currencies (JPY, KRW, …) have exponent 0, its three-decimal ones (BHD, KWD, …) 3,
everything else 2.
"""

from __future__ import annotations

from decimal import Decimal

from adapters.errors import ContractViolation, Rejected
from adapters.ports.money import Money

BACKEND = "gateway"
ZERO_DECIMAL = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)
THREE_DECIMAL = frozenset(["BHD", "JOD", "KWD", "OMR", "TND"])


def exponent(currency: str) -> int:
    code = currency.upper()
    if code in ZERO_DECIMAL:
        return 0
    return 3 if code in THREE_DECIMAL else 2


def to_minor(money: Money) -> int:
    """49.99 USD → 4999; 5000 JPY → 5000. An amount finer than the currency allows is refused."""
    if not money.amount.is_finite() or money.amount <= 0:
        raise Rejected(BACKEND, "invalid_amount", f"{money} is not a positive amount", status=400)
    scaled = money.amount.scaleb(exponent(money.currency))
    if scaled != scaled.to_integral_value():
        raise Rejected(
            BACKEND, "invalid_amount", f"{money} has more decimals than {money.currency} allows", 400
        )
    return int(scaled)


def from_minor(minor: int, currency: str) -> Money:
    """4999, "usd" → Money(Decimal("49.99"), "USD")."""
    if isinstance(minor, bool) or not isinstance(minor, int):
        raise ContractViolation(BACKEND, f"amount {minor!r} is not an integer")
    places = exponent(currency)
    amount = Decimal(minor).scaleb(-places).quantize(Decimal(1).scaleb(-places))
    return Money(amount, currency.upper())
