"""Direct resolvers: the same resolver functions, called without strawberry's per-call wrapper.

strawberry resolves every field that has a resolver through a generic chain built for the worst case: it makes
an `Info`, converts the arguments, looks the reserved parameters up again, folds the field extensions into a
chain of partials and calls through it (`GraphQLCoreConverter.from_resolver`). For a field whose resolver takes
only `self` and `info`, and that has no field extension, every one of those steps does nothing but cost
~10 µs; the dashboard page has ~200 such fields at N = 50 (a status, a profile, a price per card), ~2 ms of
its CPU (bench/ratio.py, cProfile: `extension_resolver`, `get_arguments`). A plain attribute field goes
through `StrawberryField.get_result` to `getattr`.

`make_direct` rewires exactly those fields of the built graphql-core schema to call the function itself: with
the source as `self` and a strawberry `Info` built the same way, so a resolver cannot tell the difference.
Every other field — arguments, field extensions (permissions), `root`/`parent` parameters, subscriptions,
exception handlers — keeps strawberry's path. The schema's tests run on the rewired schema; a test checks
that the fields the dashboard reads are the direct ones and that the rest are left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    Undefined,
)
from graphql.pyutils import Path
from graphql.pyutils.gather_with_cancel import gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

__all__ = ["DIRECT", "LEAF", "DirectExecution", "make_direct"]

# Marks a resolver installed here (the tests read it).
DIRECT = "_wispgate_direct"
Resolve = Callable[..., Any]


def _attribute(name: str) -> Resolve:
    def resolve(source: Any, _info: GraphQLResolveInfo[Any]) -> Any:
        return getattr(source, name)

    resolve._is_default = True  # type: ignore[attr-defined]  # strawberry's tracing skips default resolvers
    setattr(resolve, DIRECT, True)
    return resolve


def _method(field: StrawberryField, info_class: type[Any]) -> Resolve | None:
    """A direct call for a resolver written `def f(self, info)` or `def f(self)`, else None."""
    resolver = field.base_resolver
    if resolver is None or resolver.arguments or resolver.root_parameter or resolver.parent_parameter:
        return None
    function = resolver.wrapped_func
    if not callable(function) or resolver.self_parameter is None:
        return None
    names = list(resolver.signature.parameters)
    info = resolver.info_parameter
    resolve: Resolve
    if info is not None and names == ["self", info.name]:

        def resolve(source: Any, raw: GraphQLResolveInfo[Any]) -> Any:
            return function(source, info_class(_raw_info=raw, _field=field))

    elif info is None and names == ["self"]:

        def resolve(source: Any, _raw: GraphQLResolveInfo[Any]) -> Any:
            return function(source)

    else:
        return None
    setattr(resolve, "_is_default", False)  # noqa: B010  # read by strawberry's tracing
    setattr(resolve, DIRECT, True)
    return resolve


def _direct(field: StrawberryField, info_class: type[Any]) -> Resolve | None:
    if field.is_subscription or field.extensions:
        return None
    if field.base_resolver is None:
        return _attribute(field.python_name)
    return _method(field, info_class)


def make_direct(schema: strawberry.Schema) -> int:
    """Rewire the eligible fields of `schema`'s object types; the number rewired. Nothing is rewired when the
    schema has exception handlers (strawberry matches them in its own wrapper)."""
    converter = schema.schema_converter
    if getattr(converter, "_exception_handler_specs", None):
        return 0
    info_class = schema.config.info_class
    rewired = 0
    for graphql_type in schema._schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        if graphql_type is schema._schema.subscription_type:
            continue
        for graphql_field in graphql_type.fields.values():
            rewired += _rewire(graphql_field, info_class)
    return rewired


def _rewire(graphql_field: GraphQLField, info_class: type[Any]) -> int:
    field = (graphql_field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(field, StrawberryField):
        return 0
    resolve = _direct(field, info_class)
    if resolve is None:
        return 0
    graphql_field.resolve = resolve
    if field.base_resolver is None:
        _mark_leaf(graphql_field, field)
    return 1


# ----------------------------------------------------------------------------------------- leaf fields

# On a GraphQLField whose value is a plain attribute of a leaf type: (attribute, leaf type, non-null).
LEAF = "_wispgate_leaf"
_SLOW = (
    object()
)  # "let graphql-core do it": a null for a non-null field, an error, a value that does not coerce


def _mark_leaf(graphql_field: GraphQLField, field: StrawberryField) -> None:
    declared = graphql_field.type
    non_null = isinstance(declared, GraphQLNonNull)
    kind = declared.of_type if isinstance(declared, GraphQLNonNull) else declared
    if isinstance(kind, GraphQLScalarType | GraphQLEnumType):
        setattr(graphql_field, LEAF, (field.python_name, kind, non_null))


def _leaf_value(source: Any, leaf: tuple[str, GraphQLScalarType | GraphQLEnumType, bool]) -> Any:
    attribute, kind, non_null = leaf
    try:
        value = getattr(source, attribute)
        if value is None:
            return _SLOW if non_null else None
        coerced = kind.coerce_output_value(value)
    except Exception:  # graphql-core runs the field again and reports the error its way
        return _SLOW
    return _SLOW if coerced is None or coerced is Undefined else coerced


class DirectExecution(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor, completing `__typename` and plain attribute leaf fields in the selection loop.

    For such a field graphql-core builds a path, a resolve info and a node list, calls the resolver and walks
    `complete_value` (non-null, list, leaf checks) for a `getattr`; most of the dashboard's fields are these
    (`label`, `amount`, `currency`, `online`, every `__typename`). Here their value is read and coerced in place,
    in selection order. Measured: 0.75 % fewer instructions per dashboard page once the direct resolvers were in
    (bench/instructions.py, 40.0 → 39.7 M at N = 50) — small, kept because it is the seam for completing plain
    object fields the same way. Anything unusual — a null for a non-null field, a failing getattr, a
    value that does not coerce, a resolver middleware — goes the ordinary way, so errors are located and
    reported exactly as before.
    """

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        if self.middleware_manager:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        pending: list[str] = []
        get_field = self.schema.get_field
        is_awaitable = self.is_awaitable
        try:
            for response_name, details in grouped_field_set.items():
                name = details[0].node.name.value
                if name == "__typename":
                    results[response_name] = parent_type.name
                    continue
                field_def = get_field(parent_type, name)
                leaf = getattr(field_def, LEAF, None)
                if leaf is not None:
                    value = _leaf_value(source_value, leaf)
                    if value is not _SLOW:
                        results[response_name] = value
                        continue
                result = self.execute_field(
                    parent_type,
                    source_value,
                    details,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        pending.append(response_name)
        except Exception:
            if pending:
                self.settle_in_background([results[name] for name in pending])
            raise
        if not pending:
            return results
        return _settled(results, pending)


async def _settled(results: dict[str, Any], pending: list[str]) -> dict[str, Any]:
    if len(pending) == 1:
        results[pending[0]] = await results[pending[0]]
    else:
        values = await gather_with_cancel(*(results[name] for name in pending))
        results.update(zip(pending, values, strict=True))
    return results
