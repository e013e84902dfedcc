"""Relay `Node`: opaque global IDs (`base64url("Type:raw id")`) and fetching any object by its ID.

Each domain registers how to fetch its node type in batches with `@node_fetcher("Type")`. A fetcher returns
only the objects the viewer may see, so a foreign ID and an unknown ID both resolve to null.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import strawberry
from strawberry.types import Info

from schema.core.context import Context
from schema.core.errors import BadUserInput

_TYPE_NAME = re.compile(r"^[A-Z][A-Za-z0-9]{0,63}$")
MAX_ID_LENGTH = 512
MAX_NODES = 100


@strawberry.interface(description="An object with a global ID.")
class Node:
    id: strawberry.ID = strawberry.field(
        description="Opaque global ID (base64 of Type:id). A foreign and an unknown ID look the same: null."
    )


def encode_id(type_name: str, raw_id: str) -> strawberry.ID:
    if not _TYPE_NAME.match(type_name) or not raw_id:
        raise ValueError(f"cannot make a global ID from {type_name!r}, {raw_id!r}")
    token = base64.urlsafe_b64encode(f"{type_name}:{raw_id}".encode()).decode().rstrip("=")
    return strawberry.ID(token)


def decode_id(global_id: str) -> tuple[str, str]:
    """`(type name, raw id)`; raises `BadUserInput` (code BAD_USER_INPUT) for anything we did not issue."""
    if not isinstance(global_id, str) or not global_id or len(global_id) > MAX_ID_LENGTH:
        raise BadUserInput("Malformed ID.", id=str(global_id)[:64])
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        text = base64.b64decode(padded, altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadUserInput("Malformed ID.", id=global_id[:64]) from None
    type_name, sep, raw_id = text.partition(":")
    if not sep or not raw_id or not _TYPE_NAME.match(type_name) or not raw_id.isprintable():
        raise BadUserInput("Malformed ID.", id=global_id[:64])
    return type_name, raw_id


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


async def resolve_node(info: Info[Context, None], id: strawberry.ID) -> Node | None:
    info.context.require_viewer()
    return (await fetch_nodes(info.context, [id]))[0]


async def resolve_nodes(info: Info[Context, None], ids: list[strawberry.ID]) -> list[Node | None]:
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
    nodes: list[Node | None] = strawberry.field(resolver=resolve_nodes)
