"""The wire side of subscriber-keyed reads (`adapters.ports.window`): `POST …:by-subscriber` with a window,
answered `{"items": [...], "subservice_ids": [...]}`."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from msgspec import Struct

from adapters.ports.window import SubscriberWindow
from adapters.wispgate.client import CoreClient

T = TypeVar("T")


class WindowItems(Struct, Generic[T], frozen=True, gc=False):
    items: list[T]
    subservice_ids: list[str]


async def read_window(
    client: CoreClient, path: str, window: SubscriberWindow, into: type[T]
) -> WindowItems[T]:
    """One subscriber-keyed read (a read: retried, and shared with an identical one in flight)."""
    body: dict[str, Any] = {"subscriber_id": window.subscriber_id, "offset": window.offset}
    if window.limit is not None:
        body["limit"] = window.limit
    envelope: type[WindowItems[T]] = WindowItems[into]  # type: ignore[valid-type]
    return await client.call("POST", path, envelope, json_body=body, idempotent=True)
