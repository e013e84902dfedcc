"""Every type, field, argument and enum value of the exported schema has a description: GraphiQL's docs and the
generated web types are the API's documentation, and an element without one tells a client nothing.

The schema predates this rule: `undocumented.txt` lists the elements still without a description (schema
coordinates, one a line). The list only shrinks: a NEW element without a description fails, and so does a line
for an element that has one now (or is gone) — delete the line.
"""

from __future__ import annotations

from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    specified_scalar_types,
)
from graphql import build_schema as parse_sdl

from schema.export import export_sdl

ALLOWLIST = Path(__file__).with_name("undocumented.txt")


def undocumented(schema: GraphQLSchema) -> list[str]:
    """Schema coordinates (`Type`, `Type.field`, `Type.field(arg:)`, `Enum.VALUE`) without a description."""
    missing: list[str] = []

    def check(coordinate: str, description: str | None) -> None:
        if not (description or "").strip():
            missing.append(coordinate)

    for name, kind in sorted(schema.type_map.items()):
        if name.startswith("__") or name in specified_scalar_types:
            continue
        check(name, kind.description)
        if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in kind.fields.items():
                check(f"{name}.{field_name}", field.description)
                for arg_name, arg in field.args.items():
                    check(f"{name}.{field_name}({arg_name}:)", arg.description)
        elif isinstance(kind, GraphQLInputObjectType):
            for field_name, input_field in kind.fields.items():
                check(f"{name}.{field_name}", input_field.description)
        elif isinstance(kind, GraphQLEnumType):
            for value_name, value in kind.values.items():
                check(f"{name}.{value_name}", value.description)
    return missing


def allowlisted() -> set[str]:
    lines = ALLOWLIST.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def test_every_schema_element_has_a_description() -> None:
    missing = undocumented(parse_sdl(export_sdl()))
    new = sorted(set(missing) - allowlisted())
    assert not new, f"{len(new)} schema elements without a description (add one to each): {new}"


def test_the_allowlist_only_shrinks() -> None:
    stale = sorted(allowlisted() - set(undocumented(parse_sdl(export_sdl()))))
    assert not stale, f"described (or gone) now — delete these lines from {ALLOWLIST.name}: {stale}"


def test_the_check_finds_what_it_should() -> None:
    sdl = '''
        """A thing."""
        type Query { "Said." said(a: Int, "B." b: Int): E  silent: Int }
        enum E { "One." ONE TWO }
        input I { x: Int }
        scalar Day
    '''
    assert undocumented(parse_sdl(sdl)) == ["Day", "E", "E.TWO", "I", "I.x", "Query.said(a:)", "Query.silent"]
