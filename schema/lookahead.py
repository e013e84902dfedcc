"""Reading ahead in the query: which fields of the objects a resolver is about to return were selected.

A list resolver uses this to batch-load, for the whole page at once, exactly the data the selected fields
need, so that those fields then resolve synchronously (PITFALLS: an async resolver per list item dominates
the cost of a large page). Fragments (named and inline) are flattened; aliases do not matter.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeAlias

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

__all__ = ["SelectedField", "Selection", "below", "connection_nodes", "flatten", "inside", "names"]

Selection: TypeAlias = SelectedField | FragmentSpread | InlineFragment


def flatten(selections: Iterable[Selection]) -> list[SelectedField]:
    """The fields of a selection set, with fragments spread in place."""
    out: list[SelectedField] = []
    for s in selections:
        if isinstance(s, SelectedField):
            out.append(s)
        else:
            out += flatten(s.selections)
    return out


def below(fields: Iterable[SelectedField], *path: str) -> list[SelectedField]:
    """The fields selected under `path` (field names) of any of `fields`, e.g. `below(conn, "edges", "node")`."""
    current = list(fields)
    for name in path:
        current = flatten(s for f in current if f.name == name for s in f.selections)
    return current


def inside(selected_fields: Iterable[Selection]) -> list[SelectedField]:
    """What is selected inside the field being resolved (`info.selected_fields` is that field itself)."""
    return flatten(s for f in flatten(selected_fields) for s in f.selections)


def connection_nodes(selected_fields: Iterable[Selection]) -> list[SelectedField]:
    """For a connection field (`info.selected_fields`): the fields selected on its nodes, through
    `edges { node }` and `nodes`."""
    top = inside(selected_fields)
    return below(top, "edges", "node") + below(top, "nodes")


def names(fields: Iterable[SelectedField]) -> set[str]:
    return {f.name for f in fields}
