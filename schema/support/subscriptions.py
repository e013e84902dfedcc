"""`notificationReceived`: a new message for the portal user."""

from __future__ import annotations

from collections.abc import AsyncIterator

import strawberry
from strawberry.types import Info

from adapters.errors import BackendError
from schema.core.context import Context
from schema.core.feed import fresh_loaders, skipped, subscribing_viewer, text, viewer_events
from schema.core.loaders import NotificationsKey
from schema.core.permission import can_see_notification
from schema.support.types import Notification


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


@strawberry.type
class SupportSubscription:
    notification_received: AsyncIterator[Notification] = strawberry.subscription(
        resolver=notification_received
    )
