"""A static estimate of what an operation costs, for documents outside the trusted manifests when an operator
lets them run (`ALLOW_ARBITRARY_OPERATIONS`, `QUERY_COST_LIMIT`).

The estimate is the number of objects the operation may resolve: every field whose type is an object (or a
list of objects) counts 1, times how many of it the enclosing lists may hold; values (`Money`: an object of
scalars only, without an `id`) count nothing, they come with their object. A list's size is what the
request asks for — `first`/`last` (a literal, a variable, or the argument's default), the length of an `ids`
list — and otherwise `DEFAULT_LIST_SIZE`; the `nodes`/`edges` of a connection are the connection's page, not
counted again. Scalar fields cost nothing: they come with their object. So `viewer { subscriber { subServices(first:
50) { nodes { devices { serial } } } } }` costs 1 + 1 + 1 (the connection) + 50 (the sub-services) + 50 × 20
(their devices) = 1,053.

It runs after validation (a valid document: no unknown fields, no fragment cycles) and the validation budget
bounds its walk: at most `GRAPHQL_MAX_SELECTIONS` selections, fragments counted where they are spread.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from graphql.type import GraphQLOutputType, is_composite_type

# What a list of unknown length is assumed to hold: the connections' default page size.
DEFAULT_LIST_SIZE = 20
_PAGE_ARGUMENTS = ("first", "last")


def estimate_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
) -> int:
    """The estimated cost of the operation `operation_name` (or the document's only one); 0 if none."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name is not None and o.name.value == operation_name]
    if len(operations) != 1:
        return 0
    operation = operations[0]
    root = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }[operation.operation]
    if root is None:
        return 0
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    walk = _Walk(schema, fragments, variables or {})
    return walk.selection_set(operation.selection_set, root, 1)


class _Walk:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.values: dict[str, bool] = {}

    def selection_set(self, selection_set: SelectionSetNode, parent: GraphQLNamedType, times: int) -> int:
        cost = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                cost += self.field(selection, parent, times)
            elif isinstance(selection, InlineFragmentNode):
                inner = parent
                if selection.type_condition is not None:
                    inner = self.schema.get_type(selection.type_condition.name.value) or parent
                cost += self.selection_set(selection.selection_set, inner, times)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    inner = self.schema.get_type(fragment.type_condition.name.value) or parent
                    cost += self.selection_set(fragment.selection_set, inner, times)
        return cost

    def field(self, node: FieldNode, parent: GraphQLNamedType, times: int) -> int:
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 0  # a union's own fields: only __typename
        definition = parent.fields.get(node.name.value)
        if definition is None or node.selection_set is None:
            return 0  # __typename and the like, or a scalar
        named = get_named_type(definition.type)
        if not is_composite_type(named):
            return 0
        if self.is_value(named):
            return 0  # `Money`: a value that comes with its object
        page = self.page(node, definition)
        if page is not None:
            # A connection: one object here, its page of items in its `nodes`/`edges`.
            return times + self.selection_set(node.selection_set, named, times * page)
        count = times * self.size(node, definition, parent)
        return count + self.selection_set(node.selection_set, named, count)

    def is_value(self, named: GraphQLNamedType) -> bool:
        """An object type without an `id` whose fields are all scalars or enums (`Money`): part of its parent,
        not an object to fetch."""
        known = self.values.get(named.name)
        if known is None:
            known = (
                isinstance(named, GraphQLObjectType)
                and "id" not in named.fields
                and not any(is_composite_type(get_named_type(f.type)) for f in named.fields.values())
            )
            self.values[named.name] = known
        return known

    def size(self, node: FieldNode, definition: GraphQLField, parent: GraphQLNamedType) -> int:
        """How many objects this field gives per parent object (not a connection)."""
        if not _is_list(definition.type):
            return 1
        if parent.name.endswith("Connection") or parent.name.endswith("Edge"):
            return 1  # a connection's page was counted on the connection field
        for argument in node.arguments or ():
            value = self.value(argument.value)
            if isinstance(value, list):
                return len(value)  # `nodes(ids: [...])`
        return DEFAULT_LIST_SIZE

    def page(self, node: FieldNode, definition: GraphQLField) -> int | None:
        """The page a connection field asks for (`first`/`last`, or their default), or None."""
        given = {a.name.value: self.value(a.value) for a in node.arguments or ()}
        for name in _PAGE_ARGUMENTS:
            if name not in definition.args:
                continue
            value = given.get(name, definition.args[name].default_value)
            if isinstance(value, int) and not isinstance(value, bool):
                return max(value, 0)
        if any(name in definition.args for name in _PAGE_ARGUMENTS):
            return DEFAULT_LIST_SIZE  # a connection asked for without a page size: its default page
        return None

    def value(self, node: object) -> object:
        if isinstance(node, VariableNode):
            return self.variables.get(node.name.value)
        if isinstance(node, IntValueNode):
            return int(node.value)
        if isinstance(node, ListValueNode):
            return list(node.values)
        return None


def _is_list(type_: GraphQLOutputType) -> bool:
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    return isinstance(inner, GraphQLList)
