"""Request-body checks for Billing's API: each returns a typed value or raises a 422 with a clear code."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from sandbox.common.http import invalid
from sandbox.common.money import MAX_AMOUNT, parse_amount

CURRENCY = re.compile(r"^[A-Z]{3}$")
REFERENCE_MAX = 200


def amount(body: dict[str, Any], key: str = "amount") -> Decimal:
    """A positive amount (string "12.34" or integer); AMOUNT_INVALID otherwise. Whether its decimals suit
    the currency is the service's to check: it knows which currency the amount is in."""
    parsed = parse_amount(body.get(key))
    if parsed is None or parsed <= 0:
        raise invalid(f"`{key}` must be a positive amount of at most {MAX_AMOUNT:,}", "AMOUNT_INVALID")
    return parsed


def opt_amount(body: dict[str, Any], key: str = "amount") -> Decimal | None:
    return None if body.get(key) is None else amount(body, key)


def text(body: dict[str, Any], key: str, max_len: int = REFERENCE_MAX) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > max_len:
        raise invalid(f"`{key}` must be a non-empty string of at most {max_len} characters")
    return value


def opt_text(body: dict[str, Any], key: str, max_len: int = REFERENCE_MAX) -> str | None:
    return None if body.get(key) is None else text(body, key, max_len)


def enum(body: dict[str, Any], key: str, allowed: tuple[str, ...]) -> str:
    value = body.get(key)
    if not isinstance(value, str) or value not in allowed:
        raise invalid(f"`{key}` must be one of {', '.join(allowed)}")
    return value


def opt_enum(body: dict[str, Any], key: str, allowed: tuple[str, ...]) -> str | None:
    return None if body.get(key) is None else enum(body, key, allowed)


def currency(body: dict[str, Any], key: str = "currency") -> str:
    value = body.get(key)
    if not isinstance(value, str) or not CURRENCY.match(value):
        raise invalid(f"`{key}` must be an ISO 4217 code such as USD")
    return value


def flag(body: dict[str, Any], key: str, default: bool | None = None) -> bool:
    value = body.get(key)
    if value is None and default is not None:
        return default
    if not isinstance(value, bool):
        raise invalid(f"`{key}` must be true or false")
    return value


def integer(body: dict[str, Any], key: str, low: int, high: int) -> int:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise invalid(f"`{key}` must be an integer from {low} to {high}")
    return value


def opt_day(body: dict[str, Any], key: str) -> date | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise invalid(f"`{key}` must be a date YYYY-MM-DD")


GIFT_CODE = re.compile(r"^[A-Za-z0-9-]{4,40}$")
