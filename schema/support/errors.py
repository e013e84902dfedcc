"""Why `markNotificationsRead` fails. Too many IDs is the client's mistake (a top-level BAD_USER_INPUT);
IDs of someone else's notifications are silently skipped; what is left is the CRM refusing."""

from __future__ import annotations

from enum import Enum

import strawberry

from schema.core.errors import CodedError


@strawberry.enum(description="Why `markNotificationsRead` failed.")
class MarkNotificationsReadErrorCode(Enum):
    REFUSED = strawberry.enum_value(
        "REFUSED", description="The CRM refused to mark the notifications read; `message` is the CRM's own."
    )


@strawberry.type(description="A refusal of `markNotificationsRead`.")
class MarkNotificationsReadError(CodedError[MarkNotificationsReadErrorCode]):
    pass
