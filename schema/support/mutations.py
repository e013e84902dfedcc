"""Marking notifications read."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from adapters.errors import Rejected
from schema.core.context import Context
from schema.core.errors import BadUserInput
from schema.core.loaders import NotificationsKey
from schema.core.mutation import INPUT, USER_ERRORS, refusal
from schema.core.node import decode_id_of
from schema.core.permission import IsAuthenticated, require
from schema.support.errors import MarkNotificationsReadError, MarkNotificationsReadErrorCode

MAX_MARK_READ = 500


@strawberry.input(description="The input of `markNotificationsRead`.")
class MarkNotificationsReadInput:
    ids: list[strawberry.ID] = strawberry.field(
        description="The notifications to mark read (global IDs, at most 500)."
    )


@strawberry.type(
    description="The result of `markNotificationsRead`: what it changed, or why it was refused (`userErrors`)."
)
class MarkNotificationsReadPayload:
    unread_count: int = strawberry.field(description="How many of the user's notifications are still unread.")
    user_errors: list[MarkNotificationsReadError] = strawberry.field(
        default_factory=list, description=USER_ERRORS
    )


async def _unread_count(context: Context) -> int:
    viewer = context.require_viewer()
    found = await context.loaders.notifications_by_user_id.load(
        NotificationsKey(viewer.subscriber_id, viewer.user_id, unread_only=True)
    )
    return found.unread_count


async def mark_notifications_read(
    info: Info[Context, None],
    input: Annotated[MarkNotificationsReadInput, strawberry.argument(description=INPUT)],
) -> MarkNotificationsReadPayload:
    """Any role may mark its own notifications read. The CRM marks only those that are the user's and
    answers the unread count afterwards; an ID of someone else's notification is silently not marked."""
    context = info.context
    viewer = context.require_viewer()
    if len(input.ids) > MAX_MARK_READ:
        raise BadUserInput(f"At most {MAX_MARK_READ} IDs at a time.", field="ids")
    ids = list(dict.fromkeys(decode_id_of(i, "Notification") for i in input.ids))
    if not ids:
        return MarkNotificationsReadPayload(unread_count=await _unread_count(context))
    try:
        result = await context.backends.crm.mark_notifications_read(viewer.user_id, ids)
    except Rejected as exc:
        # The count as it now stands (a refused chunk may follow marked ones), with the CRM's reason.
        error = refusal(MarkNotificationsReadError.of, exc, MarkNotificationsReadErrorCode.REFUSED)
        return MarkNotificationsReadPayload(unread_count=await _unread_count(context), user_errors=[error])
    return MarkNotificationsReadPayload(unread_count=result.unread_count)


@strawberry.type
class NotificationMutation:
    mark_notifications_read: MarkNotificationsReadPayload = strawberry.mutation(
        resolver=mark_notifications_read,
        description="Mark notifications read for this user. Refusals: `MarkNotificationsReadErrorCode`.",
        extensions=require(IsAuthenticated()),
    )
