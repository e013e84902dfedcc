"""The sandbox's money rules: minor units by the currency's exponent, exact wire strings, babel's display."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sandbox.common.money import (
    InexactAmount,
    display,
    exponent,
    from_minor,
    parse_amount,
    round_to_minor,
    to_minor,
    wire,
)


@pytest.mark.parametrize(
    ("currency", "places", "amount", "minor", "wire_form", "shown"),
    [
        ("JPY", 0, "5000", 5000, "5000", "¥5,000"),
        ("USD", 2, "29.99", 2999, "29.99", "$29.99"),
        ("EUR", 2, "1234.5", 123450, "1234.50", "€1,234.50"),
        ("KWD", 3, "1.234", 1234, "1.234", "KWD\u00a01.234"),
    ],
)
def test_each_currency_keeps_its_own_decimals(
    currency: str, places: int, amount: str, minor: int, wire_form: str, shown: str
) -> None:
    assert exponent(currency) == exponent(currency.lower()) == places
    assert to_minor(amount, currency) == minor
    assert from_minor(minor, currency) == Decimal(amount)
    assert wire(minor, currency) == wire_form
    assert display(minor, currency) == shown


@pytest.mark.parametrize(
    ("amount", "currency"), [("29.99", "JPY"), ("0.5", "JPY"), ("1.234", "USD"), ("1.2345", "KWD")]
)
def test_an_amount_finer_than_the_currency_is_refused(amount: str, currency: str) -> None:
    with pytest.raises(InexactAmount):
        to_minor(amount, currency)


def test_trailing_zeros_are_not_extra_decimals() -> None:
    assert to_minor("5000.00", "JPY") == 5000
    assert to_minor("1.230", "USD") == 123
    assert to_minor(7, "KWD") == 7000


def test_rounding_follows_the_currency_half_even() -> None:
    # What the seed does with prices written once for every currency.
    assert round_to_minor(Decimal("49.99"), "JPY") == 50
    assert round_to_minor(Decimal("0.5"), "JPY") == 0
    assert round_to_minor(Decimal("1.5"), "JPY") == 2
    assert round_to_minor(Decimal("10") / 3, "USD") == 333
    assert round_to_minor(Decimal("10") / 3, "KWD") == 3333


def test_negative_amounts_keep_their_decimals() -> None:
    assert wire(-250, "USD") == "-2.50"
    assert wire(-250, "JPY") == "-250"
    assert wire(-5, "KWD") == "-0.005"


@pytest.mark.parametrize("raw", ["12", "12.3456", 12, "0"])
def test_parse_amount_takes_any_decimals_and_leaves_them_to_the_currency(raw: object) -> None:
    assert parse_amount(raw) == Decimal(str(raw))


@pytest.mark.parametrize("raw", ["-1", "NaN", "Infinity", "1e9", "x", True, 1.5, None, "10000000.01"])
def test_parse_amount_refuses_what_is_no_amount(raw: object) -> None:
    assert parse_amount(raw) is None
