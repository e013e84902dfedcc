"""`DateTime` (with an offset, serialized in UTC), `Date` and `Decimal` (exact, a string, never a float)."""

from __future__ import annotations

import decimal
from datetime import datetime, timedelta, timezone

import pytest

from schema.core.scalars import parse_decimal, serialize_datetime
from tests.harness.portal import SignIn
from tests.schema.core.probe import probe_schema


def test_datetime_serializes_as_utc_z_and_refuses_naive() -> None:
    plus2 = timezone(timedelta(hours=2))
    assert serialize_datetime(datetime(2026, 11, 25, 12, 0, tzinfo=plus2)) == "2026-11-25T10:00:00Z"
    with pytest.raises(ValueError, match="timezone-aware"):
        serialize_datetime(datetime(2026, 11, 25, 12, 0))


@pytest.mark.parametrize("good", ["29.99", "0", "-5.10", 10])
def test_decimal_parses_strings_and_integers(good: object) -> None:
    assert parse_decimal(good) == decimal.Decimal(str(good))


@pytest.mark.parametrize("bad", [29.99, True, "abc", "NaN", "Infinity", "1e999999999999", None, "1" * 50])
def test_decimal_refuses_floats_and_garbage(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_decimal(bad)


async def test_scalars_over_graphql() -> None:
    schema = probe_schema()
    result = await schema.execute(
        'query { echo(amount: "12.50", day: "2026-11-30", at: "2026-11-25T10:00:00+01:00") money now }'
    )
    assert result.errors is None
    assert result.data == {
        "echo": "12.50|2026-11-30|2026-11-25T10:00:00+01:00",
        "money": "29.90",
        "now": "2026-11-25T10:00:00Z",
    }
    refused = await schema.execute(
        'query { echo(amount: 12.5, day: "2026-11-30", at: "2026-11-25T10:00:00Z") }'
    )
    assert refused.errors and "Decimal" in refused.errors[0].message
    naive = await schema.execute(
        'query($at: DateTime!) { echo(amount: "1", day: "2026-11-30", at: $at) }',
        variable_values={"at": "2026-11-25T10:00:00"},
    )
    assert naive.errors and "offset" in naive.errors[0].message


async def test_money_is_never_a_float(sign_in: SignIn) -> None:
    ana = await sign_in("ana@lima.example")
    result = await ana.execute(
        'mutation { topUpWallet(input: {amount: 25.5, idempotencyKey: "k"}) { checkoutUrl } }'
    )
    assert result["data"] is None and "errors" in result
