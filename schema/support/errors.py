"""Why the support mutations fail. `markNotificationsRead`: Too many IDs is the client's mistake (a top-level BAD_USER_INPUT);
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


# ------------------------------------------------------------------------------------------------ tickets
# The members the ticket mutations share, described once.
_NOT_FOUND = strawberry.enum_value(
    "NOT_FOUND", description="No such ticket — or one the viewer may not see; the two are not told apart."
)
_REFUSED = strawberry.enum_value(
    "REFUSED", description="The CRM refused for a reason not listed here; `message` is the CRM's own."
)
_TOO_LARGE = strawberry.enum_value(
    "ATTACHMENT_TOO_LARGE", description="A file is over the size limit (`field` points at it)."
)
_TOO_MANY = strawberry.enum_value(
    "TOO_MANY_ATTACHMENTS", description="More files than one message or one ticket may hold."
)
_TYPE = strawberry.enum_value(
    "ATTACHMENT_TYPE_NOT_ALLOWED",
    description="A file's content is not PNG, JPEG, GIF, WebP, PDF or plain text, or does not match its name.",
)
_EMPTY = strawberry.enum_value("ATTACHMENT_EMPTY", description="A file has no content.")


@strawberry.enum(description="Why `openTicket` failed.")
class OpenTicketErrorCode(Enum):
    SUBJECT_INVALID = strawberry.enum_value("SUBJECT_INVALID", description="Empty, or over 200 characters.")
    DESCRIPTION_INVALID = strawberry.enum_value(
        "DESCRIPTION_INVALID", description="Empty, or over 10,000 characters."
    )
    SUB_SERVICE_NOT_FOUND = strawberry.enum_value(
        "SUB_SERVICE_NOT_FOUND",
        description="No such sub-service, or one the viewer may not open tickets for.",
    )
    ATTACHMENT_TOO_LARGE = _TOO_LARGE
    TOO_MANY_ATTACHMENTS = _TOO_MANY
    ATTACHMENT_TYPE_NOT_ALLOWED = _TYPE
    ATTACHMENT_EMPTY = _EMPTY
    REFUSED = _REFUSED


@strawberry.enum(description="Why `replyToTicket` failed.")
class ReplyToTicketErrorCode(Enum):
    NOT_FOUND = _NOT_FOUND
    BODY_INVALID = strawberry.enum_value("BODY_INVALID", description="Empty, or over 10,000 characters.")
    TICKET_CLOSED = strawberry.enum_value(
        "TICKET_CLOSED", description="The ticket is closed: reopen it first, or open a new one."
    )
    ATTACHMENT_TOO_LARGE = _TOO_LARGE
    TOO_MANY_ATTACHMENTS = _TOO_MANY
    ATTACHMENT_TYPE_NOT_ALLOWED = _TYPE
    ATTACHMENT_EMPTY = _EMPTY
    REFUSED = _REFUSED


@strawberry.enum(description="Why `closeTicket` failed.")
class CloseTicketErrorCode(Enum):
    NOT_FOUND = _NOT_FOUND
    REFUSED = _REFUSED


@strawberry.enum(description="Why `reopenTicket` failed.")
class ReopenTicketErrorCode(Enum):
    NOT_FOUND = _NOT_FOUND
    TICKET_NOT_RESOLVED = strawberry.enum_value(
        "TICKET_NOT_RESOLVED", description="Only a resolved or closed ticket can be reopened."
    )
    REASON_INVALID = strawberry.enum_value("REASON_INVALID", description="Over 10,000 characters.")
    REFUSED = _REFUSED


@strawberry.enum(description="Why `rateTicket` failed.")
class RateTicketErrorCode(Enum):
    NOT_FOUND = _NOT_FOUND
    RATING_INVALID = strawberry.enum_value(
        "RATING_INVALID", description="The score is not 1 to 5, or the comment is over 2,000 characters."
    )
    TICKET_NOT_RESOLVED = strawberry.enum_value(
        "TICKET_NOT_RESOLVED", description="A ticket can be rated once support has resolved it."
    )
    ALREADY_RATED = strawberry.enum_value("ALREADY_RATED", description="The ticket has been rated already.")
    REFUSED = _REFUSED


@strawberry.type(description="A refusal of `openTicket`.")
class OpenTicketError(CodedError[OpenTicketErrorCode]):
    pass


@strawberry.type(description="A refusal of `replyToTicket`.")
class ReplyToTicketError(CodedError[ReplyToTicketErrorCode]):
    pass


@strawberry.type(description="A refusal of `closeTicket`.")
class CloseTicketError(CodedError[CloseTicketErrorCode]):
    pass


@strawberry.type(description="A refusal of `reopenTicket`.")
class ReopenTicketError(CodedError[ReopenTicketErrorCode]):
    pass


@strawberry.type(description="A refusal of `rateTicket`.")
class RateTicketError(CodedError[RateTicketErrorCode]):
    pass
