"""Direct resolvers (`schema.core.direct`): which fields are rewired, and that a rewired field answers as
strawberry's own path did."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry
from graphql import GraphQLObjectType
from strawberry.types import Info

from schema.build import build_schema
from schema.core.direct import DIRECT, make_direct


def _direct(schema: strawberry.Schema, type_name: str, field: str) -> bool:
    graphql_type = schema._schema.type_map[type_name]
    assert isinstance(graphql_type, GraphQLObjectType)
    return bool(getattr(graphql_type.fields[field].resolve, DIRECT, False))


@pytest.fixture(scope="module")
def portal_schema() -> strawberry.Schema:
    return build_schema()


@pytest.mark.parametrize(
    ("type_name", "field"),
    [
        ("SubService", "label"),  # a plain attribute
        ("SubService", "status"),  # def status(self, info)
        ("SubService", "devices"),
        ("Money", "amount"),
    ],
)
def test_plain_fields_of_the_page_are_direct(
    portal_schema: strawberry.Schema, type_name: str, field: str
) -> None:
    assert _direct(portal_schema, type_name, field)


@pytest.mark.parametrize(
    ("type_name", "field", "why"),
    [
        ("SubService", "usage", "arguments"),
        ("SubService", "planChangePreview", "arguments"),
        ("Viewer", "team", "a permission extension"),
        ("Subscription", "paymentSettled", "a subscription"),
    ],
)
def test_fields_strawberry_must_wrap_keep_its_path(
    portal_schema: strawberry.Schema, type_name: str, field: str, why: str
) -> None:
    assert not _direct(portal_schema, type_name, field), why


@strawberry.type
class Thing:
    name: str
    secret: strawberry.Private[str]

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()

    @strawberry.field
    def whose(self, info: Info[Any, None]) -> str:
        # The Info a direct call builds: the raw info, this field, the context.
        return f"{info.field_name}:{info.python_name}:{info.context['who']}:{info.path.key}"

    @strawberry.field
    async def later(self, info: Info[Any, None]) -> str:
        return f"{self.secret}@{info.context['who']}"

    @strawberry.field
    def echo(self, word: str) -> str:
        return word


@strawberry.type
class Query:
    @strawberry.field
    def thing(self) -> Thing:
        return Thing(name="router", secret="s")


QUERY = '{ thing { name shout whose later echo(word: "hi") } }'


async def test_a_direct_field_answers_as_strawberry_did() -> None:
    wrapped = strawberry.Schema(query=Query)
    direct = strawberry.Schema(query=Query)
    assert (
        make_direct(direct) == 5
    )  # Query.thing and Thing's name, shout, whose, later; not echo (an argument)
    answers = [await s.execute(QUERY, context_value={"who": "ana"}) for s in (wrapped, direct)]
    assert answers[0].errors is None
    assert (
        answers[0].data
        == answers[1].data
        == {
            "thing": {
                "name": "router",
                "shout": "ROUTER",
                "whose": "whose:whose:ana:whose",
                "later": "s@ana",
                "echo": "hi",
            }
        }
    )
