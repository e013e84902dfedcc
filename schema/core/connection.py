"""Relay connections: `edges`, `nodes`, `pageInfo`, `totalCount`, with opaque offset cursors.

Every list the portal pages through is small enough per subscriber that the BFF can hold the filtered list
and slice it (filters apply before paging, so `totalCount` is exact). A cursor is `base64url("o:<offset>")`:
opaque to clients, meaningful only to us.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import strawberry

from schema.core.errors import BadUserInput

MAX_FIRST = 100
# The paging arguments of every connection field.
FIRST = f"How many items the page holds, at most {MAX_FIRST}."
AFTER = "Start after the item with this cursor (`endCursor` of the previous page); omitted: from the start."
_PREFIX = "o:"

NodeT = TypeVar("NodeT")
ItemT = TypeVar("ItemT")


@strawberry.type(description="Where a page sits in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="More items follow this page: ask again `after: endCursor`."
    )
    has_previous_page: bool = strawberry.field(description="Items come before this page.")
    start_cursor: str | None = strawberry.field(
        description="The cursor of the page's first item; null if empty."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the page's last item (pass it as `after` for the next page); null if empty."
    )


@strawberry.type(description="One item of a page, with the cursor that marks its place in the list.")
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(
        description="Opaque: pass it as `after` to start the next page after this item."
    )
    node: NodeT = strawberry.field(description="The item.")


@strawberry.type(
    description="One page of a list (Relay connection): ask with `first` and `after`; `pageInfo` says what follows."
)
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]] = strawberry.field(description="The page's items, each with its cursor.")
    nodes: list[NodeT] = strawberry.field(
        description="The page's items, without cursors (the same as `edges`)."
    )
    page_info: PageInfo = strawberry.field(description="Where this page sits in the whole list.")
    total_count: int = strawberry.field(description="How many items the whole list holds, across all pages.")


def given(value: ItemT | None) -> ItemT | None:
    """An optional argument's value, with "not passed" (UNSET, so the SDL shows no default) as None."""
    return None if value is None or value is strawberry.UNSET else value


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The offset a cursor we issued points at; BAD_USER_INPUT for anything else."""
    if len(cursor) > 64:
        raise BadUserInput("Malformed cursor.", field="after")
    try:
        text = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadUserInput("Malformed cursor.", field="after") from None
    raw = text.removeprefix(_PREFIX)
    if raw == text or not raw.isdigit() or len(raw) > 9:
        raise BadUserInput("Malformed cursor.", field="after")
    return int(raw)


def check_first(first: int | None, default: int) -> int:
    """`first` as asked, or BAD_USER_INPUT: more than MAX_FIRST is refused, never silently clamped."""
    value = default if first is None else first
    if value < 0 or value > MAX_FIRST:
        raise BadUserInput(f"`first` must be between 0 and {MAX_FIRST}.", field="first")
    return value


@dataclass(frozen=True, slots=True)
class Window:
    """The slice of a list one page covers: `start` (inclusive) to `stop` (exclusive)."""

    start: int
    stop: int
    total: int

    def page_info(self) -> PageInfo:
        empty = self.stop <= self.start
        return PageInfo(
            has_next_page=self.stop < self.total,
            has_previous_page=self.start > 0,
            start_cursor=None if empty else encode_cursor(self.start),
            end_cursor=None if empty else encode_cursor(self.stop - 1),
        )


def window(total: int, first: int | None, after: str | None, default: int) -> Window:
    """Validate the paging arguments and compute the slice `[start, stop)` of a list of `total` items."""
    count = check_first(first, default)
    start = decode_cursor(after) + 1 if after is not None else 0
    start = min(start, total)
    return Window(start, min(start + count, total), total)


def connection(cls: type[Connection[NodeT]], nodes: Sequence[NodeT], win: Window) -> Connection[NodeT]:
    """A `cls` over `nodes` (already the items of `win`, in order)."""
    edges = [Edge(cursor=encode_cursor(win.start + i), node=n) for i, n in enumerate(nodes)]
    return cls(edges=edges, nodes=list(nodes), page_info=win.page_info(), total_count=win.total)
