"""`node(id)` for tickets and notifications."""

from __future__ import annotations

from collections.abc import Sequence

from schema.core.context import Context
from schema.core.loaders import NotificationsKey
from schema.core.node import node_fetcher
from schema.core.permission import can_see_notification, can_see_ticket
from schema.support.types import Notification, Ticket


@node_fetcher("Ticket")
async def fetch_tickets(context: Context, ids: Sequence[str]) -> dict[str, Ticket]:
    viewer = context.require_viewer()
    found = await context.loaders.ticket_by_id.load_many(ids)
    return {t.id: Ticket.of(t) for t in found if t is not None and can_see_ticket(viewer, t)}


@node_fetcher("Notification")
async def fetch_notifications(context: Context, ids: Sequence[str]) -> dict[str, Notification]:
    viewer = context.require_viewer()
    found = await context.loaders.notifications_by_user_id.load(
        NotificationsKey(viewer.subscriber_id, viewer.user_id)
    )
    wanted = set(ids)
    return {
        n.id: Notification.of(n) for n in found.items if n.id in wanted and can_see_notification(viewer, n)
    }
