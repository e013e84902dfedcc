"""The validation budget and the document cache (`schema.core.document`), and the same checks on the path
that does not pass the HTTP view (WebSocket operations, in-process `schema.execute`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from graphql import parse
from graphql.validation.rules.overlapping_fields_can_be_merged import OverlappingFieldsCanBeMergedRule

from bff.core.settings import GraphQLLimits
from schema.core.document import DocumentCache, measure
from tests.schema.core.probe import probe_schema

OPEN = GraphQLLimits(max_selections=10**9, max_field_pairs=10**9)


def smallest_fitting(document: str, limits: Callable[[int], GraphQLLimits]) -> int:
    parsed = parse(document)
    low, high = 0, 10**6
    while low < high:
        middle = (low + high) // 2
        if measure(parsed, limits(middle)) is None:
            high = middle
        else:
            low = middle + 1
    return low


def selections(document: str) -> int:
    """The selection count `measure` arrives at: the smallest budget the document fits."""
    return smallest_fitting(document, lambda n: GraphQLLimits(max_selections=n, max_field_pairs=10**9))


def pairs(document: str) -> int:
    return smallest_fitting(document, lambda n: GraphQLLimits(max_selections=10**9, max_field_pairs=n))


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    made = [0]
    original = OverlappingFieldsCanBeMergedRule.__init__

    def counting(self: OverlappingFieldsCanBeMergedRule, *args: Any, **kw: Any) -> None:
        made[0] += 1
        original(self, *args, **kw)

    monkeypatch.setattr(OverlappingFieldsCanBeMergedRule, "__init__", counting)
    yield made


def test_selections_count_each_fragment_where_it_is_spread() -> None:
    assert selections("{ a b { c d } }") == 4
    assert selections("{ ... on Q { a b } }") == 3
    # The definition of F (2) is validated on its own, and each of its three spreads brings its 2 in again.
    assert selections("{ ...F ...F ...F } fragment F on Q { a b }") == 2 + 3 * (1 + 2)
    nested = "{ ...G } fragment G on Q { ...F ...F } fragment F on Q { a b }"
    assert selections(nested) == 2 + 2 * 3 + (1 + 2 * 3)


def test_a_fragment_bomb_is_counted_without_being_expanded() -> None:
    bomb = "query { ...F9 } fragment F0 on Q { a } " + " ".join(
        f"fragment F{i} on Q {{ {' '.join([f'...F{i - 1}'] * 10)} }}" for i in range(1, 10)
    )
    # 10^9 fields expanded; the walk stops at the budget.
    assert measure(parse(bomb), GraphQLLimits(max_selections=1000)) is not None


def test_duplicate_fragment_definitions_each_count() -> None:
    assert selections("{ ...F } fragment F on Q { a b } fragment F on Q { a b }") == 3 + 2 + 2


def test_fragment_cycles_end() -> None:
    cycle = "{ ...A } fragment A on Q { a ...B } fragment B on Q { b ...A }"
    assert measure(parse(cycle), OPEN) is None
    # Each root stops where it would spread a fragment it is already inside: the operation, A and B.
    assert selections(cycle) == (1 + 2 + 2) + (2 + 2) + (2 + 2)


def test_pairs_are_counted_in_merged_selection_sets() -> None:
    assert pairs("{ a b c }") == 0
    assert pairs("{ a a a }") == 3
    assert pairs("{ x: a x: b }") == 1  # by response name
    assert pairs("{ a ... on Q { a } }") == 1
    assert pairs("{ ...F ...F } fragment F on Q { a }") == 1
    # Same-named fields' sub-selections merge: the two `n`s and the two `m`s under them.
    assert pairs("{ n { m } n { m } }") == 2
    assert pairs("{ " + " ".join(['node(id: "x") { id }'] * 200) + " }") == 2 * (200 * 199 // 2)


async def test_documents_over_budget_are_refused_without_validation(validations: list[int]) -> None:
    schema = probe_schema(limits=GraphQLLimits(max_tokens=5000, max_selections=100, max_field_pairs=10))
    result = await schema.execute("{ " + " ".join(["money"] * 101) + " }")
    assert result.errors is not None and result.data is None
    assert [e.extensions for e in result.errors] == [{"code": "QUERY_TOO_COMPLEX"}]
    assert "100 selections" in result.errors[0].message
    result = await schema.execute("{ " + " ".join(["money"] * 6) + " }")
    assert result.errors is not None and result.errors[0].extensions == {"code": "QUERY_TOO_COMPLEX"}
    assert validations[0] == 0
    assert (await schema.execute("{ money money }")).errors is None
    assert validations[0] == 1


async def test_parse_and_validation_errors_carry_codes() -> None:
    schema = probe_schema()
    syntax = await schema.execute("{ money")
    assert syntax.errors is not None and syntax.errors[0].extensions == {"code": "GRAPHQL_PARSE_FAILED"}
    tokens = await schema.execute("query { " + " ".join(f"f{i}: money" for i in range(40)) + " }")
    assert tokens.errors is not None and tokens.errors[0].extensions == {"code": "QUERY_TOO_COMPLEX"}
    assert "tokens" in tokens.errors[0].message
    typo = await schema.execute("query { mony }")
    assert typo.errors is not None and typo.errors[0].extensions == {"code": "GRAPHQL_VALIDATION_FAILED"}
    assert "Cannot query field 'mony'" in typo.errors[0].message
    cycle = await schema.execute("{ ...A } fragment A on Probe { money ...B } fragment B on Probe { ...A }")
    assert cycle.errors is not None
    assert {e.extensions["code"] for e in cycle.errors if e.extensions} == {"GRAPHQL_VALIDATION_FAILED"}


async def test_variables_are_checked_on_every_path() -> None:
    schema = probe_schema(limits=GraphQLLimits(max_tokens=5000, max_variable_list=3, max_variable_depth=4))
    query = "query ($d: Date!, $t: DateTime!) { echo(amount: 1, day: $d, at: $t) }"
    at = "2026-11-25T10:00:00Z"
    listed = await schema.execute(query, variable_values={"d": [1, 2, 3, 4], "t": at})
    assert listed.errors is not None and listed.errors[0].extensions == {"code": "VARIABLES_TOO_LARGE"}
    deep = await schema.execute(query, variable_values={"d": [[[[[1]]]]], "t": at})
    assert deep.errors is not None and deep.errors[0].extensions == {"code": "VARIABLES_TOO_LARGE"}
    right = await schema.execute(query, variable_values={"d": "2026-11-25", "t": at})
    assert right.errors is None
    wrong = await schema.execute(query, variable_values={"d": [1], "t": at})
    assert wrong.errors is not None and wrong.errors[0].extensions == {"code": "BAD_USER_INPUT"}


def test_the_cache_is_bounded_by_entries_and_by_text() -> None:
    documents = DocumentCache(GraphQLLimits(), entries=2, text_chars=100)
    for text in ("{ a }", "{ b }", "{ c }", "{ a }"):
        documents.prepare(text)
    assert (documents.parsed, documents.hits) == (4, 0)  # `{ a }` was the oldest of three
    documents.prepare("{ a }")
    assert documents.hits == 1
    long = "{ " + "x " * 60 + "}"
    documents.prepare(long)
    documents.prepare(long)
    assert documents.parsed == 6  # longer than the whole cache: never kept
    kept = "{ " + "y " * 47 + " }"  # 98 characters: room for it means dropping both others
    documents.prepare(kept)
    documents.prepare(kept)
    documents.prepare("{ a }")
    assert (documents.parsed, documents.hits) == (8, 2)
