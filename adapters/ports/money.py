"""Money as the ports carry it: an exact Decimal amount and an ISO 4217 currency code.

How many decimals a currency has (its minor unit: JPY 0, USD and EUR 2, KWD 3) comes from one place,
`exponent`, and everything that turns an amount into text or integers for another system goes through it:
the core's wire (`wire_amount`: "5000" JPY, "49.99" USD, "1.234" KWD), the gateway's integer minor units
(`to_minor` / `from_minor`) and what a subscriber reads (`Money.display`, through babel's CLDR data).
An amount finer than its currency allows is refused there rather than rounded: a KWD 1.234 payment must not
become 1.23 on its way to Billing.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

import msgspec
from babel.numbers import format_currency, get_currency_precision, get_currency_symbol

DEFAULT_LOCALE = "en_US"

# babel's precision is CLDR's `digits`: how many decimals people are *shown*. For these currencies CLDR shows
# none but ISO 4217 (and every payment network, Stripe included) counts the amount in hundredths (thousandths
# for IQD): HUF 1,000 is 100000 at the gateway, not 1000. Everywhere else CLDR and ISO 4217 agree (JPY 0,
# KWD/BHD/JOD/OMR/TND 3, CLF 4, the rest 2); `tests/adapters/test_money.py` pins both facts, so a babel
# upgrade that changes its data is noticed.
_ISO_WHERE_CLDR_SHOWS_FEWER = {
    "AFN": 2,
    "ALL": 2,
    "COP": 2,
    "HUF": 2,
    "IDR": 2,
    "IQD": 3,
    "IRR": 2,
    "KPW": 2,
    "LAK": 2,
    "LBP": 2,
    "MGA": 2,
    "MMK": 2,
    "SLL": 2,
    "SOS": 2,
    "SYP": 2,
    "YER": 2,
}


class AmountNotExact(ValueError):
    """An amount has more decimals than its currency's minor unit (USD 1.234, JPY 0.5)."""


@cache
def exponent(currency: str) -> int:
    """The currency's ISO 4217 minor unit: JPY 0, USD 2, KWD 3 (2 for a code nobody knows)."""
    code = currency.upper()
    return _ISO_WHERE_CLDR_SHOWS_FEWER.get(code) or get_currency_precision(code)


@cache
def quantum(currency: str) -> Decimal:
    """The smallest amount of the currency: Decimal("1") for JPY, "0.01" for USD, "0.001" for KWD."""
    return Decimal(1).scaleb(-exponent(currency))


class Money(msgspec.Struct, frozen=True, gc=False):
    """`gc=False`: a Money holds a Decimal and a str and can never be part of a reference cycle, so the
    garbage collector need not track the thousands of them a large page decodes (bench/RESULTS.md)."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        # NaN and Infinity are valid Decimal strings but no amount of money; while decoding, this
        # ValueError becomes a ContractViolation naming the field.
        if not self.amount.is_finite():
            raise ValueError("expected a finite decimal amount")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(quantum(currency) * 0, currency)

    def exact(self) -> Decimal:
        """The amount with exactly the currency's decimals ("5000" JPY, "49.90" USD, "1.234" KWD), or
        AmountNotExact when it is finer than the currency allows."""
        step = quantum(self.currency)
        exact = self.amount.quantize(step)
        if exact != self.amount:
            raise AmountNotExact(f"{self.amount} has more decimals than {self.currency} allows")
        return exact

    def __str__(self) -> str:
        try:
            return f"{self.exact()} {self.currency}"
        except AmountNotExact:
            return f"{self.amount} {self.currency}"

    def display(self, locale: str = DEFAULT_LOCALE) -> str:
        """As a subscriber reads it in a notification or e-mail, by the locale's CLDR rules: "$1,215.00",
        "€9.90", "¥5,000", "KWD 1.234", "CHF 1,000.00" (en_US). The currency's usual decimals are always
        shown and any finer ones kept: an amount is never rounded for display."""
        text = format_currency(self.amount, self.currency, locale=locale, decimal_quantization=False)
        # CLDR's currencySpacing, which babel does not apply: a symbol made of letters ("CHF", "KWD") is kept
        # apart from the digits by a no-break space.
        symbol = get_currency_symbol(self.currency, locale)
        if symbol[-1:].isalpha():
            text = re.sub(re.escape(symbol) + r"(?=\d)", symbol + "\xa0", text, count=1)
        if symbol[:1].isalpha():
            text = re.sub(r"(?<=\d)" + re.escape(symbol), "\xa0" + symbol, text, count=1)
        return text


def wire_amount(money: Money) -> str:
    """The amount as the core's JSON carries it: a Decimal string with the currency's decimals."""
    return str(money.exact())


def to_minor(money: Money) -> int:
    """49.99 USD → 4999; 5000 JPY → 5000; 1.234 KWD → 1234. AmountNotExact if finer than the currency."""
    return int(money.exact().scaleb(exponent(money.currency)))


def from_minor(minor: int, currency: str) -> Money:
    """4999, "usd" → Money(Decimal("49.99"), "USD"); 5000, "jpy" → Money(Decimal("5000"), "JPY")."""
    code = currency.upper()
    return Money(Decimal(minor).scaleb(-exponent(code)).quantize(quantum(code)), code)
