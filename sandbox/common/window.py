"""Subscriber-keyed reads (`POST …:by-subscriber`): what a system knows about ONE subscriber's sub-services,
a window of them at a time, in the order the CRM lists them (the natural order of the ids), so that the BFF
can ask every system for a page's data in the same round as the CRM's list, before it knows the page's ids.

Body: `{"subscriber_id": "SUB-1", "offset": 0, "limit": 24}` (`offset` defaults to 0; without `limit`, every
sub-service from `offset`). Answer: `{"items": [...], "subservice_ids": [...]}`, the ids being the window's
sub-services in order (a sub-service with nothing to report, e.g. no devices, is still listed there). An
unknown subscriber has no sub-services: an empty answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from starlette.requests import Request

from sandbox.common.http import MAX_BATCH, invalid, read_object
from sandbox.world.inventory import natural_key


@dataclass(frozen=True, slots=True)
class Window:
    subscriber_id: str
    offset: int
    limit: int | None

    def of(self, subservice_ids: Sequence[str]) -> list[str]:
        """The window's ids among all of the subscriber's, in the CRM's order."""
        ordered = sorted(subservice_ids, key=natural_key)
        stop = None if self.limit is None else self.offset + self.limit
        return ordered[self.offset : stop]


def _count(raw: object, name: str, low: int, high: int) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not low <= raw <= high:
        raise invalid(f"`{name}` must be an integer from {low} to {high}")
    return raw


async def read_window(request: Request) -> Window:
    body = await read_object(request)
    subscriber_id = body.get("subscriber_id")
    if not isinstance(subscriber_id, str) or not 0 < len(subscriber_id) <= 100:
        raise invalid("`subscriber_id` must be a non-empty string id")
    offset = body.get("offset", 0)
    limit = body.get("limit")
    return Window(
        subscriber_id,
        _count(offset, "offset", 0, 1_000_000),
        None if limit is None else _count(limit, "limit", 1, MAX_BATCH),
    )
