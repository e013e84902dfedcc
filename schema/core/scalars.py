"""Custom scalars: `DateTime` (with offset), `Date`, and `Decimal` (exact, serialized as a string).

Resolvers simply return `datetime`, `date` and `decimal.Decimal`; `SCALARS` maps those Python types to these
definitions in the schema's config.
"""

from __future__ import annotations

import decimal
import re
from datetime import UTC, date, datetime
from typing import Any

import strawberry
from graphql import IntValueNode, StringValueNode, ValueNode
from strawberry.types.scalar import ScalarDefinition


def serialize_datetime(value: datetime) -> str:
    if value.tzinfo is None:
        # A naive datetime is a bug upstream: we cannot say which instant it is.
        raise ValueError("DateTime values must be timezone-aware")
    if value.tzinfo is not UTC:  # the backends' records are decoded in UTC already: ~200 per dashboard page
        value = value.astimezone(UTC)
    return value.isoformat().replace("+00:00", "Z")


def parse_datetime(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("DateTime must be a string such as 2026-11-25T10:00:00Z")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date-time") from None
    if parsed.tzinfo is None:
        raise ValueError("DateTime needs an offset, e.g. 2026-11-25T10:00:00Z")
    return parsed


def serialize_date(value: date) -> str:
    if isinstance(value, datetime):
        raise ValueError("Date values must be dates, not date-times")
    return value.isoformat()


def parse_date(value: object) -> date:
    if not isinstance(value, str) or len(value) != 10:
        raise ValueError("Date must be a string such as 2026-11-30")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date") from None


def serialize_decimal(value: decimal.Decimal) -> str:
    if not isinstance(value, decimal.Decimal) or not value.is_finite():
        raise ValueError("Decimal values must be finite decimal.Decimal numbers")
    return format(value, "f")


def parse_decimal(value: object) -> decimal.Decimal:
    # Floats are refused on purpose: 0.1 + 0.2 is not money. Integers are exact and accepted.
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError('Decimal must be a string such as "29.99"')
    text = str(value).strip()
    # Plain notation only: an exponent such as 1e999999999 would be a tiny string but an enormous number.
    if not _PLAIN_DECIMAL.fullmatch(text):
        raise ValueError(f'{str(value)[:40]!r} is not a decimal number such as "29.99"')
    return decimal.Decimal(text)


_PLAIN_DECIMAL = re.compile(r"^[+-]?\d{1,30}(\.\d{1,12})?$")


def _literal(parse: Any, kinds: tuple[type[ValueNode], ...]) -> Any:
    def parse_literal(node: ValueNode, _variables: dict[str, Any] | None = None) -> Any:
        if not isinstance(node, kinds):
            raise ValueError("wrong literal type")
        return parse(node.value)  # type: ignore[attr-defined]

    return parse_literal


DateTimeScalar: ScalarDefinition = strawberry.scalar(
    name="DateTime",
    description="ISO 8601 date-time with offset, e.g. 2026-11-25T10:00:00Z",
    serialize=serialize_datetime,
    parse_value=parse_datetime,
    parse_literal=_literal(parse_datetime, (StringValueNode,)),
)
DateScalar: ScalarDefinition = strawberry.scalar(
    name="Date",
    description="ISO 8601 calendar date, e.g. 2026-11-30",
    serialize=serialize_date,
    parse_value=parse_date,
    parse_literal=_literal(parse_date, (StringValueNode,)),
)
DecimalScalar: ScalarDefinition = strawberry.scalar(
    name="Decimal",
    description='An exact decimal number serialized as a string, e.g. "29.99". Never a float.',
    serialize=serialize_decimal,
    parse_value=parse_decimal,
    parse_literal=_literal(parse_decimal, (StringValueNode, IntValueNode)),
)

SCALARS: dict[object, ScalarDefinition] = {
    datetime: DateTimeScalar,
    date: DateScalar,
    decimal.Decimal: DecimalScalar,
}
