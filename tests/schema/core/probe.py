"""A tiny schema of the core's pieces alone (the scalars, error masking, the limits), as `build_schema` wires
them, for testing them without a backend: `probe_schema()`, with a production flavour."""

from __future__ import annotations

import decimal
from datetime import UTC, date, datetime

import strawberry
from strawberry.schema.config import StrawberryConfig

from bff.core.settings import GraphQLLimits
from schema.core.document import DocumentCache
from schema.core.errors import BadUserInput
from schema.core.extensions import schema_extensions
from schema.core.scalars import SCALARS


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


PROBE_LIMITS = GraphQLLimits(max_depth=3, max_aliases=2, max_tokens=60)


def probe_schema(
    production: bool = False, *, limits: GraphQLLimits = PROBE_LIMITS, documents: DocumentCache | None = None
) -> strawberry.Schema:
    """The probe schema; `documents` is its document cache when a test reads it."""
    return strawberry.Schema(
        query=Probe,
        extensions=schema_extensions(limits, introspection=not production, documents=documents),
        config=StrawberryConfig(disable_field_suggestions=production, scalar_map=SCALARS),
    )
