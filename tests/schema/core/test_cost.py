"""The static cost estimate of `schema.core.cost` on the real schema."""

from __future__ import annotations

import pytest
from graphql import parse

from schema.build import build_schema
from schema.core.cost import DEFAULT_LIST_SIZE, estimate_cost

SCHEMA = build_schema()._schema


def cost(text: str, variables: dict[str, object] | None = None, name: str | None = None) -> int:
    return estimate_cost(SCHEMA, parse(text), name, variables)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{ viewer { role } }", 1),
        ("{ viewer { user { name } subscriber { name } } }", 3),
        # A connection: itself, then its page of items; their lists multiply.
        ("{ viewer { subscriber { subServices(first: 50) { nodes { label } } } } }", 1 + 1 + 1 + 50),
        (
            "{ viewer { subscriber { subServices(first: 50) { nodes { devices { serial } } } } } }",
            3 + 50 + 50 * DEFAULT_LIST_SIZE,
        ),
        # Values (`Money`) come with their object.
        ("{ viewer { subscriber { wallet { balance { amount } } } } }", 3),
        # `nodes(ids)` is as long as its list; `node(id)` one.
        ('{ nodes(ids: ["a", "b", "c"]) { id } node(id: "x") { id } }', 4),
        # No page size asked: the default page.
        ("{ viewer { subscriber { invoices { nodes { number } } } } }", 3 + DEFAULT_LIST_SIZE),
        ("{ __typename }", 0),
    ],
)
def test_estimates(text: str, expected: int) -> None:
    assert cost(text) == expected


def test_variables_fragments_and_the_named_operation_count() -> None:
    text = """
    fragment Cards on SubService { devices { id } }
    query A($n: Int) { viewer { subscriber { subServices(first: $n) { nodes { ...Cards ... on SubService { addOns { name } } } } } } }
    query B { viewer { role } }
    """
    assert cost(text, {"n": 2}, "A") == 3 + 2 + 2 * 20 + 2 * 20
    assert cost(text, {"n": 100}, "A") == 3 + 100 + 100 * 40
    assert cost(text, {}, "B") == 1
    assert cost(text, {}, None) == 0  # which one? validation or strawberry says
