"""`node(id)` for the subscriber (only the viewer's own)."""

from __future__ import annotations

from collections.abc import Sequence

from schema.core.context import Context
from schema.core.node import node_fetcher
from schema.subscriber.types import Subscriber, own_subscriber


@node_fetcher("Subscriber")
async def fetch_subscribers(context: Context, ids: Sequence[str]) -> dict[str, Subscriber]:
    viewer = context.require_viewer()
    if viewer.subscriber_id not in ids:
        return {}
    subscriber = await own_subscriber(context, viewer)
    return {viewer.subscriber_id: subscriber}
