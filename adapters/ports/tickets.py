"""The tickets port: a subscriber's support tickets, their messages, attachments, SLA and rating.

Split from the CRM port because an ISP's help desk is often another product than its CRM (Zammad, …): the
composition root picks the implementation (`TICKETS_BACKEND`). Batch reads return dicts keyed by the
requested ids; unknown ids are absent. Writes raise `Rejected` with a code when a business rule refuses them.
The records are frozen `msgspec.Struct`s (the WISPGate adapter decodes them straight from the response bytes).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol, get_args

from msgspec import Struct

from adapters.ports.moment import Moment

TicketCategory = Literal["CONNECTIVITY", "BILLING", "DEVICE", "INSTALLATION", "OTHER"]
TicketPriority = Literal["LOW", "NORMAL", "HIGH", "URGENT"]
TicketStatus = Literal["OPEN", "IN_PROGRESS", "WAITING_ON_CUSTOMER", "RESOLVED", "CLOSED"]
MessageAuthor = Literal["CUSTOMER", "SUPPORT"]
AttachmentType = Literal[
    "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"
]

TICKET_CATEGORIES: tuple[TicketCategory, ...] = get_args(TicketCategory)
TICKET_PRIORITIES: tuple[TicketPriority, ...] = get_args(TicketPriority)
TICKET_STATUSES: tuple[TicketStatus, ...] = get_args(TicketStatus)
MESSAGE_AUTHORS: tuple[MessageAuthor, ...] = get_args(MessageAuthor)
ATTACHMENT_TYPES: tuple[AttachmentType, ...] = get_args(AttachmentType)
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


class Sla(Struct, frozen=True, kw_only=True, gc=False):
    first_response_due_at: Moment
    resolution_due_at: Moment
    first_responded_at: Moment | None = None
    resolved_at: Moment | None = None
    first_response_breached: bool
    resolution_breached: bool
    first_response_met: bool = False  # the first support reply came in time
    resolution_met: bool = False  # resolved in time
    elapsed_percent: float = 0.0  # of the resolution window, until resolution or now; 0..100


class TicketRating(Struct, frozen=True, kw_only=True, gc=False):
    score: int  # 1..5
    comment: str | None = None
    rated_at: Moment


TicketEventKind = Literal[
    "CREATED", "ASSIGNED", "REPLIED", "STATUS_CHANGED", "ATTACHMENT_ADDED", "REOPENED", "RATED"
]
ActorKind = Literal["CUSTOMER", "SUPPORT", "SYSTEM"]
TICKET_EVENT_KINDS: tuple[TicketEventKind, ...] = get_args(TicketEventKind)


class TicketEvent(Struct, frozen=True, kw_only=True, gc=False):
    """One interaction in a ticket's history."""

    id: str
    kind: TicketEventKind
    actor_kind: ActorKind
    actor_name: str
    from_status: TicketStatus | None = None
    to_status: TicketStatus | None = None
    detail: str | None = None  # the queue (ASSIGNED), the message id (REPLIED), a file name, "5/5"
    created_at: Moment


class TicketCategoryInfo(Struct, frozen=True, kw_only=True, gc=False):
    """A category a customer may choose, with where it goes and what it promises."""

    category: TicketCategory
    label: str
    queue: str
    default_priority: TicketPriority
    first_response_minutes: int
    resolution_minutes: int


class TicketSummary(Struct, frozen=True, kw_only=True, gc=False):
    id: str
    number: str  # "TCK-…", what the subscriber quotes
    subject: str
    category: TicketCategory
    priority: TicketPriority
    status: TicketStatus
    queue: str  # the support team the category routes to
    subscriber_id: str
    subservice_id: str | None = None
    opened_by_user_id: str | None = None
    created_at: Moment
    updated_at: Moment
    sla: Sla
    message_count: int
    attachment_count: int
    rating: TicketRating | None = None


class TicketMessage(Struct, frozen=True, kw_only=True, gc=False):
    id: str
    author_kind: MessageAuthor
    author_name: str
    author_user_id: str | None = None  # the portal user for CUSTOMER messages
    body: str
    created_at: Moment
    attachment_ids: tuple[str, ...]


class Attachment(Struct, frozen=True, kw_only=True, gc=False):
    id: str
    ticket_id: str
    message_id: str | None = None
    filename: str  # a safe base name
    content_type: AttachmentType
    size_bytes: int
    sha256: str
    created_at: Moment


class Ticket(TicketSummary, frozen=True, kw_only=True, gc=False):
    messages: tuple[TicketMessage, ...]
    attachments: tuple[Attachment, ...]
    events: tuple[TicketEvent, ...] = ()


class TicketPage(Struct, frozen=True, kw_only=True, gc=False):
    items: list[TicketSummary]
    next_cursor: str | None = None
    total_count: int


class NewTicket(Struct, frozen=True):
    """What the portal sends to open a ticket (an input: built by the schema, never decoded)."""

    subscriber_id: str
    author_user_id: str
    category: str  # one of TICKET_CATEGORIES
    subject: str  # at most 200 characters
    body: str  # at most 10,000 characters
    subservice_id: str | None = None
    priority: str | None = None  # None: the category's default


class TicketsPort(Protocol):
    async def tickets_of(
        self, subscriber_id: str, statuses: Sequence[str] = (), limit: int = 50, after: str | None = None
    ) -> TicketPage:
        """Newest first; `statuses` empty means all."""
        ...

    async def tickets(self, ids: Sequence[str]) -> dict[str, Ticket]: ...

    async def ticket(self, ticket_id: str) -> Ticket: ...

    async def open_ticket(self, ticket: NewTicket) -> Ticket:
        """Rejected SUBSERVICE_MISMATCH / USER_MISMATCH / USER_DISABLED / UNKNOWN_SUBSCRIBER."""
        ...

    async def reply_to_ticket(self, ticket_id: str, author_user_id: str, body: str) -> Ticket:
        """Rejected TICKET_CLOSED for a closed ticket; a resolved one reopens."""
        ...

    async def close_ticket(self, ticket_id: str, user_id: str) -> Ticket: ...

    async def reopen_ticket(self, ticket_id: str, user_id: str, reason: str | None = None) -> Ticket:
        """Rejected TICKET_NOT_RESOLVED unless the ticket is RESOLVED or CLOSED."""
        ...

    async def rate_ticket(self, ticket_id: str, user_id: str, score: int, comment: str | None) -> Ticket:
        """Rejected TICKET_NOT_RESOLVED / ALREADY_RATED / RATING_INVALID."""
        ...

    async def ticket_categories(self) -> list[TicketCategoryInfo]: ...

    async def add_attachment(
        self, ticket_id: str, filename: str, content_type: str, data: bytes, message_id: str | None = None
    ) -> Attachment:
        """Rejected ATTACHMENT_TOO_LARGE / ATTACHMENT_TYPE_NOT_ALLOWED / ATTACHMENT_CONTENT_MISMATCH /
        TOO_MANY_ATTACHMENTS / TICKET_CLOSED."""
        ...

    async def attachments(self, ids: Sequence[str]) -> dict[str, Attachment]: ...

    async def attachment(self, attachment_id: str) -> tuple[Attachment, bytes]: ...
