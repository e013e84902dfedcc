"""Invoices: what was billed, paid and still owed, with the PDFs and receipts behind signed links."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from adapters.errors import ContractViolation, Unavailable
from adapters.ports import billing, crm
from bff.core.auth.viewer import Viewer
from schema.billing.activity import Payment
from schema.billing.document import Document
from schema.billing.dunning import Dunning
from schema.core.connection import Connection, connection, window
from schema.core.context import Context
from schema.core.errors import billing_down, crm_down
from schema.core.loaders import InvoicesKey, Loaders
from schema.core.lookahead import SelectedField, below, connection_nodes, names, selected
from schema.core.money import Money
from schema.core.node import Node, encode_id
from schema.core.permission import CanSeeLinkedSubService, can_see_invoice, null_unless
from schema.core.prefetch import MISSING, Failed, Missing, failure
from schema.core.resolver import typed_field
from schema.service.types import SubService, subservice_objects


@strawberry.enum(description="Where an invoice stands.")
class InvoiceStatus(Enum):
    OPEN = strawberry.enum_value(
        "OPEN", description="Issued and not yet fully paid; not yet past its due date."
    )
    PAID = strawberry.enum_value("PAID", description="Paid in full.")
    OVERDUE = strawberry.enum_value("OVERDUE", description="Past its due date with a balance still owed.")
    VOID = strawberry.enum_value("VOID", description="Cancelled by the operator: nothing is owed on it.")


async def _own_subservices(context: Context, ids: Sequence[str]) -> list[crm.SubService | None]:
    """The viewer's sub-services by id, taken from the subscriber's whole list rather than a by-id batch.

    Invoices always belong to the viewer's subscriber, and the dashboard loads that list anyway. Waiting on
    the same loader future as the sub-service connection and the financial summary wakes these resolvers in
    the same tick as theirs, so the per-sub-service batches (status, profile, …) join instead of splitting
    depending on which backend answered first — the call count stays the same whatever the timing.
    """
    viewer = context.require_viewer()
    every = await context.loaders.subservices_by_subscriber_id.load(viewer.subscriber_id)
    by_id = {s.id: s for s in every}
    return [by_id.get(i) for i in ids]


def _subservice_later(info: Info[Context, None], subservice_id: str) -> Any:
    async def later() -> SubService | None:
        [record] = await _own_subservices(info.context, [subservice_id])
        return SubService.of(record) if record is not None else None

    return later()


@strawberry.type(description="One charge on an invoice.")
class InvoiceLine:
    record: strawberry.Private[billing.InvoiceLine]
    description: str = strawberry.field(description="What was charged, as the invoice prints it.")
    amount: Money = strawberry.field(description="The line's amount (negative for a credit).")

    @property
    def linked_subservice_id(self) -> str | None:
        return self.record.subservice_id

    @typed_field(
        graphql_type=SubService | None,
        description=crm_down("The sub-service charged on this line; null for account-wide charges"),
        extensions=null_unless(CanSeeLinkedSubService()),
    )
    def sub_service(self, info: Info[Context, None]) -> Any:
        linked = self.record.subservice_id
        return _subservice_later(info, linked) if linked is not None else None


@strawberry.type(description="A bill: what was charged for a period, what was paid, what is still owed.")
class Invoice(Node):
    record: strawberry.Private[billing.Invoice]
    # Set by the list that resolved this invoice when `subService` was selected (see `invoice_objects`);
    # `Failed` when the CRM could not say which sub-services those are.
    subservice: strawberry.Private[SubService | Missing | Failed | None]
    number: str = strawberry.field(description="The invoice number printed on it and quoted to support.")
    status: InvoiceStatus = strawberry.field(
        description="Where the invoice stands: open, paid, overdue or void."
    )
    issued_on: date = strawberry.field(description="The day the invoice was issued.")
    due_on: date = strawberry.field(
        description="The day payment is due; unpaid after it, the invoice is OVERDUE."
    )
    period_start: date = strawberry.field(description="First day of the period billed.")
    period_end: date = strawberry.field(description="Last day of the period billed.")
    total: Money = strawberry.field(description="What the invoice charges in all.")
    amount_paid: Money = strawberry.field(description="What has been paid towards it so far.")
    balance: Money = strawberry.field(description="What is still owed on it: `total` minus `amountPaid`.")
    lines: list[InvoiceLine] = strawberry.field(description="The charges that make up `total`.")

    @classmethod
    def of(cls, r: billing.Invoice) -> Invoice:
        return cls(
            id=encode_id("Invoice", r.id),
            record=r,
            subservice=MISSING,
            number=r.number,
            status=InvoiceStatus(r.status),
            issued_on=r.issued_on,
            due_on=r.due_on,
            period_start=r.period_start,
            period_end=r.period_end,
            total=Money.of(r.total),
            amount_paid=Money.of(r.amount_paid),
            balance=Money.of(r.balance),
            lines=[
                InvoiceLine(record=line, description=line.description, amount=Money.of(line.amount))
                for line in r.lines
            ],
        )

    @property
    def linked_subservice_id(self) -> str | None:
        return self.record.subservice_id

    @typed_field(
        graphql_type=SubService | None,
        description=crm_down("The sub-service this invoice is for; null for a consolidated invoice"),
        extensions=null_unless(CanSeeLinkedSubService()),
    )
    def sub_service(self, info: Info[Context, None]) -> Any:
        if isinstance(self.subservice, Failed):
            self.subservice.reraise()
        if not isinstance(self.subservice, Missing):
            return self.subservice
        linked = self.record.subservice_id
        return _subservice_later(info, linked) if linked is not None else None

    @typed_field(
        description=billing_down(
            "The automatic (autopay) charges of this invoice after one was declined: every attempt, the next "
            "retry, the day the service would be suspended; null when no automatic charge of it ever failed"
        )
    )
    async def dunning(self, info: Info[Context, None]) -> Dunning | None:
        found = await info.context.loaders.dunning_by_invoice_id.load(self.record.id)
        return Dunning.of(found) if found is not None else None

    @typed_field(description="Short-lived signed link to the PDF, served by the portal")
    def pdf_url(self, info: Info[Context, None]) -> str:
        return info.context.files.invoice_pdf_url(self.record.id, self.record.number).url

    @typed_field(
        description=billing_down(
            "The payments received against this invoice, oldest first, each with its receipt"
        )
    )
    async def payments(self, info: Info[Context, None]) -> list[Payment] | None:
        found = await info.context.loaders.payments_by_invoice_id.load(self.record.id)
        return [Payment.of(p) for p in found]


async def invoice_objects(
    context: Context, records: Sequence[billing.Invoice], fields: list[SelectedField]
) -> list[Invoice]:
    """GraphQL invoices for `records` (already authorized). Lines are inline; when `subService` is
    selected, the page's sub-services are loaded in one batch (with their own selected fields)."""
    items = [Invoice.of(r) for r in records]
    if "subService" not in names(fields):
        return items
    viewer = context.require_viewer()
    linked = list(dict.fromkeys(r.subservice_id for r in records if r.subservice_id is not None))
    try:
        found = await _own_subservices(context, linked)
    except (Unavailable, ContractViolation) as exc:
        # The invoices are Billing's and still resolve; only their `subService` fails.
        failed = failure(exc, "the invoices' sub-services")
        for item in items:
            item.subservice = failed if item.record.subservice_id is not None else None
        return items
    visible = [
        r for r in found if r is not None and viewer.can_see_subservice(r.id, subscriber_id=r.subscriber_id)
    ]
    objects = {
        s.record.id: s for s in await subservice_objects(context, visible, below(fields, "subService"))
    }
    for item in items:
        linked_id = item.record.subservice_id
        item.subservice = objects.get(linked_id) if linked_id is not None else None
    return items


async def invoice_connection(
    info: Info[Context, None],
    subscriber_id: str,
    first: int | None,
    after: str | None,
    status: InvoiceStatus | None,
) -> Connection[Invoice]:
    context = info.context
    viewer = context.require_viewer()
    win = window(0, first, after, 20)  # validate the arguments before calling anything
    key = InvoicesKey(subscriber_id, status.name if status is not None else None)  # names are the values
    records = [
        i for i in await context.loaders.invoices_by_subscriber_id.load(key) if can_see_invoice(viewer, i)
    ]
    win = window(len(records), first, after, 20)
    page = await invoice_objects(context, records[win.start : win.stop], connection_nodes(selected(info)))
    return connection(Connection, page, win)


async def visible_invoice(loaders: Loaders, viewer: Viewer, invoice_id: str | None) -> Invoice | None:
    """The invoice an event names, if the viewer may see it."""
    if invoice_id is None:
        return None
    record = await loaders.invoice_by_id.load(invoice_id)
    return Invoice.of(record) if record is not None and can_see_invoice(viewer, record) else None


async def declined_invoices(info: Info[Context, None], subscriber_id: str) -> list[Invoice]:
    """The subscriber's unpaid invoices in dunning (or past it) that the viewer may see, oldest first: one
    Billing read, which brings the invoices and primes their `dunning`."""
    context = info.context
    viewer = context.require_viewer()
    cases = await context.loaders.dunning_by_subscriber_id.load(subscriber_id)
    visible = [c.invoice for c in cases if can_see_invoice(viewer, c.invoice)]
    return await invoice_objects(context, visible, selected(info))


__all__ = [
    "Document",
    "Invoice",
    "InvoiceLine",
    "InvoiceStatus",
    "declined_invoices",
    "invoice_connection",
    "invoice_objects",
    "visible_invoice",
]
