"""Reading ahead in the query: which fields of the objects a resolver is about to return were selected.

A list resolver uses this to batch-load, for the whole page at once, exactly the data the selected fields
need, so that those fields then resolve synchronously (docs/performance.md: an async resolver per list item dominates
the cost of a large page). Fragments (named and inline) are flattened; aliases do not matter.

This walks graphql-core's AST directly instead of `info.selected_fields`: strawberry converts every
directive and argument of the whole subtree on each access, which cost ~1 ms of CPU per dashboard request
(bench/dashboard.py, cProfile). Here only names are read; arguments are converted when asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from graphql import FieldNode, FragmentSpreadNode, GraphQLResolveInfo, InlineFragmentNode, SelectionNode
from strawberry.types import Info
from strawberry.types.nodes import convert_arguments

__all__ = ["SelectedField", "below", "connection_nodes", "inside", "names", "selected"]


class SelectedField:
    """One field as selected. Its `selections` are walked when first read: `Viewer.subscriber` reads ahead a
    few levels of the dashboard's whole document, and walking all of it up front (every card field, every
    fragment) was 3.5 % of the BFF's CPU per page (py-spy). Slots, not a frozen dataclass: ~100 are made per
    page, and a frozen dataclass's `__init__` (`object.__setattr__` per attribute) cost 5 % (py-spy)."""

    __slots__ = ("_selections", "info", "name", "node")

    def __init__(self, name: str, node: FieldNode, info: GraphQLResolveInfo[Any]) -> None:
        self.name = name
        self.node = node
        self.info = info
        self._selections: list[SelectedField] | None = None

    @property
    def selections(self) -> list[SelectedField]:
        """The fields selected inside it, fragments spread in place."""
        if self._selections is None:
            node = self.node
            self._selections = _fields(self.info, node.selection_set.selections) if node.selection_set else []
        return self._selections

    @property
    def arguments(self) -> dict[str, Any]:
        """The field's arguments with variables substituted (only converted when read)."""
        return convert_arguments(self.info, self.node.arguments)

    def __repr__(self) -> str:
        return f"SelectedField({self.name!r})"


def _fields(info: GraphQLResolveInfo[Any], nodes: Sequence[SelectionNode]) -> list[SelectedField]:
    out: list[SelectedField] = []
    for node in nodes:
        if isinstance(node, FieldNode):
            out.append(SelectedField(node.name.value, node, info))
        elif isinstance(node, InlineFragmentNode):
            out += _fields(info, node.selection_set.selections)
        elif isinstance(node, FragmentSpreadNode):
            fragment = info.fragments.get(node.name.value)
            if fragment is not None:
                out += _fields(info, fragment.selection_set.selections)
    return out


def selected(info: Info[Any, Any]) -> list[SelectedField]:
    """The field being resolved, as selected (several entries when the query repeats it)."""
    raw = info._raw_info
    return _fields(raw, raw.field_nodes)


def below(fields: Iterable[SelectedField], *path: str) -> list[SelectedField]:
    """The fields selected under `path` (field names) of any of `fields`, e.g. `below(conn, "edges", "node")`."""
    current = list(fields)
    for name in path:
        current = [s for f in current if f.name == name for s in f.selections]
    return current


def inside(fields: Iterable[SelectedField]) -> list[SelectedField]:
    """What is selected inside the field being resolved (`selected(info)` is that field itself)."""
    return [s for f in fields for s in f.selections]


def connection_nodes(fields: Iterable[SelectedField]) -> list[SelectedField]:
    """For a connection field (`selected(info)`): the fields selected on its nodes, through
    `edges { node }` and `nodes`."""
    top = inside(fields)
    return below(top, "edges", "node") + below(top, "nodes")


def names(fields: Iterable[SelectedField]) -> set[str]:
    return {f.name for f in fields}
