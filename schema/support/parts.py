"""The smaller pieces of the support domain: a ticket's history events and rating, the categories a ticket can
be opened in, and where a notification leads."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from adapters.ports import crm, tickets
from schema.core.node import encode_id


@strawberry.enum(description="What happened to a ticket.")
class TicketEventKind(Enum):
    CREATED = strawberry.enum_value("CREATED", description="The ticket was opened.")
    ASSIGNED = strawberry.enum_value("ASSIGNED", description="Routed to a support queue (`detail`)")
    REPLIED = strawberry.enum_value("REPLIED", description="A message was added to the conversation.")
    STATUS_CHANGED = strawberry.enum_value(
        "STATUS_CHANGED", description="The status changed (`fromStatus` → `toStatus`)."
    )
    ATTACHMENT_ADDED = strawberry.enum_value("ATTACHMENT_ADDED", description="`detail` is the file name")
    REOPENED = strawberry.enum_value("REOPENED", description="The customer reopened it.")
    RATED = strawberry.enum_value("RATED", description='`detail` is the score, e.g. "5/5"')


@strawberry.enum(description="Who did it.")
class TicketActor(Enum):
    CUSTOMER = strawberry.enum_value("CUSTOMER", description="A portal user of the subscriber.")
    SUPPORT = strawberry.enum_value("SUPPORT", description="The operator's support staff.")
    SYSTEM = strawberry.enum_value(
        "SYSTEM", description="The CRM itself (routing, automatic status changes)."
    )


@strawberry.type(description="One interaction in a ticket's history.")
class TicketEvent:
    id: strawberry.ID = strawberry.field(description="The event's id in the CRM.")
    kind: TicketEventKind = strawberry.field(description="What happened.")
    actor: TicketActor = strawberry.field(description="Who did it.")
    actor_name: str = strawberry.field(description="Who did it, by name.")
    from_status: str | None = strawberry.field(description="A `TicketStatus` name, for status changes")
    to_status: str | None = strawberry.field(
        description="A `TicketStatus` name, for status changes: the new one."
    )
    detail: str | None = strawberry.field(
        description="More about it, depending on `kind`; null when there is nothing more."
    )
    created_at: datetime = strawberry.field(description="When it happened.")

    @classmethod
    def of(cls, e: tickets.TicketEvent) -> TicketEvent:
        return cls(
            id=encode_id("TicketEvent", e.id),
            kind=TicketEventKind(e.kind),
            actor=TicketActor(e.actor_kind),
            actor_name=e.actor_name,
            from_status=e.from_status,
            to_status=e.to_status,
            detail=e.detail,
            created_at=e.created_at,
        )


@strawberry.type(description="How the customer rated the help on a resolved ticket.")
class TicketRating:
    score: int = strawberry.field(description="1 (poor) to 5 (excellent)")
    comment: str | None = strawberry.field(
        description="What the customer wrote with the score; null if nothing."
    )
    rated_at: datetime = strawberry.field(description="When it was rated.")

    @classmethod
    def of(cls, r: tickets.TicketRating) -> TicketRating:
        return cls(score=r.score, comment=r.comment, rated_at=r.rated_at)


@strawberry.type(
    description="A category a ticket can be opened in, with its queue and service-level targets."
)
class TicketCategoryOption:
    category: str = strawberry.field(description="A `TicketCategory` name")
    label: str = strawberry.field(description="The category's name to show.")
    queue: str = strawberry.field(description="The support queue it is routed to.")
    default_priority: str = strawberry.field(
        description="The priority a new ticket gets (a `TicketPriority` name)."
    )
    first_response_minutes: int = strawberry.field(
        description="Support's first response is due within this many minutes."
    )
    resolution_minutes: int = strawberry.field(description="A resolution is due within this many minutes.")

    @classmethod
    def of(cls, c: tickets.TicketCategoryInfo) -> TicketCategoryOption:
        return cls(
            category=c.category,
            label=c.label,
            queue=c.queue,
            default_priority=c.default_priority,
            first_response_minutes=c.first_response_minutes,
            resolution_minutes=c.resolution_minutes,
        )


@strawberry.enum(description="What a notification is about.")
class NotificationLinkKind(Enum):
    TICKET = strawberry.enum_value("TICKET", description="A support ticket.")
    INVOICE = strawberry.enum_value("INVOICE", description="An invoice.")
    PAYMENT = strawberry.enum_value("PAYMENT", description="A payment.")
    SERVICE = strawberry.enum_value("SERVICE", description="A sub-service.")
    WALLET = strawberry.enum_value("WALLET", description="The wallet.")


@strawberry.type(description="Where a notification leads: the portal opens `path`.")
class NotificationLink:
    kind: NotificationLinkKind = strawberry.field(description="What the link leads to.")
    id: strawberry.ID | None = strawberry.field(description="The global ID of what it is about, when known")
    path: str = strawberry.field(description='The portal page, e.g. "/support/TCK-12"')


# The notification kinds whose subject is clear without an explicit link.
_DEFAULT_KIND = {
    "INVOICE_ISSUED": "INVOICE",
    "PAYMENT_RECEIVED": "PAYMENT",
    "PAYMENT_FAILED": "PAYMENT",
    "WALLET_CREDITED": "WALLET",
    "SERVICE_STATUS": "SERVICE",
    "TICKET_UPDATED": "TICKET",
}
_TYPES = {"TICKET": "Ticket", "INVOICE": "Invoice", "SERVICE": "SubService"}


def notification_link(n: crm.Notification) -> NotificationLink | None:
    """The notification's own link, or one its kind implies (older notifications carry none)."""
    kind = n.link.kind if n.link is not None else _DEFAULT_KIND.get(n.kind)
    ref = n.link.id if n.link is not None else None
    if kind == "SERVICE" and ref is None:
        ref = n.subservice_id
    if kind is None:
        return None
    global_id = encode_id(_TYPES[kind], ref) if ref and kind in _TYPES else None
    if kind == "TICKET":
        path = f"/support/{ref}" if ref else "/support"
    elif kind == "SERVICE":
        path = f"/services/{global_id}" if global_id else "/"
    else:
        # Every invoice, whatever its status: a payment's invoice is paid, an issued one open.
        path = "/wallet" if kind == "WALLET" else "/invoices?tab=all"
    return NotificationLink(kind=NotificationLinkKind(kind), id=global_id, path=path)
