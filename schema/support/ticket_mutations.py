"""Opening, answering, closing, reopening and rating tickets.

Files arrive as GraphQL multipart uploads (`attachments: [Upload!]`) and are checked completely — count, size,
type by content — before the CRM hears of the ticket or the reply, so a refused file leaves nothing behind.
A ticket the viewer may not see (another subscriber's, another site's) answers exactly like a missing one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, cast

import strawberry
from strawberry.file_uploads import Upload
from strawberry.types import Info

from adapters.errors import NotFound, Rejected
from adapters.ports import tickets
from bff.core.uploads import CheckedFile, UploadFile, UploadRefused, check_uploads
from schema.core.context import Context
from schema.core.errors import BadUserInput, ErrorFactory, known_code
from schema.core.mutation import INPUT, USER_ERRORS, not_found, refusal
from schema.core.node import decode_id_of
from schema.core.permission import CanWriteTickets, can_see_subservice, can_see_ticket, require
from schema.support.errors import (
    CloseTicketError,
    CloseTicketErrorCode,
    OpenTicketError,
    OpenTicketErrorCode,
    RateTicketError,
    RateTicketErrorCode,
    ReopenTicketError,
    ReopenTicketErrorCode,
    ReplyToTicketError,
    ReplyToTicketErrorCode,
)
from schema.support.types import Ticket, TicketCategory

MAX_SUBJECT = 200
MAX_BODY = 10_000
MAX_COMMENT = 2_000


def _text_ok(value: str, limit: int) -> bool:
    return bool(value.strip()) and len(value) <= limit


async def _visible_ticket(context: Context, ticket_id: str) -> tickets.Ticket | None:
    """The ticket read fresh from the CRM, or None when missing or not the viewer's to see."""
    viewer = context.require_viewer()
    found = (await context.backends.tickets.tickets([ticket_id])).get(ticket_id)
    return found if found is not None and can_see_ticket(viewer, found) else None


async def _checked(
    context: Context, files: list[Upload] | None, already: int, error: ErrorFactory[Any, Any], codes: Any
) -> tuple[list[CheckedFile], Any]:
    # An `Upload` variable sent inside a JSON body arrives as whatever JSON it was: only multipart parts are files.
    if any(not callable(getattr(f, "read", None)) for f in files or []):
        raise BadUserInput(
            "Attachments must be files sent as a GraphQL multipart request.", field="attachments"
        )
    try:
        # strawberry hands each `Upload` over as the framework's upload file object.
        uploads = cast("list[UploadFile]", files or [])
        return await check_uploads(uploads, context.settings.uploads, already), None
    except UploadRefused as exc:
        code = known_code(exc.code, codes.REFUSED, source="uploads")
        at = ("input", "attachments", str(exc.index)) if exc.index is not None else ("input", "attachments")
        return [], error(code, exc.message, *at)


async def _attach(context: Context, ticket_id: str, message_id: str | None, files: list[CheckedFile]) -> None:
    for f in files:
        await context.backends.tickets.add_attachment(
            ticket_id, f.filename, f.content_type, f.data, message_id
        )


def _fresh(ticket: tickets.Ticket) -> Ticket:
    return Ticket.of(ticket)


# -------------------------------------------------------------------------------------------- openTicket


@strawberry.input(description="The input of `openTicket`.")
class OpenTicketInput:
    category: TicketCategory = strawberry.field(description="One of `ticketCategories`")
    subject: str = strawberry.field(description="One line about the problem.")
    description: str = strawberry.field(description="The problem in the customer's words.")
    sub_service_id: strawberry.ID | None = strawberry.field(
        default=None, description="The sub-service it is about; null for the account as a whole"
    )
    attachments: list[Upload] | None = strawberry.field(
        default=None, description="Files (GraphQL multipart request): pictures, PDF or plain text"
    )


@strawberry.type(
    description="The result of `openTicket`: what it changed, or why it was refused (`userErrors`)."
)
class OpenTicketPayload:
    ticket: Ticket | None = strawberry.field(default=None, description="The new ticket; null when refused.")
    user_errors: list[OpenTicketError] = strawberry.field(default_factory=list, description=USER_ERRORS)


async def open_ticket(
    info: Info[Context, None], input: Annotated[OpenTicketInput, strawberry.argument(description=INPUT)]
) -> OpenTicketPayload:
    context = info.context
    viewer = context.require_viewer()
    error, codes = OpenTicketError.of, OpenTicketErrorCode
    if not _text_ok(input.subject, MAX_SUBJECT):
        message = f"Give the ticket a subject of at most {MAX_SUBJECT} characters."
        return OpenTicketPayload(user_errors=[error(codes.SUBJECT_INVALID, message, "input", "subject")])
    if not _text_ok(input.description, MAX_BODY):
        message = f"Describe the problem in at most {MAX_BODY:,} characters."
        return OpenTicketPayload(
            user_errors=[error(codes.DESCRIPTION_INVALID, message, "input", "description")]
        )
    subservice_id: str | None = None
    if input.sub_service_id is not None:
        subservice_id = decode_id_of(input.sub_service_id, "SubService")
        record = await context.loaders.subservice_by_id.load(subservice_id)
        if record is None or not can_see_subservice(viewer, record):
            problem = not_found(error, codes.SUB_SERVICE_NOT_FOUND, "sub-service", "subServiceId")
            return OpenTicketPayload(user_errors=[problem])
    files, problem = await _checked(context, input.attachments, 0, error, codes)
    if problem is not None:
        return OpenTicketPayload(user_errors=[problem])
    try:
        ticket = await context.backends.tickets.open_ticket(
            tickets.NewTicket(
                subscriber_id=viewer.subscriber_id,
                author_user_id=viewer.user_id,
                category=input.category.name,  # enum names are the values
                subject=input.subject.strip(),
                body=input.description.strip(),
                subservice_id=subservice_id,
            )
        )
        if files:
            await _attach(context, ticket.id, ticket.messages[0].id if ticket.messages else None, files)
            ticket = await context.backends.tickets.ticket(ticket.id)
    except Rejected as exc:
        refused = refusal(error, exc, codes.REFUSED, {"SUBSERVICE_MISMATCH": "subServiceId"})
        return OpenTicketPayload(user_errors=[refused])
    return OpenTicketPayload(ticket=_fresh(ticket))


# ----------------------------------------------------------------------------------------- replyToTicket


@strawberry.input(description="The input of `replyToTicket`.")
class ReplyToTicketInput:
    ticket_id: strawberry.ID = strawberry.field(description="The ticket (its global ID).")
    body: str = strawberry.field(description="The message, plain text.")
    attachments: list[Upload] | None = strawberry.field(
        default=None, description="Files to send with the message (multipart upload)."
    )


@strawberry.type(
    description="The result of `replyToTicket`: what it changed, or why it was refused (`userErrors`)."
)
class ReplyToTicketPayload:
    ticket: Ticket | None = strawberry.field(
        default=None, description="The ticket with the new message; null when refused."
    )
    user_errors: list[ReplyToTicketError] = strawberry.field(default_factory=list, description=USER_ERRORS)


async def reply_to_ticket(
    info: Info[Context, None], input: Annotated[ReplyToTicketInput, strawberry.argument(description=INPUT)]
) -> ReplyToTicketPayload:
    context = info.context
    viewer = context.require_viewer()
    error, codes = ReplyToTicketError.of, ReplyToTicketErrorCode
    ticket_id = decode_id_of(input.ticket_id, "Ticket")
    current = await _visible_ticket(context, ticket_id)
    if current is None:
        return ReplyToTicketPayload(user_errors=[not_found(error, codes.NOT_FOUND, "ticket", "ticketId")])
    if not _text_ok(input.body, MAX_BODY):
        message = f"Write a reply of at most {MAX_BODY:,} characters."
        return ReplyToTicketPayload(user_errors=[error(codes.BODY_INVALID, message, "input", "body")])
    if current.status == "CLOSED":
        message = "This ticket is closed. Reopen it to continue the conversation."
        return ReplyToTicketPayload(user_errors=[error(codes.TICKET_CLOSED, message, "input", "ticketId")])
    files, problem = await _checked(context, input.attachments, current.attachment_count, error, codes)
    if problem is not None:
        return ReplyToTicketPayload(user_errors=[problem])
    try:
        ticket = await context.backends.tickets.reply_to_ticket(ticket_id, viewer.user_id, input.body.strip())
        if files:
            mine = [m.id for m in ticket.messages if m.author_user_id == viewer.user_id]
            await _attach(context, ticket_id, mine[-1] if mine else None, files)
            ticket = await context.backends.tickets.ticket(ticket_id)
    except NotFound:
        return ReplyToTicketPayload(user_errors=[not_found(error, codes.NOT_FOUND, "ticket", "ticketId")])
    except Rejected as exc:
        return ReplyToTicketPayload(user_errors=[refusal(error, exc, codes.REFUSED)])
    return ReplyToTicketPayload(ticket=_fresh(ticket))


# ------------------------------------------------------------------------- closeTicket, reopenTicket, rate


@strawberry.input(description="The input of `closeTicket`.")
class CloseTicketInput:
    ticket_id: strawberry.ID = strawberry.field(description="The ticket (its global ID).")


@strawberry.type(
    description="The result of `closeTicket`: what it changed, or why it was refused (`userErrors`)."
)
class CloseTicketPayload:
    ticket: Ticket | None = strawberry.field(
        default=None, description="The ticket, closed; null when refused."
    )
    user_errors: list[CloseTicketError] = strawberry.field(default_factory=list, description=USER_ERRORS)


async def close_ticket(
    info: Info[Context, None], input: Annotated[CloseTicketInput, strawberry.argument(description=INPUT)]
) -> CloseTicketPayload:
    context = info.context
    error, codes = CloseTicketError.of, CloseTicketErrorCode
    ticket_id = decode_id_of(input.ticket_id, "Ticket")
    result = await _act(context, ticket_id, lambda u: context.backends.tickets.close_ticket(ticket_id, u))
    if result is None:
        return CloseTicketPayload(user_errors=[not_found(error, codes.NOT_FOUND, "ticket", "ticketId")])
    if isinstance(result, Rejected):
        return CloseTicketPayload(user_errors=[refusal(error, result, codes.REFUSED)])
    return CloseTicketPayload(ticket=_fresh(result))


@strawberry.input(description="The input of `reopenTicket`.")
class ReopenTicketInput:
    ticket_id: strawberry.ID = strawberry.field(description="The ticket (its global ID).")
    reason: str | None = strawberry.field(default=None, description="Why: added to the conversation")


@strawberry.type(
    description="The result of `reopenTicket`: what it changed, or why it was refused (`userErrors`)."
)
class ReopenTicketPayload:
    ticket: Ticket | None = strawberry.field(
        default=None, description="The ticket, open again; null when refused."
    )
    user_errors: list[ReopenTicketError] = strawberry.field(default_factory=list, description=USER_ERRORS)


async def reopen_ticket(
    info: Info[Context, None], input: Annotated[ReopenTicketInput, strawberry.argument(description=INPUT)]
) -> ReopenTicketPayload:
    context = info.context
    error, codes = ReopenTicketError.of, ReopenTicketErrorCode
    ticket_id = decode_id_of(input.ticket_id, "Ticket")
    reason = (input.reason or "").strip() or None
    if reason is not None and len(reason) > MAX_BODY:
        message = f"Keep the reason under {MAX_BODY:,} characters."
        return ReopenTicketPayload(user_errors=[error(codes.REASON_INVALID, message, "input", "reason")])
    result = await _act(
        context, ticket_id, lambda u: context.backends.tickets.reopen_ticket(ticket_id, u, reason)
    )
    if result is None:
        return ReopenTicketPayload(user_errors=[not_found(error, codes.NOT_FOUND, "ticket", "ticketId")])
    if isinstance(result, Rejected):
        return ReopenTicketPayload(user_errors=[refusal(error, result, codes.REFUSED)])
    return ReopenTicketPayload(ticket=_fresh(result))


@strawberry.input(description="The input of `rateTicket`.")
class RateTicketInput:
    ticket_id: strawberry.ID = strawberry.field(description="The ticket (its global ID).")
    score: int = strawberry.field(description="1 (poor) to 5 (excellent)")
    comment: str | None = strawberry.field(
        default=None, description="What to say with the score (at most 2,000 characters)."
    )


@strawberry.type(
    description="The result of `rateTicket`: what it changed, or why it was refused (`userErrors`)."
)
class RateTicketPayload:
    ticket: Ticket | None = strawberry.field(
        default=None, description="The ticket with its rating; null when refused."
    )
    user_errors: list[RateTicketError] = strawberry.field(default_factory=list, description=USER_ERRORS)


async def rate_ticket(
    info: Info[Context, None], input: Annotated[RateTicketInput, strawberry.argument(description=INPUT)]
) -> RateTicketPayload:
    context = info.context
    error, codes = RateTicketError.of, RateTicketErrorCode
    ticket_id = decode_id_of(input.ticket_id, "Ticket")
    comment = (input.comment or "").strip() or None
    if not 1 <= input.score <= 5 or (comment is not None and len(comment) > MAX_COMMENT):
        message = f"Rate from 1 to 5, with a comment of at most {MAX_COMMENT:,} characters."
        return RateTicketPayload(user_errors=[error(codes.RATING_INVALID, message, "input", "score")])
    result = await _act(
        context, ticket_id, lambda u: context.backends.tickets.rate_ticket(ticket_id, u, input.score, comment)
    )
    if result is None:
        return RateTicketPayload(user_errors=[not_found(error, codes.NOT_FOUND, "ticket", "ticketId")])
    if isinstance(result, Rejected):
        return RateTicketPayload(user_errors=[refusal(error, result, codes.REFUSED)])
    return RateTicketPayload(ticket=_fresh(result))


async def _act(
    context: Context, ticket_id: str, call: Callable[[str], Any]
) -> tickets.Ticket | Rejected | None:
    """Run a customer action on a ticket the viewer may see: the changed ticket, the CRM's refusal, or None
    for a ticket that is missing or not theirs."""
    viewer = context.require_viewer()
    if await _visible_ticket(context, ticket_id) is None:
        return None
    try:
        ticket: tickets.Ticket = await call(viewer.user_id)
    except NotFound:
        return None
    except Rejected as exc:
        return exc
    return ticket


@strawberry.type
class TicketMutation:
    open_ticket: OpenTicketPayload = strawberry.mutation(
        resolver=open_ticket,
        description="Open a support ticket, with files. Refusals: `OpenTicketErrorCode`.",
        extensions=require(CanWriteTickets()),
    )
    reply_to_ticket: ReplyToTicketPayload = strawberry.mutation(
        resolver=reply_to_ticket,
        description="Answer support on a ticket, with files. Refusals: `ReplyToTicketErrorCode`.",
        extensions=require(CanWriteTickets()),
    )
    close_ticket: CloseTicketPayload = strawberry.mutation(
        resolver=close_ticket,
        description="Close a ticket (idempotent). Refusals: `CloseTicketErrorCode`.",
        extensions=require(CanWriteTickets()),
    )
    reopen_ticket: ReopenTicketPayload = strawberry.mutation(
        resolver=reopen_ticket,
        description="Reopen a resolved or closed ticket. Refusals: `ReopenTicketErrorCode`.",
        extensions=require(CanWriteTickets()),
    )
    rate_ticket: RateTicketPayload = strawberry.mutation(
        resolver=rate_ticket,
        description="Rate the help on a resolved ticket, 1–5 with a comment, once. Refusals: `RateTicketErrorCode`.",
        extensions=require(CanWriteTickets()),
    )
