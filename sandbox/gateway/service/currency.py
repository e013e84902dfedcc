"""Currencies as Stripe treats them: lower-case codes, amounts in the currency's minor unit (its exponent and
display come from `sandbox.common.money`, i.e. babel's CLDR data), and Stripe's minimum charge amounts."""

from __future__ import annotations

import re

from sandbox.common import money

# Stripe's minimum charge amounts for the currencies the sandbox is likely to see (minor units).
MINIMUM = {"usd": 50, "eur": 50, "gbp": 30, "cad": 50, "aud": 50, "jpy": 50, "chf": 50, "mxn": 1000}
_CODE = re.compile(r"[a-z]{3}")


def valid(code: str) -> bool:
    return bool(_CODE.fullmatch(code))


def minimum(code: str) -> int:
    """The smallest charge in minor units (one minor unit for a currency without a listed minimum)."""
    return MINIMUM.get(code, 1)


def display(minor: int, code: str) -> str:
    """`$49.99`, `¥5,000`, `KWD 1.234`: what the hosted page and Stripe's messages show."""
    return money.display(minor, code)
