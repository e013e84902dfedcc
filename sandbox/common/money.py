"""Money in the sandbox: integers in the currency's minor unit in SQLite, decimal strings on the wire.

The minor unit follows the currency's ISO 4217 exponent (JPY 0, USD 2, KWD 3) — the one rule the whole
product uses, `adapters.ports.money.exponent` — so 5000 JPY is stored as 5000 and written "5000", 29.99 USD
as 2999 and "29.99", 1.234 KWD as 1234 and "1.234". The display form is babel's `format_currency`
("$49.99", "¥5,000", "KWD 1.234").
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from babel.numbers import format_currency

from adapters.ports.money import exponent as iso_exponent

MAX_AMOUNT = Decimal("10000000")  # the largest amount a request may name, in major units
DISPLAY_LOCALE = "en"
# CLDR's currency spacing, which babel does not apply: a symbol that is a code ("KWD") is set apart from
# the digits by a no-break space, as CLDR's `insertBetween` says.
_CODE_THEN_DIGIT = re.compile(r"(?<=[A-Za-z])(?=[0-9])")


class InexactAmount(ValueError):
    """An amount with more decimals than its currency has (29.99 JPY, 1.2345 KWD)."""


def exponent(currency: str) -> int:
    """How many decimals the currency's minor unit has: 0 for JPY, 2 for USD, 3 for KWD."""
    return iso_exponent(currency)


def _unit(currency: str) -> Decimal:
    return Decimal(1).scaleb(-exponent(currency))


def to_minor(amount: Decimal | str | int, currency: str) -> int:
    """The amount in minor units, exactly: "29.99" USD → 2999, "5000" JPY → 5000, "1.234" KWD → 1234.

    Raises InexactAmount when the amount is finer than the currency's minor unit ("29.99" JPY)."""
    value = Decimal(str(amount))
    exact = value.quantize(_unit(currency))
    if exact != value:
        raise InexactAmount(f"{amount} has more decimals than {currency.upper()} has")
    return int(exact.scaleb(exponent(currency)))


def round_to_minor(amount: Decimal | str | int, currency: str) -> int:
    """The amount in minor units, rounded half-even to the currency's minor unit (prices the seed states in
    one set of figures for every currency: 49.99 becomes 50 JPY)."""
    value = Decimal(str(amount)).quantize(_unit(currency), rounding=ROUND_HALF_EVEN)
    return int(value.scaleb(exponent(currency)))


def from_minor(minor: int, currency: str) -> Decimal:
    """2999, "USD" → Decimal("29.99"); 5000, "JPY" → Decimal("5000")."""
    return Decimal(minor).scaleb(-exponent(currency)).quantize(_unit(currency))


def wire(minor: int, currency: str) -> str:
    """The wire form of an amount: a string with exactly the currency's decimals ("29.99", "5000", "1.234")."""
    return str(from_minor(minor, currency))


def display(minor: int, currency: str) -> str:
    """What a person reads: "$49.99", "¥5,000", "KWD 1.234" (babel's `format_currency`, CLDR's English)."""
    text = format_currency(from_minor(minor, currency), currency.upper(), locale=DISPLAY_LOCALE)
    return _CODE_THEN_DIGIT.sub("\u00a0", text, count=1)


def parse_amount(raw: object) -> Decimal | None:
    """A zero-or-positive amount of at most 10,000,000 from a JSON string or number; None if invalid.

    Whether its decimals suit the currency is for `to_minor` to say, once the currency is known."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value > MAX_AMOUNT:
        return None
    return value
