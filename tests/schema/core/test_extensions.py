"""Global IDs, scalars, error masking and the request limits, on a schema built by `build_schema`."""

from __future__ import annotations

import decimal
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
import strawberry
from strawberry.schema.config import StrawberryConfig

from bff.core.settings import GraphQLLimits
from schema.core.errors import BadUserInput
from schema.core.extensions import schema_extensions
from schema.core.node import decode_id, decode_id_of, encode_id
from schema.core.scalars import SCALARS, parse_decimal, serialize_datetime


def test_global_ids_round_trip_and_are_opaque() -> None:
    gid = encode_id("SubService", "SS-3001-101")
    assert "SS-3001" not in gid and "=" not in gid
    assert decode_id(gid) == ("SubService", "SS-3001-101")
    assert decode_id_of(gid, "SubService") == "SS-3001-101"
    with pytest.raises(BadUserInput, match="Expected the ID of a Invoice"):
        decode_id_of(gid, "Invoice")


@pytest.mark.parametrize("bad", ["", "!!!", "Zm9v", "OlVTUi0x", "dXNyOlVTUi0x", "x" * 600, "QWJjOg"])
def test_malformed_ids_raise_bad_user_input(bad: str) -> None:
    with pytest.raises(BadUserInput) as caught:
        decode_id(bad)
    assert caught.value.extensions["code"] == "BAD_USER_INPUT"


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


@strawberry.type
class Probe:
    @strawberry.field
    def echo(self, amount: decimal.Decimal, day: date, at: datetime) -> str:
        return f"{amount}|{day.isoformat()}|{at.isoformat()}"

    @strawberry.field
    def money(self) -> decimal.Decimal:
        return decimal.Decimal("29.90")

    @strawberry.field
    def boom(self) -> str:
        raise RuntimeError("database password is hunter2")

    @strawberry.field
    def refused(self) -> str:
        raise BadUserInput("No such thing.", field="x")

    @strawberry.field
    def nested(self) -> Probe:
        return Probe()

    @strawberry.field
    def now(self) -> datetime:
        return datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def probe_schema(production: bool = False) -> strawberry.Schema:
    return strawberry.Schema(
        query=Probe,
        extensions=schema_extensions(
            GraphQLLimits(max_depth=3, max_aliases=2, max_tokens=60), introspection=not production
        ),
        config=StrawberryConfig(disable_field_suggestions=production, scalar_map=SCALARS),
    )


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


async def test_unexpected_errors_are_masked_and_coded_ones_pass() -> None:
    result = await probe_schema().execute("query { boom }")
    assert result.errors is not None
    assert result.errors[0].message == "Unexpected error."
    assert result.errors[0].extensions == {"code": "INTERNAL"}
    assert "hunter2" not in str(result.errors[0].formatted)
    coded = await probe_schema().execute("query { refused }")
    assert coded.errors is not None
    assert coded.errors[0].message == "No such thing."
    assert coded.errors[0].extensions == {"code": "BAD_USER_INPUT", "field": "x"}


async def test_limits_reject_with_their_own_message() -> None:
    schema = probe_schema()
    deep = await schema.execute("query { nested { nested { nested { nested { money } } } } }")
    assert deep.errors and "exceeds maximum operation depth" in deep.errors[0].message
    aliases = await schema.execute("query { a: money b: money c: money }")
    assert aliases.errors and "aliases" in aliases.errors[0].message
    tokens = await schema.execute("query { " + " ".join(f"f{i}: money" for i in range(40)) + " }")
    assert tokens.errors and "tokens" in tokens.errors[0].message


async def test_production_refuses_introspection_and_suggestions() -> None:
    dev = await probe_schema().execute("query { __schema { queryType { name } } }")
    assert dev.errors is None
    prod = probe_schema(production=True)
    refused = await prod.execute("query { __schema { queryType { name } } }")
    assert refused.errors and "introspection" in refused.errors[0].message.lower()
    typo = await prod.execute("query { mony }")
    assert typo.errors and "Did you mean" not in typo.errors[0].message
    typo_dev = await probe_schema().execute("query { mony }")
    assert typo_dev.errors and "Did you mean" in typo_dev.errors[0].message


async def test_repeated_documents_are_parsed_and_validated_once() -> None:
    from strawberry.extensions.parser_cache import _get_parse_cache
    from strawberry.extensions.validation_cache import _get_validate_cache

    from schema.core.extensions import CACHE_SIZE

    def parse_info() -> Any:
        return _get_parse_cache(CACHE_SIZE).cache_info()  # type: ignore[attr-defined]

    def validate_info() -> Any:
        return _get_validate_cache(CACHE_SIZE).cache_info()  # type: ignore[attr-defined]

    schema = probe_schema()
    query = "query { money nested { money } }"
    await schema.execute(query)
    parsed, validated = parse_info(), validate_info()
    for _ in range(3):
        assert (await schema.execute(query)).errors is None
    assert parse_info().hits == parsed.hits + 3
    # The depth/alias rules are built once per schema, so the validation cache can hit at all.
    assert validate_info().hits == validated.hits + 3
    # A cached document is still refused by the limits, every time.
    deep = "query { nested { nested { nested { nested { money } } } } }"
    assert (await schema.execute(deep)).errors
    assert (await schema.execute(deep)).errors
