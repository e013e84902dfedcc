"""`node(id)` for tickets and notifications, and the root fields of the support domain."""

from __future__ import annotations

from collections.abc import Sequence

import strawberry
from strawberry.types import Info

from schema.core.context import Context
from schema.core.loaders import NotificationsKey
from schema.core.node import node_fetcher
from schema.core.permission import IsAuthenticated, can_see_notification, can_see_ticket, require
from schema.support.parts import TicketCategoryOption
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


async def ticket_categories(info: Info[Context, None]) -> list[TicketCategoryOption]:
    return [TicketCategoryOption.of(c) for c in await info.context.backends.tickets.ticket_categories()]


@strawberry.type
class SupportQuery:
    ticket_categories: list[TicketCategoryOption] = strawberry.field(
        resolver=ticket_categories,
        description="What a ticket can be opened about, as the CRM routes it (queue, SLA targets).",
        extensions=require(IsAuthenticated()),
    )
