"""`notificationReceived`: a new message for the portal user."""

from __future__ import annotations

from collections.abc import AsyncIterator

import strawberry
from strawberry.types import Info

from adapters.errors import BackendError
from schema.core.context import Context
from schema.core.feed import fresh_loaders, skipped, subscribing_viewer, text, viewer_events
from schema.core.loaders import NotificationsKey
from schema.core.permission import can_see_notification, can_see_ticket
from schema.support.types import Notification, Ticket


async def notification_received(info: Info[Context, None]) -> AsyncIterator[Notification]:
    context = info.context
    viewer = await subscribing_viewer(info)

    async def feed() -> AsyncIterator[Notification]:
        async for event in viewer_events(context, viewer, {"notification.created"}):
            notification_id = text(event.data, "notification_id")
            if notification_id is None:
                continue
            try:
                # The user's own list: the CRM applies who may see which notification.
                found = await fresh_loaders(context).notifications_by_user_id.load(
                    NotificationsKey(viewer.subscriber_id, viewer.user_id)
                )
            except BackendError as exc:
                skipped(event, exc)
                continue
            record = next((n for n in found.items if n.id == notification_id), None)
            if record is not None and can_see_notification(viewer, record):
                yield Notification.of(record)

    return feed()


async def ticket_changed(info: Info[Context, None]) -> AsyncIterator[Ticket]:
    """A ticket the viewer may see was opened or changed (a reply, a status, a file, a rating): the ticket as
    it now is, read fresh from the CRM."""
    context = info.context
    viewer = await subscribing_viewer(info)

    async def feed() -> AsyncIterator[Ticket]:
        async for event in viewer_events(context, viewer, {"ticket.created", "ticket.updated"}):
            ticket_id = text(event.data, "ticket_id")
            if ticket_id is None:
                continue
            try:
                found = await fresh_loaders(context).ticket_by_id.load(ticket_id)
            except BackendError as exc:
                skipped(event, exc)
                continue
            # The event says which subscriber; the ticket itself decides (a SITE user: their sites, or theirs).
            if (
                found is not None
                and found.subscriber_id == viewer.subscriber_id
                and can_see_ticket(viewer, found)
            ):
                yield Ticket.of(found)

    return feed()


@strawberry.type
class SupportSubscription:
    notification_received: AsyncIterator[Notification] = strawberry.subscription(
        resolver=notification_received,
        description="A new notification for this user (replies and status changes of tickets among them).",
    )
    ticket_changed: AsyncIterator[Ticket] = strawberry.subscription(
        resolver=ticket_changed, description="A ticket the viewer may see was opened or changed."
    )
