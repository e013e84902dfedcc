"""How amounts read in notifications and e-mails."""

from __future__ import annotations

from decimal import Decimal

import pytest

from adapters.ports.money import Money


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        ("92.97", "USD", "$92.97"),
        ("1215", "USD", "$1,215.00"),
        ("9.9", "EUR", "€9.90"),
        ("-5.00", "GBP", "-£5.00"),
        ("1000.00", "CHF", "1,000.00 CHF"),
    ],
)
def test_display(amount: str, currency: str, shown: str) -> None:
    assert Money(Decimal(amount), currency).display() == shown
