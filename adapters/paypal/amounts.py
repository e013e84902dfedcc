"""Money ↔ PayPal amounts: `{"currency_code": "USD", "value": "49.99"}`, the value a decimal string with the
currency's decimals (never a float, never rounded).

The exponent is ISO 4217's (`adapters.ports.money.exponent`) except where PayPal departs from it: HUF and TWD
are whole amounts at PayPal ("this currency does not support decimals"), as JPY is everywhere.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from adapters.errors import ContractViolation, Rejected
from adapters.ports.money import Money
from adapters.ports.money import exponent as iso_exponent

BACKEND = "paypal"
_PAYPAL_DEPARTS_FROM_ISO = {"HUF": 0, "TWD": 0}


def exponent(currency: str) -> int:
    code = currency.upper()
    found = _PAYPAL_DEPARTS_FROM_ISO.get(code)
    return iso_exponent(code) if found is None else found


def to_value(money: Money) -> dict[str, str]:
    """Money(49.99, USD) → {"currency_code": "USD", "value": "49.99"}; JPY 5000 → "5000". An amount finer
    than PayPal takes for the currency is refused, never rounded."""
    amount = money.amount
    if not amount.is_finite() or amount <= 0:
        raise Rejected(BACKEND, "invalid_amount", f"{money} is not a positive amount", status=400)
    step = Decimal(1).scaleb(-exponent(money.currency))
    if amount != amount.quantize(step):
        raise Rejected(
            BACKEND, "invalid_amount", f"{money} has more decimals than PayPal takes in {money.currency}", 400
        )
    return {"currency_code": money.currency.upper(), "value": f"{amount.quantize(step):f}"}


def from_value(currency_code: str, value: str) -> Money:
    """PayPal's amount object → Money, exactly as written ("49.99" stays 49.99)."""
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ContractViolation(BACKEND, f"amount {value[:40]!r} is not a decimal") from None
    if not amount.is_finite() or len(currency_code) != 3:
        raise ContractViolation(BACKEND, f"amount {value[:40]!r} {currency_code[:5]!r} is not money")
    return Money(amount, currency_code.upper())
