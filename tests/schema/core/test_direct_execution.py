"""`DirectExecution`: the direct fields completed in the selection loop answer exactly as graphql-core's own
path does — data, errors, their paths and locations — and the loop does take the direct way when it can."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import Info

from schema.core.direct import DirectExecution, make_direct


class Boom(Exception):
    pass


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Port(Named):
    number: int

    @strawberry.field
    def label(self) -> str:
        return f"{self.name}/{self.number}"

    @strawberry.field
    def fails(self) -> str | None:
        raise Boom(f"port {self.number} fails")

    @strawberry.field
    def must(self) -> str:
        raise Boom(f"port {self.number} must")

    @strawberry.field
    def nothing(self) -> str:
        return None  # type: ignore[return-value]  # a resolver that breaks its promise

    @strawberry.field
    async def later(self) -> int:
        await asyncio.sleep(0)
        return self.number * 10

    @strawberry.field
    async def later_fails(self) -> int:
        await asyncio.sleep(0)
        raise Boom(f"port {self.number} later")


@strawberry.type
class Other:
    name: str


@strawberry.type
class Device(Named):
    kind: str
    ports: list[Port]
    maybe_ports: list[Port | None] | None
    bad_ports: list[Port]  # holds a None: a null item where the type forbids it
    wrong: Port | None  # holds an `Other`: a value the type does not accept
    count: int  # holds a str that does not coerce

    @strawberry.field
    def first(self, info: Info[Any, None]) -> Port:
        assert info.path.key in ("first", "f1", "f2")
        return self.ports[0]

    @strawberry.field
    def about(self, info: Info[Any, None]) -> str:
        # What an `Info` tells a `(self, info)` resolver the loop calls: the same as graphql-core's path.
        selected = [getattr(f, "name", "?") for f in info.selected_fields[0].selections]
        return f"{info.field_name}:{info.python_name}:{info.path.as_list()}:{selected}:{info.context}"

    @strawberry.field
    def missing(self) -> Port:
        return None  # type: ignore[return-value]

    @strawberry.field
    async def later_port(self) -> Port | None:
        await asyncio.sleep(0)
        return self.ports[-1]

    @strawberry.field
    def not_a_list(self) -> list[Port] | None:
        return 42  # type: ignore[return-value]


def _device() -> Device:
    ports = [Port(name="eth", number=i) for i in range(3)]
    return Device(
        name="router",
        kind="CPE",
        ports=ports,
        maybe_ports=[ports[0], None, ports[1]],
        bad_ports=[ports[0], None],  # type: ignore[list-item]
        wrong=Other(name="x"),  # type: ignore[arg-type]
        count="many",  # type: ignore[arg-type]
    )


@strawberry.type
class Query:
    @strawberry.field
    def device(self) -> Device:
        return _device()

    @strawberry.field
    def devices(self) -> list[Device]:
        return [_device(), _device()]

    @strawberry.field
    def maybe(self) -> Device | None:
        return _device()


def _schemas(**kwargs: Any) -> tuple[strawberry.Schema, strawberry.Schema]:
    plain = strawberry.Schema(query=Query, types=[Other], **kwargs)
    direct = strawberry.Schema(query=Query, types=[Other], execution_context_class=DirectExecution, **kwargs)
    assert make_direct(direct) > 0
    return plain, direct


def _errors(errors: list[GraphQLError] | None) -> list[tuple[str, list[Any], Any]]:
    return sorted(
        (e.message, list(e.path or []), [(loc.line, loc.column) for loc in e.locations or []])
        for e in errors or []
    )


QUERIES = {
    "plain tree": "{ device { __typename name kind ports { name number label } first { label } } }",
    "what an info tells": "{ devices { about a: about @include(if: true) ports { label } } }",
    "aliases and fragments": """
        { d: device { ...A ports { n: number } } devices { ...A } }
        fragment A on Device { f1: first { label } f2: first { number } ports { label } }
    """,
    "interface spread": "{ device { ... on Named { name } ports { ... on Named { name } } } }",
    "a nullable field raises": "{ device { ports { number fails } } }",
    "a non-null field raises inside a list": "{ devices { ports { must } } }",
    "a non-null field returns null": "{ maybe { ports { nothing } } }",
    "a non-null object field returns null": "{ maybe { missing { label } } }",
    "a null item in a nullable list": "{ device { maybePorts { number } } }",
    "a null item in a non-null list": "{ maybe { badPorts { number } } }",
    "a value of another class": "{ device { wrong { number } } }",
    "a leaf that does not coerce": "{ maybe { count } }",
    "not a list": "{ device { notAList { number } } }",
    "awaitables in lists": "{ devices { ports { later } laterPort { later } } }",
    "awaitables that fail": "{ device { ports { number laterFails } } }",
    "skip and include": "{ device { ports @skip(if: true) { number } first @include(if: true) { label } } }",
}


@pytest.mark.parametrize("query", list(QUERIES.values()), ids=list(QUERIES))
async def test_the_direct_loop_answers_as_graphql_core_does(query: str) -> None:
    plain, direct = _schemas()
    expected = await plain.execute(query, context_value="ctx")
    got = await direct.execute(query, context_value="ctx")
    assert got.data == expected.data
    assert _errors(got.errors) == _errors(expected.errors)


class Shout(SchemaExtension):
    """An extension with a `resolve` hook: a resolver middleware, under which the loop is graphql-core's."""

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        value = _next(root, info, *args, **kwargs)
        return value.upper() if isinstance(value, str) else value


async def test_a_resolver_middleware_still_sees_every_field() -> None:
    plain, direct = _schemas(extensions=[Shout])
    query = "{ device { name ports { label } } }"
    expected, got = await plain.execute(query), await direct.execute(query)
    assert (
        got.data
        == expected.data
        == {
            "device": {
                "name": "ROUTER",
                "ports": [{"label": "ETH/0"}, {"label": "ETH/1"}, {"label": "ETH/2"}],
            }
        }
    )


async def test_the_loop_takes_the_direct_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """graphql-core's `execute_field` does not run at all: every field of this query is a direct one, completed
    in the loop (graphql-core's path calls it for each of the query's non-leaf fields and computed leaves)."""
    calls: list[str] = []
    original = DirectExecution.execute_field

    def counting(self: DirectExecution, parent_type: Any, *args: Any) -> Any:
        calls.append(parent_type.name)
        return original(self, parent_type, *args)

    monkeypatch.setattr(DirectExecution, "execute_field", counting)
    _plain, direct = _schemas()
    result = await direct.execute("{ device { name kind ports { name number label } first { label } } }")
    assert result.errors is None
    assert result.data is not None and len(result.data["device"]["ports"]) == 3
    assert calls == []
