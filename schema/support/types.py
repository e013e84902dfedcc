"""Support tickets (with SLA progress, messages and attachments) and portal notifications."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from adapters.ports import crm, tickets
from schema.core.connection import Connection, connection, window
from schema.core.context import Context
from schema.core.loaders import NotificationsKey, TicketsKey
from schema.core.lookahead import SelectedField, connection_nodes, names, selected
from schema.core.node import Node, encode_id
from schema.core.permission import (
    CanSeeLinkedSubService,
    can_see_notification,
    can_see_ticket,
    null_unless,
)
from schema.core.prefetch import MISSING, Missing
from schema.core.resolver import typed_field
from schema.service.types import SubService
from schema.support.parts import NotificationLink, TicketEvent, TicketRating, notification_link


@strawberry.enum(description="Where a ticket stands.")
class TicketStatus(Enum):
    OPEN = strawberry.enum_value("OPEN", description="Opened, not yet picked up by support.")
    IN_PROGRESS = strawberry.enum_value("IN_PROGRESS", description="Support is working on it.")
    WAITING_ON_CUSTOMER = strawberry.enum_value(
        "WAITING_ON_CUSTOMER", description="Support asked the customer something: a reply moves it on."
    )
    RESOLVED = strawberry.enum_value(
        "RESOLVED", description="Support considers it solved: the customer may rate it or reopen it."
    )
    CLOSED = strawberry.enum_value("CLOSED", description="Finished; reopening it is still possible.")


@strawberry.enum(
    description="What a ticket is about; it decides the support queue and the SLA (`ticketCategories`)."
)
class TicketCategory(Enum):
    CONNECTIVITY = strawberry.enum_value(
        "CONNECTIVITY", description="The connection is down, slow or unstable."
    )
    BILLING = strawberry.enum_value("BILLING", description="Invoices, payments, charges.")
    DEVICE = strawberry.enum_value("DEVICE", description="A router, ONT, set-top box or other device.")
    INSTALLATION = strawberry.enum_value("INSTALLATION", description="A new installation, a move, a visit.")
    OTHER = strawberry.enum_value("OTHER", description="Anything else.")


@strawberry.enum(description="How urgent a ticket is.")
class TicketPriority(Enum):
    LOW = strawberry.enum_value("LOW", description="Whenever support can.")
    NORMAL = strawberry.enum_value("NORMAL", description="The usual.")
    HIGH = strawberry.enum_value("HIGH", description="Sooner than usual.")
    URGENT = strawberry.enum_value("URGENT", description="First.")


@strawberry.enum(description="What a notification reports.")
class NotificationKind(Enum):
    INVOICE_ISSUED = strawberry.enum_value("INVOICE_ISSUED", description="A new invoice was issued.")
    PAYMENT_RECEIVED = strawberry.enum_value("PAYMENT_RECEIVED", description="A payment was received.")
    PAYMENT_FAILED = strawberry.enum_value(
        "PAYMENT_FAILED", description="A payment failed (a card refused, an autopay charge declined)."
    )
    WALLET_CREDITED = strawberry.enum_value("WALLET_CREDITED", description="The wallet was credited.")
    SERVICE_STATUS = strawberry.enum_value(
        "SERVICE_STATUS", description="A service was suspended, restricted or reactivated."
    )
    TICKET_UPDATED = strawberry.enum_value(
        "TICKET_UPDATED", description="Support replied to a ticket or changed its status."
    )
    GENERAL = strawberry.enum_value("GENERAL", description="A message from the operator.")


DONE_STATUSES = ("RESOLVED", "CLOSED")


def _linked_subservice(info: Info[Context, None], subservice_id: str | None) -> Any:
    if subservice_id is None:
        return None

    async def later() -> SubService | None:
        record = await info.context.loaders.subservice_by_id.load(subservice_id)
        return SubService.of(record) if record is not None else None

    return later()


@strawberry.type(description="Service-level agreement of a ticket: when a response and a fix are due.")
class Sla:
    first_response_due_at: datetime = strawberry.field(description="When support must first respond by.")
    resolution_due_at: datetime = strawberry.field(description="When the ticket must be resolved by.")
    first_responded_at: datetime | None = strawberry.field(
        description="When support first responded; null until then."
    )
    resolved_at: datetime | None = strawberry.field(description="When it was resolved; null until then.")
    first_response_breached: bool = strawberry.field(
        description="The first response came late, or is late now."
    )
    resolution_breached: bool = strawberry.field(description="The resolution came late, or is late now.")
    first_response_met: bool = strawberry.field(
        description="Support answered before the first-response due time"
    )
    resolution_met: bool = strawberry.field(description="Resolved before the resolution due time")
    elapsed_percent: float = strawberry.field(
        description="Share of the resolution window used until resolution (or now), 0..100, as the CRM computes it"
    )
    progress: float = strawberry.field(
        description="Share of the resolution window used so far, 0..1 (1 when breached)"
    )

    @classmethod
    def of(cls, sla: tickets.Sla, created_at: datetime, now: datetime | None = None) -> Sla:
        if sla.resolution_breached:
            progress = 1.0
        else:
            end = sla.resolved_at or now or datetime.now(UTC)
            window = (sla.resolution_due_at - created_at).total_seconds()
            used = (end - created_at).total_seconds()
            progress = min(max(used / window, 0.0), 1.0) if window > 0 else 1.0
        return cls(
            first_response_due_at=sla.first_response_due_at,
            resolution_due_at=sla.resolution_due_at,
            first_responded_at=sla.first_responded_at,
            resolved_at=sla.resolved_at,
            first_response_breached=sla.first_response_breached,
            resolution_breached=sla.resolution_breached,
            first_response_met=sla.first_response_met,
            resolution_met=sla.resolution_met,
            elapsed_percent=sla.elapsed_percent,
            progress=round(progress, 4),
        )


@strawberry.type(description="A file sent with a ticket or one of its messages.")
class Attachment:
    record: strawberry.Private[tickets.Attachment]
    id: strawberry.ID = strawberry.field(description="The attachment's id in the CRM.")
    filename: str = strawberry.field(description="The file's name as it was sent.")
    content_type: str = strawberry.field(description="Its media type, e.g. image/png.")
    size_bytes: int = strawberry.field(description="Its size in bytes.")

    @classmethod
    def of(cls, a: tickets.Attachment) -> Attachment:
        return cls(
            record=a,
            id=encode_id("Attachment", a.id),
            filename=a.filename,
            content_type=a.content_type,
            size_bytes=a.size_bytes,
        )

    @typed_field(description="Short-lived signed link")
    def url(self, info: Info[Context, None]) -> str:
        return info.context.files.attachment_url(self.record.id, self.record.filename).url

    @typed_field(description="An image the portal may preview (PNG, JPEG, GIF, WebP)")
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


@strawberry.type(description="One message in a ticket's conversation.")
class TicketMessage:
    id: strawberry.ID = strawberry.field(description="The message's id in the CRM.")
    from_support: bool = strawberry.field(description="Written by support (false: by the customer).")
    author_name: str = strawberry.field(description="Who wrote it, as shown in the conversation.")
    body: str = strawberry.field(description="The message, plain text.")
    created_at: datetime = strawberry.field(description="When it was sent.")
    attachments: list[Attachment] = strawberry.field(description="The files sent with this message")

    @classmethod
    def of(cls, m: tickets.TicketMessage, files: dict[str, tickets.Attachment]) -> TicketMessage:
        return cls(
            id=encode_id("TicketMessage", m.id),
            from_support=m.author_kind == "SUPPORT",
            author_name=m.author_name,
            body=m.body,
            created_at=m.created_at,
            attachments=[Attachment.of(files[i]) for i in m.attachment_ids if i in files],
        )


@strawberry.type(description="A support request and its conversation.")
class Ticket(Node):
    record: strawberry.Private[tickets.TicketSummary]
    # The full ticket (messages, attachments) when the list pre-loaded it.
    full: strawberry.Private[tickets.Ticket | Missing | None]
    number: str = strawberry.field(description="The ticket's number, e.g. TCK-1042, quoted to support.")
    subject: str = strawberry.field(description="One line about the problem.")
    category: TicketCategory = strawberry.field(description="What it is about.")
    priority: TicketPriority = strawberry.field(description="How urgent it is.")
    status: TicketStatus = strawberry.field(description="Where it stands.")
    queue: str = strawberry.field(description="The support queue working on it.")
    created_at: datetime = strawberry.field(description="When it was opened.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    sla: Sla = strawberry.field(
        description="When a response and a resolution are due, and whether they were late."
    )

    @classmethod
    def of(cls, t: tickets.TicketSummary) -> Ticket:
        return cls(
            id=encode_id("Ticket", t.id),
            record=t,
            full=t if isinstance(t, tickets.Ticket) else MISSING,
            number=t.number,
            subject=t.subject,
            category=TicketCategory(t.category),
            priority=TicketPriority(t.priority),
            status=TicketStatus(t.status),
            queue=t.queue,
            created_at=t.created_at,
            updated_at=t.updated_at,
            sla=Sla.of(t.sla, t.created_at),
        )

    @property
    def linked_subservice_id(self) -> str | None:
        return self.record.subservice_id

    @typed_field(
        graphql_type=SubService | None,
        description="The sub-service it is about; null when none.",
        extensions=null_unless(CanSeeLinkedSubService()),
    )
    def sub_service(self, info: Info[Context, None]) -> Any:
        return _linked_subservice(info, self.record.subservice_id)

    def _full_then(self, info: Info[Context, None], convert: Any) -> Any:
        if not isinstance(self.full, Missing):
            return convert(self.full)

        async def later() -> Any:
            return convert(await info.context.loaders.ticket_by_id.load(self.record.id))

        return later()

    @typed_field(graphql_type=TicketRating | None, description="Null until the customer rates the resolution")
    def rating(self) -> Any:
        return TicketRating.of(self.record.rating) if self.record.rating is not None else None

    @typed_field(description="Resolved (or closed) and not rated yet: `rateTicket` will be accepted")
    def can_rate(self) -> bool:
        return self.record.status in ("RESOLVED", "CLOSED") and self.record.rating is None

    @typed_field(
        graphql_type=list[TicketMessage], description="The conversation, in the order it was written."
    )
    def messages(self, info: Info[Context, None]) -> Any:
        def convert(t: tickets.Ticket | None) -> list[TicketMessage]:
            if t is None:
                return []
            files = {a.id: a for a in t.attachments}
            return [TicketMessage.of(m, files) for m in t.messages]

        return self._full_then(info, convert)

    @typed_field(
        graphql_type=list[TicketEvent],
        description="The whole history, oldest first: created, queued, replies, status changes, files, rating",
    )
    def events(self, info: Info[Context, None]) -> Any:
        return self._full_then(info, lambda t: [TicketEvent.of(e) for e in t.events] if t else [])

    @typed_field(
        graphql_type=list[Attachment], description="Every file sent with the ticket or its messages."
    )
    def attachments(self, info: Info[Context, None]) -> Any:
        return self._full_then(info, lambda t: [Attachment.of(a) for a in t.attachments] if t else [])


async def ticket_objects(
    context: Context, records: Sequence[tickets.TicketSummary], fields: list[SelectedField]
) -> list[Ticket]:
    items = [Ticket.of(r) for r in records]
    if names(fields) & {"messages", "attachments", "events"}:
        full = await context.loaders.ticket_by_id.load_many([t.record.id for t in items])
        for item, ticket in zip(items, full, strict=True):
            item.full = ticket
    return items


async def ticket_connection(
    info: Info[Context, None],
    subscriber_id: str,
    first: int | None,
    after: str | None,
    status: TicketStatus | None,
    active: bool | None = None,
    subservice_id: str | None = None,
) -> Connection[Ticket]:
    """`active`: true for tickets still being worked on, false for resolved and closed ones; `subservice_id`:
    only that sub-service's tickets."""
    context = info.context
    viewer = context.require_viewer()
    window(0, first, after, 20)  # validate before calling anything
    key = TicketsKey(subscriber_id, status.name if status is not None else None)
    records = [
        t
        for t in await context.loaders.tickets_by_subscriber_id.load(key)
        if can_see_ticket(viewer, t)
        and (active is None or (t.status not in DONE_STATUSES) == active)
        and (subservice_id is None or t.subservice_id == subservice_id)
    ]
    win = window(len(records), first, after, 20)
    page = await ticket_objects(context, records[win.start : win.stop], connection_nodes(selected(info)))
    return connection(Connection, page, win)


async def ticket_by_number(info: Info[Context, None], subscriber_id: str, number: str) -> Ticket | None:
    """The CRM's ticket number is its id; a foreign or unknown number is simply null."""
    if not 1 <= len(number) <= 40:
        return None
    viewer = info.context.require_viewer()
    found = await info.context.loaders.ticket_by_id.load(number)
    if found is None or found.subscriber_id != subscriber_id or not can_see_ticket(viewer, found):
        return None
    return Ticket.of(found)


# ------------------------------------------------------------------------------------------ notifications


@strawberry.type(description="A message to the portal user: an invoice issued, a payment received, ...")
class Notification(Node):
    record: strawberry.Private[crm.Notification]
    kind: NotificationKind = strawberry.field(description="What it reports.")
    title: str = strawberry.field(description="One line to show in a list.")
    body: str = strawberry.field(description="The message, plain text.")
    read: bool = strawberry.field(description="The user has read it (`markNotificationsRead`).")
    created_at: datetime = strawberry.field(description="When it was sent.")

    @classmethod
    def of(cls, n: crm.Notification) -> Notification:
        kind = (
            NotificationKind[n.kind] if n.kind in NotificationKind.__members__ else NotificationKind.GENERAL
        )
        return cls(
            id=encode_id("Notification", n.id),
            record=n,
            kind=kind,
            title=n.title,
            body=n.body,
            read=n.read,
            created_at=n.created_at,
        )

    @property
    def linked_subservice_id(self) -> str | None:
        return self.record.subservice_id

    @typed_field(
        graphql_type=SubService | None,
        description="The sub-service it is about; null when none.",
        extensions=null_unless(CanSeeLinkedSubService()),
    )
    def sub_service(self, info: Info[Context, None]) -> Any:
        return _linked_subservice(info, self.record.subservice_id)

    @typed_field(graphql_type=NotificationLink | None, description="What it is about; the portal opens it")
    def link(self) -> Any:
        return notification_link(self.record)


@strawberry.type(
    description="One page of the viewer's notifications, and how many of all of them are unread."
)
class NotificationConnection(Connection[Notification]):
    unread_count: int = strawberry.field(
        description="Unread notifications in the whole list, not only this page."
    )


async def notification_connection(
    info: Info[Context, None], first: int | None, unread_only: bool | None
) -> NotificationConnection:
    context = info.context
    viewer = context.require_viewer()
    window(0, first, None, 20)
    key = NotificationsKey(viewer.subscriber_id, viewer.user_id, bool(unread_only))
    found = await context.loaders.notifications_by_user_id.load(key)
    records = [n for n in found.items if can_see_notification(viewer, n)]
    # The CRM counts what it lists; what the portal's own rules hid (a CRM that does not know them) is not
    # counted either, or the count would tell that something is there. The list is whole: exact.
    hidden_unread = sum(not n.read for n in found.items) - sum(not n.read for n in records)
    win = window(len(records), first, None, 20)
    nodes = [Notification.of(n) for n in records[win.start : win.stop]]
    base = connection(Connection, nodes, win)
    return NotificationConnection(
        edges=base.edges,
        nodes=base.nodes,
        page_info=base.page_info,
        total_count=base.total_count,
        unread_count=max(0, found.unread_count - hidden_unread),
    )
