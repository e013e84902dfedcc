"""Money ↔ Stripe amounts: integers in the currency's minor unit, exactly (Decimal scaling, no floats).

The exponent is the one `adapters.ports.money.exponent` gives every adapter (ISO 4217: JPY 0, USD 2, KWD 3),
with the two currencies where Stripe's API departs from ISO 4217: MGA is
zero-decimal at Stripe (ISO: 2) and ISK is sent as a two-decimal amount whose decimals are 00 (ISO: 0).
(Stripe also wants a three-decimal card amount to end in 0; it refuses KWD 1.234 itself, with its own code.)
"""

from __future__ import annotations

from decimal import Decimal

from adapters.errors import ContractViolation, Rejected
from adapters.ports.money import Money, quantum
from adapters.ports.money import exponent as iso_exponent

BACKEND = "gateway"
_STRIPE_DEPARTS_FROM_ISO = {"MGA": 0, "ISK": 2}


def exponent(currency: str) -> int:
    code = currency.upper()
    found = _STRIPE_DEPARTS_FROM_ISO.get(code)
    return iso_exponent(code) if found is None else found


def to_minor(money: Money) -> int:
    """49.99 USD → 4999; 5000 JPY → 5000; 1.234 KWD → 1234. An amount finer than the currency allows is
    refused, never rounded."""
    if not money.amount.is_finite() or money.amount <= 0:
        raise Rejected(BACKEND, "invalid_amount", f"{money} is not a positive amount", status=400)
    minor = money.amount.scaleb(exponent(money.currency))
    if money.amount != money.amount.quantize(quantum(money.currency)) or minor != minor.to_integral_value():
        raise Rejected(
            BACKEND, "invalid_amount", f"{money} has more decimals than {money.currency} allows", 400
        )
    return int(minor)


def from_minor(minor: int, currency: str) -> Money:
    """4999, "usd" → Money(Decimal("49.99"), "USD"); 1234, "kwd" → Money(Decimal("1.234"), "KWD")."""
    if isinstance(minor, bool) or not isinstance(minor, int):
        raise ContractViolation(BACKEND, f"amount {minor!r} is not an integer")
    code = currency.upper()
    places = exponent(code)
    amount = Decimal(minor).scaleb(-places)
    # To the currency's own decimals (ISK 500 → 5), unless the gateway sent finer ones: never rounded.
    return Money(amount.quantize(min(quantum(code), Decimal(1).scaleb(-places))), code)
