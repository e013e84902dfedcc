"""Relay `Node`: opaque global IDs (`base64url("Type:raw id")`, `bff.core.ids`) and fetching any object by
its ID.

Each domain registers how to fetch its node type in batches with `@node_fetcher("Type")`. A fetcher returns
only the objects the viewer may see, so a foreign ID and an unknown ID both resolve to null.

The registry is also how a type reaches a type of a domain built on top of its own (`SubService.billing`'s
open invoices are `Invoice`s, and the billing domain builds on the service domain): by name, with
`strawberry.lazy` in the annotation and `nodes_of` for the objects, so imports keep pointing one way and
the objects are authorized exactly as `node(id)` authorizes them.

Weighed against `strawberry.relay`: its `Node.resolve_nodes` and `GlobalID` do what this module does, but
its connections page Python iterables (`ListConnection` slices a list it is handed) and carry neither
`nodes` nor `totalCount`; our backends page by window, so `schema.core.connection` would remain ours
anyway. Kept this small module (one ID codec for the BFF, batched per-type fetchers that authorize) rather
than run two ID mechanisms side by side.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from bff.core.ids import decode_global_id, encode_global_id
from schema.core.context import Context
from schema.core.errors import BadUserInput

MAX_NODES = 100


@strawberry.interface(description="An object with a global ID.")
class Node:
    id: strawberry.ID = strawberry.field(
        description="Opaque global ID (base64 of Type:id). A foreign and an unknown ID look the same: null."
    )


def encode_id(type_name: str, raw_id: str) -> strawberry.ID:
    return strawberry.ID(encode_global_id(type_name, raw_id))


def decode_id(global_id: str) -> tuple[str, str]:
    """`(type name, raw id)`; raises `BadUserInput` (code BAD_USER_INPUT) for anything we did not issue."""
    try:
        return decode_global_id(global_id)
    except ValueError:
        raise BadUserInput("Malformed ID.", id=str(global_id)[:64]) from None


def decode_id_of(global_id: str, type_name: str) -> str:
    """The raw id of a global ID that must name a `type_name` object (BAD_USER_INPUT otherwise)."""
    found, raw_id = decode_id(global_id)
    if found != type_name:
        raise BadUserInput(f"Expected the ID of a {type_name}.", id=global_id[:64])
    return raw_id


# A fetcher: (context, raw ids) -> {raw id: node} with only the nodes the viewer may see.
NodeFetcher = Callable[[Context, Sequence[str]], Awaitable[dict[str, Any]]]
_FETCHERS: dict[str, NodeFetcher] = {}


def node_fetcher(type_name: str) -> Callable[[NodeFetcher], NodeFetcher]:
    def register(fetch: NodeFetcher) -> NodeFetcher:
        _FETCHERS[type_name] = fetch
        return fetch

    return register


async def fetch_nodes(context: Context, global_ids: Sequence[str]) -> list[Node | None]:
    """Nodes in the order asked, one batched fetch per type; None where not visible or not found."""
    decoded = [decode_id(g) for g in global_ids]
    by_type: dict[str, list[str]] = {}
    for type_name, raw_id in decoded:
        if type_name not in _FETCHERS:
            raise BadUserInput("Malformed ID.")
        by_type.setdefault(type_name, []).append(raw_id)
    found: dict[tuple[str, str], Node] = {}
    for type_name, raw_ids in by_type.items():
        for raw_id, node in (await _FETCHERS[type_name](context, list(dict.fromkeys(raw_ids)))).items():
            found[(type_name, raw_id)] = node
    return [found.get(key) for key in decoded]


async def nodes_of(context: Context, type_name: str, raw_ids: Sequence[str]) -> list[Any]:
    """The `type_name` objects with these raw ids that the viewer may see, in the order asked."""
    fetch = _FETCHERS[type_name]
    found = await fetch(context, list(dict.fromkeys(raw_ids)))
    return [found[i] for i in raw_ids if i in found]


async def resolve_node(
    info: Info[Context, None], id: Annotated[strawberry.ID, strawberry.argument(description="A global ID.")]
) -> Node | None:
    info.context.require_viewer()
    return (await fetch_nodes(info.context, [id]))[0]


async def resolve_nodes(
    info: Info[Context, None],
    ids: Annotated[list[strawberry.ID], strawberry.argument(description=f"Global IDs, at most {MAX_NODES}.")],
) -> list[Node | None]:
    info.context.require_viewer()
    if len(ids) > MAX_NODES:
        raise BadUserInput(f"At most {MAX_NODES} IDs at a time.", field="ids")
    return await fetch_nodes(info.context, ids)


@strawberry.type
class NodeQuery:
    node: Node | None = strawberry.field(
        resolver=resolve_node,
        description="Any object by global ID, if the viewer may see it; otherwise null.",
    )
    nodes: list[Node | None] = strawberry.field(
        resolver=resolve_nodes,
        description="Objects by global ID, in the order asked; null for each the viewer may not see (or none is).",
    )
