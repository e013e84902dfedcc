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

`DirectExecution` then completes those fields inside graphql-core's selection loop (see its docstring): the
dashboard's ~600 field executions per page at N = 50 each went through `execute_field` → `build_resolve_info`
→ `complete_value` (non-null → list → non-null → object → collect → execute) for a value that is already there.
"""

from __future__ import annotations

from collections.abc import Callable
from types import CoroutineType, GeneratorType
from typing import Any, NamedTuple, cast

import strawberry
from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLID,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLString,
    Undefined,
)
from graphql.execution.executor import to_nodes
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
    _mark_fast(graphql_field, field, info_class)
    return 1


# ----------------------------------------------------------------------------------------- leaf fields

# On a GraphQLField whose value is a plain attribute of a leaf type: (attribute, leaf type, non-null).
LEAF = "_wispgate_leaf"
_SLOW = (
    object()
)  # "let graphql-core do it": a null for a non-null field, an error, a value that does not coerce


# The Python type a leaf's value can have to be answered as it is: graphql-core's String and ID serialize a str
# to itself, Boolean a bool. Other scalars (Int's range, Float's finiteness, our Decimal and dates) coerce.
_AS_IS: dict[GraphQLScalarType, type] = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool}


class _NoValue:
    """A type no value has: the leaf's `as is` type when it has none."""


def _mark_leaf(graphql_field: GraphQLField, field: StrawberryField) -> None:
    declared = graphql_field.type
    non_null = isinstance(declared, GraphQLNonNull)
    kind = declared.of_type if isinstance(declared, GraphQLNonNull) else declared
    if isinstance(kind, GraphQLScalarType | GraphQLEnumType):
        as_is = _AS_IS.get(kind, _NoValue) if isinstance(kind, GraphQLScalarType) else _NoValue
        setattr(graphql_field, LEAF, (field.python_name, kind, non_null, as_is))


def _leaf_coerced(value: Any, leaf: tuple[str, GraphQLScalarType | GraphQLEnumType, bool, type]) -> Any:
    if value is None:
        return _SLOW if leaf[2] else None
    return _coerced(leaf[1], value)


class _Step(NamedTuple):
    response_name: str
    details: Any
    field_def: Any  # the GraphQLField; `_TYPENAME` for `__typename`; None for a field the type does not have
    leaf: tuple[str, GraphQLScalarType | GraphQLEnumType, bool, type] | None
    fast: Fast | None


_TYPENAME = object()

# graphql-core's `Path` is a NamedTuple, whose `Path(...)` runs a generated lambda: made directly, one frame
# fewer for each of a page's ~250 object fields and list items.
_path = tuple.__new__

# Classes whose instances are never awaitable: the plain ones, then those `DirectExecution._later` finds (the
# graph's types and records; bounded in case something makes classes at run time).
_SETTLED: set[type] = {dict, list, tuple, str, int, float, bool, type(None)}
_SETTLED_MAX = 2048


# ------------------------------------------------------------------------------ fields completed in the loop

# On a rewired GraphQLField: a `Fast` — how to get its value and what shape completes it without graphql-core.
FAST = "_wispgate_fast"
_ATTRIBUTE, _SELF, _INFO = range(3)


class _Shape(NamedTuple):
    """The field's declared type, as far as the fast completion handles it: a leaf, an object, or a list of
    objects (each nullable or not). Everything else (abstract types, lists of leaves or lists) is None."""

    kind: str  # "leaf" | "object" | "list"
    non_null: bool
    leaf: GraphQLScalarType | GraphQLEnumType | None
    object_type: GraphQLObjectType | None
    origin: type | None  # the strawberry class whose instances the object type's `is_type_of` accepts
    item_non_null: bool


class Fast(NamedTuple):
    call: int  # _ATTRIBUTE, _SELF or _INFO
    attribute: str
    function: Resolve | None
    field: StrawberryField
    info_class: type[Any]
    shape: _Shape | None


def _origin(object_type: GraphQLObjectType) -> type | None:
    """The class an `is_type_of` accepts exactly (`type(value) is origin`), None when the type has no such check.
    A type with a custom `is_type_of`, or a generic's specialization, gets no origin and takes graphql-core's
    path."""
    definition = (object_type.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if object_type.is_type_of is None:
        return object
    if definition is None or definition.is_type_of or definition.concrete_of is not None:
        return None
    origin = definition.origin
    return origin if isinstance(origin, type) else None


def _shape(declared: Any) -> _Shape | None:
    non_null = isinstance(declared, GraphQLNonNull)
    kind = declared.of_type if non_null else declared
    if isinstance(kind, GraphQLScalarType | GraphQLEnumType):
        return _Shape("leaf", non_null, kind, None, None, False)
    if isinstance(kind, GraphQLObjectType):
        origin = _origin(kind)
        return None if origin is None else _Shape("object", non_null, None, kind, origin, False)
    if isinstance(kind, GraphQLList):
        item = kind.of_type
        item_non_null = isinstance(item, GraphQLNonNull)
        item_kind = item.of_type if item_non_null else item
        if isinstance(item_kind, GraphQLObjectType):
            origin = _origin(item_kind)
            if origin is not None:
                return _Shape("list", non_null, None, item_kind, origin, item_non_null)
    return None


_LAZY: dict[type[Any], type[Any]] = {}


def _lazy_info_class(info_class: type[Any]) -> type[Any]:
    """`info_class` (strawberry's `Info` or the schema's own), with the raw resolve info built on first use.

    The page's `(self, info)` resolvers (a card's status, profile, devices, billing…: ~200 per page at N = 50)
    read `info.context` and nothing else; graphql-core's info is a 15-field tuple built with the field's node
    list for each. Everything else an `Info` offers (path, field nodes, selected fields, variables) reads the
    raw info, which is then built exactly as graphql-core would have."""
    known = _LAZY.get(info_class)
    if known is not None:
        return known

    class LazyInfo(info_class):  # type: ignore[misc]
        def __init__(
            self,
            execution: DirectExecution,
            field_def: GraphQLField,
            details: Any,
            parent_type: GraphQLObjectType,
            path: Path,
            field: StrawberryField,
        ) -> None:
            self._where = (execution, field_def, details, parent_type, path)
            self._field = field

        @property
        def _raw_info(self) -> GraphQLResolveInfo[Any]:
            raw: GraphQLResolveInfo[Any] | None = self.__dict__.get("_raw")
            if raw is None:
                execution, field_def, details, parent_type, path = self._where
                raw = execution.build_resolve_info(field_def, to_nodes(details), parent_type, path)
                self.__dict__["_raw"] = raw
            return raw

        @property
        def context(self) -> Any:
            return self._where[0].context_value

    LazyInfo.__name__ = LazyInfo.__qualname__ = f"Lazy{info_class.__name__}"
    _LAZY[info_class] = LazyInfo
    return LazyInfo


def _mark_fast(graphql_field: GraphQLField, field: StrawberryField, info_class: type[Any]) -> None:
    resolver = field.base_resolver
    shape = _shape(graphql_field.type)
    if resolver is None:
        fast = Fast(_ATTRIBUTE, field.python_name, None, field, info_class, shape)
    else:
        call = _INFO if resolver.info_parameter is not None else _SELF
        lazy = _lazy_info_class(info_class)
        fast = Fast(call, "", cast(Resolve, resolver.wrapped_func), field, lazy, shape)
    setattr(graphql_field, FAST, fast)


class DirectExecution(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor, completing the direct fields in the selection loop.

    For every field graphql-core builds a resolve info and a node list, calls the resolver and walks
    `complete_value` — non-null, list, non-null, object, `collect_subfields`, `execute_fields` — one call per
    wrapper. For the fields `make_direct` rewired, this loop does the same work inline: `__typename` and plain
    attribute leaves are read and coerced in place; a rewired field's value is got the direct way (an attribute,
    `f(self)`, or `f(self, info)` with the info built only then) and, when it is there already (not awaitable),
    completed here if its type is a leaf, an object or a list of objects: the object's subfields are collected
    (graphql-core's memo) and executed by this same loop.

    Anything unusual takes graphql-core's own path with the value already got, so errors are located and
    reported exactly as before: an awaitable, an exception as a value, a null where the type forbids it (or a
    null item in a list of non-null items), a value of another class than the object type accepts, a leaf that
    does not coerce, a non-list for a list, `@defer`/`@stream` in play (a position context, a directive on the
    field), a resolver middleware (the whole loop is graphql-core's then). An exception raised while
    completing is handled as `execute_field` handles it: a located error, null, propagated when non-null.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Per request, keyed by identity and holding what the key's id is of (see `_plan`, `_subplan`).
        self._plans: dict[tuple[GraphQLObjectType, int], tuple[Any, list[_Step]]] = {}
        self._subplans: dict[tuple[GraphQLObjectType, int], tuple[Any, list[_Step] | None]] = {}

    def _later(self, value: Any) -> bool:
        """`is_awaitable`, remembering the classes whose instances never are (the graph's own types, records):
        strawberry's check answers those through an `isinstance` chain and a failing `hasattr` each time."""
        if self.is_awaitable(value):
            return True
        kind = type(value)
        if (
            len(_SETTLED) < _SETTLED_MAX
            and not issubclass(
                kind, CoroutineType | GeneratorType | BaseException
            )  # an error is a value to raise
            # What an instance finds through its class (not the metaclass: an Enum class has a `__getattr__`).
            and not any("__await__" in vars(c) or "__getattr__" in vars(c) for c in kind.__mro__)
        ):
            _SETTLED.add(kind)
        return False

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        # strawberry always passes a manager; it holds resolvers only when an extension implements `resolve`.
        manager = self.middleware_manager
        if manager is not None and manager._middleware_resolvers:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        return self._run(
            parent_type, source_value, path, self._plan(parent_type, grouped_field_set), position_context
        )

    def _run(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        plan: list[_Step],
        position_context: Any,
    ) -> Any:
        results: dict[str, Any] = {}
        pending: list[str] = []
        parent_name = parent_type.name
        try:
            for response_name, details, field_def, leaf, fast in plan:
                if field_def is _TYPENAME:
                    results[response_name] = parent_name
                    continue
                if leaf is not None:
                    try:
                        value = getattr(source_value, leaf[0])
                    except Exception:  # the field's own path reports it
                        value = _SLOW
                    else:
                        if (
                            type(value) is leaf[3]
                        ):  # a str for a String, a bool for a Boolean: nothing to coerce
                            results[response_name] = value
                            continue
                        value = _leaf_coerced(value, leaf)
                    if value is not _SLOW:
                        results[response_name] = value
                        continue
                if fast is not None and position_context is None:
                    result = self._execute_fast(
                        parent_type,
                        field_def,
                        fast,
                        source_value,
                        details,
                        _path(Path, (path, response_name, parent_name)),
                    )
                else:
                    result = self.execute_field(
                        parent_type,
                        source_value,
                        details,
                        Path(path, response_name, parent_name),
                        position_context,
                    )
                if result is not Undefined:
                    results[response_name] = result
                    if type(result) not in _SETTLED and self._later(result):
                        pending.append(response_name)
        except Exception:
            if pending:
                self.settle_in_background([results[name] for name in pending])
            raise
        if not pending:
            return results
        return _settled(results, pending)

    def _plan(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> list[_Step]:
        """What the loop does for each field of a selection on `parent_type`, worked out once per request and
        selection: a list's 24 cards share one. graphql-core memoizes the grouped field sets per request (by the
        identity of the field nodes), so this is keyed by identity too, holding the set so its id stays its own."""
        plans = self._plans
        key = (parent_type, id(grouped_field_set))
        known = plans.get(key)
        if known is not None:
            return known[1]
        steps: list[_Step] = []
        for response_name, details in grouped_field_set.items():
            node = details[0].node
            name = node.name.value
            if name == "__typename":
                steps.append(_Step(response_name, details, _TYPENAME, None, None))
                continue
            field_def = self.schema.get_field(parent_type, name)
            fast = getattr(field_def, FAST, None) if _undirected(node, details) else None
            steps.append(_Step(response_name, details, field_def, getattr(field_def, LEAF, None), fast))
        plans[key] = (grouped_field_set, steps)
        return steps

    def _execute_fast(
        self,
        parent_type: GraphQLObjectType,
        field_def: GraphQLField,
        fast: Fast,
        source: Any,
        details: Any,
        path: Path,
    ) -> Any:
        """`execute_field` for a rewired field: the value got directly, then completed in place when it can be."""
        raw: GraphQLResolveInfo[Any] | None = None
        try:
            if fast.call == _ATTRIBUTE:
                value = getattr(source, fast.attribute)
            elif fast.call == _SELF:
                value = fast.function(source)  # type: ignore[misc]
            else:
                info = fast.info_class(self, field_def, details, parent_type, path, fast.field)
                value = fast.function(source, info)  # type: ignore[misc]
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_def.type, details, path)
            return None
        shape = fast.shape
        if shape is None or (
            type(value) not in _SETTLED and (self._later(value) or isinstance(value, Exception))
        ):
            return self._complete_slow(parent_type, field_def, details, path, value, raw)
        try:
            completed = self._complete_fast(shape, details, path, value)
            if completed is _SLOW:
                return self._complete_slow(parent_type, field_def, details, path, value, raw)
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_def.type, details, path)
            return None
        if type(completed) not in _SETTLED and self._later(completed):
            return self._awaited(completed, field_def.type, details, path)
        return completed

    def _complete_fast(self, shape: _Shape, details: Any, path: Path, value: Any) -> Any:
        """The completed value, an awaitable of it, or `_SLOW` before any work was done."""
        if value is None:
            return _SLOW if shape.non_null else None
        if shape.kind == "leaf":
            return _coerced(shape.leaf, value)  # type: ignore[arg-type]
        object_type = shape.object_type
        assert object_type is not None
        origin = shape.origin
        if shape.kind == "object":
            if origin is not object and type(value) is not origin:
                return _SLOW
            return self._object(object_type, details, path, value)
        if type(value) is not list and type(value) is not tuple:
            return _SLOW
        for item in value:  # every check before any work, so the slow path starts from nothing done
            if item is None:
                if shape.item_non_null:
                    return _SLOW
            elif origin is not object and type(item) is not origin:
                return _SLOW
        return self._list(object_type, shape.item_non_null, details, path, value)

    def _subplan(self, object_type: GraphQLObjectType, details: Any) -> list[_Step] | None:
        """The plan of the object selected by `details`, None when `@defer` is in it. graphql-core's
        `collect_subfields` memo and the plan's, in one lookup per object."""
        key = (object_type, id(details))
        known = self._subplans.get(key)
        if known is None:
            grouped_field_set, new_defer_usages, _ = self.collect_subfields(object_type, details)
            plan = None if new_defer_usages else self._plan(object_type, grouped_field_set)
            known = self._subplans[key] = (details, plan)
        return known[1]

    def _object(self, object_type: GraphQLObjectType, details: Any, path: Path, value: Any) -> Any:
        plan = self._subplan(object_type, details)
        if plan is None:
            return _SLOW
        return self._run(object_type, value, path, plan, None)

    def _list(
        self, object_type: GraphQLObjectType, item_non_null: bool, details: Any, path: Path, items: Any
    ) -> Any:
        plan = self._subplan(object_type, details)
        if plan is None:
            return _SLOW
        item_type: Any = _non_null(object_type) if item_non_null else object_type
        run = self._run
        completed: list[Any] = []
        awaiting: list[int] = []
        try:
            for index, item in enumerate(items):
                if item is None:
                    completed.append(None)
                    continue
                item_path = _path(Path, (path, index, None))
                try:
                    done = run(object_type, item, item_path, plan, None)
                except Exception as raw_error:
                    self.handle_field_error(raw_error, item_type, details, item_path)  # raises when non-null
                    done = None
                if type(done) is not dict and self._later(done):
                    done = self._awaited(done, item_type, details, item_path)
                    awaiting.append(index)
                completed.append(done)
        except Exception:
            if awaiting:
                self.settle_in_background([completed[index] for index in awaiting])
            raise
        if not awaiting:
            return completed
        return _gathered(completed, awaiting)

    async def _awaited(self, completed: Any, return_type: Any, details: Any, path: Path) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, details, path)
            return None

    def _complete_slow(
        self,
        parent_type: GraphQLObjectType,
        field_def: GraphQLField,
        details: Any,
        path: Path,
        value: Any,
        raw: GraphQLResolveInfo[Any] | None,
    ) -> Any:
        """The rest of graphql-core's `execute_field`, for a value already got."""
        info = (
            raw
            if raw is not None
            else self.build_resolve_info(field_def, to_nodes(details), parent_type, path)
        )
        return_type = field_def.type
        try:
            if self.is_awaitable(value):
                return self.complete_awaitable_value(return_type, details, info, path, value, None)
            completed = self.complete_value(return_type, details, info, path, value, None)
            if self.is_awaitable(completed):
                return self._awaited(completed, return_type, details, path)
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, details, path)
            return None
        return completed


def _undirected(node: Any, details: Any) -> bool:
    """No directive left on the field's nodes (`@include`/`@skip` were applied when collecting; `@stream` would
    be left)."""
    if len(details) == 1:
        return not node.directives
    return not any(d.node.directives for d in details)


def _non_null(object_type: GraphQLObjectType) -> GraphQLNonNull[GraphQLObjectType]:
    """The list item type, for locating an item's error (graphql-core compares types by kind, not identity)."""
    wrapped: GraphQLNonNull[GraphQLObjectType] | None = _NON_NULL.get(object_type)
    if wrapped is None:
        wrapped = _NON_NULL[object_type] = GraphQLNonNull(object_type)
    return wrapped


_NON_NULL: dict[GraphQLObjectType, GraphQLNonNull[GraphQLObjectType]] = {}


def _coerced(kind: GraphQLScalarType | GraphQLEnumType, value: Any) -> Any:
    try:
        coerced = kind.coerce_output_value(value)
    except Exception:  # graphql-core coerces again and reports the error its way
        return _SLOW
    return _SLOW if coerced is None or coerced is Undefined else coerced


async def _gathered(completed: list[Any], awaiting: list[int]) -> list[Any]:
    if len(awaiting) == 1:
        completed[awaiting[0]] = await completed[awaiting[0]]
    else:
        values = await gather_with_cancel(*(completed[index] for index in awaiting))
        for index, value in zip(awaiting, values, strict=True):
            completed[index] = value
    return completed


async def _settled(results: dict[str, Any], pending: list[str]) -> dict[str, Any]:
    if len(pending) == 1:
        results[pending[0]] = await results[pending[0]]
    else:
        values = await gather_with_cancel(*(results[name] for name in pending))
        results.update(zip(pending, values, strict=True))
    return results
