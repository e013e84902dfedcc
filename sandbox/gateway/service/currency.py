"""Currencies as Stripe treats them: amounts in the smallest unit, zero-decimal currencies, minimum charges."""

from __future__ import annotations

import re

ZERO_DECIMAL = frozenset(
    [
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "ugx",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    ]
)
THREE_DECIMAL = frozenset(["bhd", "jod", "kwd", "omr", "tnd"])
# Stripe's minimum charge amounts for the currencies the sandbox is likely to see (smallest units).
MINIMUM = {"usd": 50, "eur": 50, "gbp": 30, "cad": 50, "aud": 50, "jpy": 50, "chf": 50, "mxn": 1000}
SYMBOL = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "cad": "CA$", "aud": "A$"}
_CODE = re.compile(r"[a-z]{3}")


def valid(code: str) -> bool:
    return bool(_CODE.fullmatch(code))


def minimum(code: str) -> int:
    """The smallest charge in minor units (one minor unit for a currency without a listed minimum)."""
    return MINIMUM.get(code, 1)


def exponent(code: str) -> int:
    if code in ZERO_DECIMAL:
        return 0
    return 3 if code in THREE_DECIMAL else 2


def display(minor: int, code: str) -> str:
    """`$49.99`, `¥5000`, `49.99 CHF`: what the hosted page shows."""
    places = exponent(code)
    whole, frac = divmod(minor, 10**places)
    number = f"{whole:,}" + (f".{frac:0{places}d}" if places else "")
    symbol = SYMBOL.get(code)
    return f"{symbol}{number}" if symbol else f"{number} {code.upper()}"
