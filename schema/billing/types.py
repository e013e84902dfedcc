"""Invoices, documents and the financial summary of a subscriber (what is owed, per sub-service)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from adapters.errors import ContractViolation
from adapters.ports import billing, crm
from bff.core.auth.viewer import Viewer
from bff.core.files import SignedLink
from schema.core.connection import Connection, connection, window
from schema.core.context import Context
from schema.core.loaders import InvoicesKey
from schema.core.lookahead import SelectedField, below, connection_nodes, inside, names, selected
from schema.core.money import Money, total
from schema.core.node import Node, encode_id, node_fetcher
from schema.core.permission import CanSeeLinkedSubService, can_see_invoice, null_unless
from schema.core.resolver import typed_field
from schema.service.types import MISSING, SubService, _Missing, prefetch, subservice_objects

CENT = Decimal("0.01")


@strawberry.enum
class InvoiceStatus(Enum):
    OPEN = "OPEN"
    PAID = "PAID"
    OVERDUE = "OVERDUE"
    VOID = "VOID"


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


@strawberry.type
class InvoiceLine:
    record: strawberry.Private[billing.InvoiceLine]
    description: str
    amount: Money

    @property
    def linked_subservice_id(self) -> str | None:
        return self.record.subservice_id

    @typed_field(graphql_type=SubService | None, extensions=null_unless(CanSeeLinkedSubService()))
    def sub_service(self, info: Info[Context, None]) -> Any:
        linked = self.record.subservice_id
        return _subservice_later(info, linked) if linked is not None else None


@strawberry.type(description="A bill: what was charged for a period, what was paid, what is still owed.")
class Invoice(Node):
    record: strawberry.Private[billing.Invoice]
    # Set by the list that resolved this invoice when `subService` was selected (see `invoice_objects`).
    subservice: strawberry.Private[SubService | _Missing | None]
    number: str
    status: InvoiceStatus
    issued_on: date
    due_on: date
    period_start: date
    period_end: date
    total: Money
    amount_paid: Money
    balance: Money
    lines: list[InvoiceLine]

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
        description="The sub-service this invoice is for; null for a consolidated invoice",
        extensions=null_unless(CanSeeLinkedSubService()),
    )
    def sub_service(self, info: Info[Context, None]) -> Any:
        if not isinstance(self.subservice, _Missing):
            return self.subservice
        linked = self.record.subservice_id
        return _subservice_later(info, linked) if linked is not None else None

    @typed_field(description="Short-lived signed link to the PDF, served by the portal")
    def pdf_url(self, info: Info[Context, None]) -> str:
        return info.context.files.invoice_pdf_url(self.record.id, self.record.number).url


@strawberry.type(description="A document behind a short-lived signed link.")
class Document:
    url: str
    filename: str
    expires_at: datetime

    @classmethod
    def of(cls, link: SignedLink) -> Document:
        return cls(url=link.url, filename=link.filename, expires_at=link.expires_at)


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
    found = await _own_subservices(context, linked)
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
    key = InvoicesKey(subscriber_id, status.value if status is not None else None)
    records = [
        i for i in await context.loaders.invoices_by_subscriber_id.load(key) if can_see_invoice(viewer, i)
    ]
    win = window(len(records), first, after, 20)
    page = await invoice_objects(context, records[win.start : win.stop], connection_nodes(selected(info)))
    return connection(Connection, page, win)


@node_fetcher("Invoice")
async def fetch_invoices(context: Context, ids: Sequence[str]) -> dict[str, Invoice]:
    viewer = context.require_viewer()
    found = await context.loaders.invoice_by_id.load_many(ids)
    return {r.id: Invoice.of(r) for r in found if r is not None and can_see_invoice(viewer, r)}


# ------------------------------------------------------------------------------------ financial summary


@strawberry.type
class SubServiceFinancials:
    sub_service: SubService
    outstanding: Money
    monthly_charge: Money
    open_invoice_count: int


@strawberry.type(description="What the subscriber owes, aggregated across the visible sub-services.")
class FinancialSummary:
    outstanding: Money
    overdue: Money
    next_due_on: date | None
    wallet_balance: Money | None = strawberry.field(
        description="The account's wallet; null for roles that may not see it (SITE), like `Subscriber.wallet`."
    )
    monthly_charges: Money
    breakdown: list[SubServiceFinancials]


def _share(invoice: billing.Invoice, subservice_ids: frozenset[str]) -> Decimal:
    """The part of an invoice's unpaid balance owed for `subservice_ids` (Billing's own rule: the lines'
    share of the total, applied to the balance, rounded half-even to the cent)."""
    if invoice.subservice_id is not None:
        return invoice.balance.amount if invoice.subservice_id in subservice_ids else Decimal(0)
    lines = sum((ln.amount.amount for ln in invoice.lines if ln.subservice_id in subservice_ids), Decimal(0))
    if invoice.total.amount <= 0 or invoice.balance.amount <= 0:
        return Decimal(0)
    return (lines * invoice.balance.amount / invoice.total.amount).quantize(CENT, rounding=ROUND_HALF_EVEN)


def _restricted_figures(
    invoices: Sequence[billing.Invoice], site_ids: frozenset[str], currency: str
) -> tuple[Money, date | None]:
    """Overdue amount and next due date over the sites of a SITE user only."""
    unpaid = [i for i in invoices if i.status in ("OPEN", "OVERDUE") and i.balance.amount > 0]
    mine = [i for i in unpaid if _share(i, site_ids) > 0]
    overdue = sum((_share(i, site_ids) for i in mine if i.status == "OVERDUE"), Decimal(0))
    next_due = min((i.due_on for i in mine), default=None)
    return Money(amount=overdue.quantize(CENT), currency=currency), next_due


async def financial_summary(
    info: Info[Context, None], viewer: Viewer, subservices: Sequence[crm.SubService]
) -> FinancialSummary:
    """The summary over `subservices` (those the viewer may see). Whole-account figures come from the
    billing account; a SITE user's are recomputed over their sites only, and show no wallet."""
    context = info.context
    loaders = context.loaders
    ids = [s.id for s in subservices]
    site = viewer.is_site_user
    # Every load is asked for before anything is awaited, so that they join the batches of the other
    # resolvers woken in this tick (the sub-service connection asks for the same data).
    asked = inside(selected(info))
    # The breakdown costs an object (and its prefetched data) per sub-service: build it only when asked.
    objects = [SubService.of(s) for s in subservices] if "breakdown" in names(asked) else []
    attached = prefetch(context, objects, below(asked, "breakdown", "subService"))
    account_job = loaders.account_by_subscriber_id.load(viewer.subscriber_id)
    billing_job = loaders.billing_by_subservice_id.load_many(ids)
    invoices: list[billing.Invoice] = []
    if site:
        # Overdue and next-due figures over the sites only come from the invoices themselves.
        invoices_job = loaders.invoices_by_subscriber_id.load(InvoicesKey(viewer.subscriber_id))
        account, records, invoices, _ = await asyncio.gather(account_job, billing_job, invoices_job, attached)
    else:
        account, records, _ = await asyncio.gather(account_job, billing_job, attached)
    if account is None:
        raise ContractViolation("billing", f"no account for subscriber {viewer.subscriber_id}")
    currency = account.currency
    by_id = {r.subservice_id: r for r in records if r is not None}
    visible_invoice_ids = {i.id for i in invoices if can_see_invoice(viewer, i)}
    breakdown = []
    for obj in objects:
        record = by_id.get(obj.record.id)
        if record is None:
            raise ContractViolation("billing", f"no charges for sub-service {obj.record.id}")
        open_ids = record.open_invoice_ids
        if site:
            open_ids = tuple(i for i in open_ids if i in visible_invoice_ids)
        breakdown.append(
            SubServiceFinancials(
                sub_service=obj,
                outstanding=Money.of(record.outstanding),
                monthly_charge=Money.of(record.monthly_charge),
                open_invoice_count=len(open_ids),
            )
        )
    monthly = total([r.monthly_charge for r in by_id.values()], currency)
    if site:
        overdue, next_due = _restricted_figures(invoices, frozenset(ids), currency)
        return FinancialSummary(
            outstanding=total([r.outstanding for r in by_id.values()], currency),
            overdue=overdue,
            next_due_on=next_due,
            wallet_balance=None,  # SITE users do not see the wallet
            monthly_charges=monthly,
            breakdown=breakdown,
        )
    return FinancialSummary(
        outstanding=Money.of(account.outstanding),
        overdue=Money.of(account.overdue),
        next_due_on=account.next_due_on,
        wallet_balance=Money.of(account.wallet_balance),
        monthly_charges=monthly,
        breakdown=breakdown,
    )
