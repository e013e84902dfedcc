"""Every type, field, argument and enum value of the exported schema has a description: GraphiQL's docs and the
generated web types are the API's documentation, and an element without one tells a client nothing.
Descriptions every mutation or list shares live in `schema.core.mutation` and `schema.core.connection`.
"""

from __future__ import annotations

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


def test_every_schema_element_has_a_description() -> None:
    missing = undocumented(parse_sdl(export_sdl()))
    assert not missing, f"{len(missing)} schema elements without a description (add one to each): {missing}"


def test_the_check_finds_what_it_should() -> None:
    sdl = '''
        """A thing."""
        type Query { "Said." said(a: Int, "B." b: Int): E  silent: Int }
        enum E { "One." ONE TWO }
        input I { x: Int }
        scalar Day
    '''
    assert undocumented(parse_sdl(sdl)) == ["Day", "E", "E.TWO", "I", "I.x", "Query.said(a:)", "Query.silent"]
