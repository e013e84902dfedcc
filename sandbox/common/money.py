"""Money in the sandbox: integer minor units in SQLite, Decimal strings on the wire."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

CENT = Decimal("0.01")


def to_minor(amount: Decimal | str | int) -> int:
    value = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_EVEN)
    return int(value * 100)


def from_minor(minor: int) -> Decimal:
    return (Decimal(minor) / 100).quantize(CENT)


def wire(minor: int) -> str:
    """The wire form of an amount: a string with exactly two decimals, e.g. "29.99"."""
    return str(from_minor(minor))


def parse_amount(raw: object) -> Decimal | None:
    """A positive-or-zero amount with at most two decimals, from a JSON string or number; None if invalid."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value != value.quantize(CENT) or value > Decimal("10000000"):
        return None
    return value.quantize(CENT)
