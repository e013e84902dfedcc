"""The financial summary of a subscriber: what is owed, overdue and charged monthly, aggregated across the
visible sub-services, with a per-sub-service breakdown."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from decimal import Decimal

import strawberry
from strawberry.types import Info

from adapters.errors import ContractViolation
from adapters.ports import billing, crm
from adapters.ports.money import quantum
from bff.core.auth.viewer import Viewer
from schema.core.context import Context
from schema.core.loaders import InvoicesKey
from schema.core.lookahead import below, inside, names, selected
from schema.core.money import Money, invoice_share, total
from schema.core.permission import can_see_invoice
from schema.core.prefetch import Failed
from schema.core.resolver import typed_field
from schema.service.prefetch import prefetch
from schema.service.types import SubService


def _unlisted(text: str) -> str:
    # The sub-services are listed by the CRM, or by Billing when the CRM cannot (`schema.core.inventory`).
    return f"{text}. Null when neither the CRM nor Billing can list the sub-services."


@strawberry.type(description="What one sub-service costs and owes.")
class SubServiceFinancials:
    sub_service: SubService = strawberry.field(description="The sub-service these figures are for.")
    outstanding: Money = strawberry.field(description="What its open and overdue invoices still owe.")
    monthly_charge: Money = strawberry.field(description="What it costs per month.")
    open_invoice_count: int = strawberry.field(description="How many of its invoices are not yet fully paid.")


@strawberry.type(description="What the subscriber owes, aggregated across the visible sub-services.")
class FinancialSummary:
    outstanding: Money = strawberry.field(description="Everything still owed, overdue included.")
    overdue: Money = strawberry.field(description="What is owed on invoices past their due date.")
    next_due_on: date | None = strawberry.field(
        description="The earliest due date among the unpaid invoices; null when nothing is owed."
    )
    wallet_balance: Money | None = strawberry.field(
        description="The account's wallet; null for roles that may not see it (SITE), like `Subscriber.wallet`."
    )
    outstanding_on_account_invoices: Money = strawberry.field(
        description=(
            "The part of `outstanding` billed on invoices this viewer's role does not list: for a SITE user, "
            "their sites' share of the account's consolidated invoices, which the account's billing contacts "
            "pay (zero for other roles, who list every invoice). `outstanding` minus this is what "
            "`Subscriber.invoices` shows as owed."
        )
    )
    # Both need the list of sub-services (the CRM's, else Billing's: `schema.core.inventory`); the account's
    # figures above do not (except for SITE users, whose whole summary is over their sites): `Failed` when
    # neither could list them.
    monthly: strawberry.Private[Money | Failed]
    rows: strawberry.Private[list[SubServiceFinancials] | Failed]

    @typed_field(description=_unlisted("The visible sub-services' monthly charges, summed"))
    def monthly_charges(self) -> Money | None:
        if isinstance(self.monthly, Failed):
            self.monthly.reraise()
        return self.monthly

    @typed_field(description=_unlisted("One row per visible sub-service"))
    def breakdown(self) -> list[SubServiceFinancials] | None:
        if isinstance(self.rows, Failed):
            self.rows.reraise()
        return self.rows


def _restricted_figures(
    viewer: Viewer, invoices: Sequence[billing.Invoice], site_ids: frozenset[str], currency: str
) -> tuple[Money, date | None, Money]:
    """Overdue amount, next due date and the share billed on invoices they cannot list, over the sites of a
    SITE user only."""
    unpaid = [i for i in invoices if i.status in ("OPEN", "OVERDUE") and i.balance.amount > 0]
    mine = [i for i in unpaid if invoice_share(i, site_ids) > 0]
    overdue = sum((invoice_share(i, site_ids) for i in mine if i.status == "OVERDUE"), Decimal(0))
    unlisted = sum((invoice_share(i, site_ids) for i in mine if not can_see_invoice(viewer, i)), Decimal(0))
    next_due = min((i.due_on for i in mine), default=None)
    step = quantum(currency)
    return (
        Money(amount=overdue.quantize(step), currency=currency),
        next_due,
        Money(amount=unlisted.quantize(step), currency=currency),
    )


def _whole_account(
    account: billing.BillingAccount,
    monthly: Money | Failed,
    rows: list[SubServiceFinancials] | Failed,
) -> FinancialSummary:
    return FinancialSummary(
        outstanding=Money.of(account.outstanding),
        overdue=Money.of(account.overdue),
        next_due_on=account.next_due_on,
        wallet_balance=Money.of(account.wallet_balance),
        outstanding_on_account_invoices=Money.zero(account.currency),
        monthly=monthly,
        rows=rows,
    )


async def financial_summary(
    info: Info[Context, None],
    viewer: Viewer,
    listing: Callable[[], Awaitable[Sequence[crm.SubService] | Failed]],
) -> FinancialSummary:
    """The summary over the sub-services the viewer may see (`listing` reads them). Whole-account figures come
    from the billing account; a SITE user's are recomputed over their sites only, and show no wallet. When the
    CRM nor Billing could list the sub-services (`Failed`), the account's figures still resolve; the breakdown
    fails, and so do the monthly charges unless Billing's account sums them (a SITE user's whole summary fails:
    it is over their sites)."""
    context = info.context
    loaders = context.loaders
    site = viewer.is_site_user
    asked = inside(selected(info))
    if not site and "breakdown" not in names(asked):
        # The whole account's figures, the monthly total included, are on Billing's account: no list of
        # sub-services and no per-sub-service charges to read and sum (500 of them for a large account).
        account = await loaders.account_by_subscriber_id.load(viewer.subscriber_id)
        if account is None:
            raise ContractViolation("billing", f"no account for subscriber {viewer.subscriber_id}")
        if account.monthly_charges is not None:
            return _whole_account(account, Money.of(account.monthly_charges), [])
    listed = await listing()
    if isinstance(listed, Failed) and site:
        listed.reraise()
    subservices = [] if isinstance(listed, Failed) else listed
    ids = [s.id for s in subservices]
    # Every load is asked for before anything is awaited, so that they join the batches of the other
    # resolvers woken in this tick (the sub-service connection asks for the same data).
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
        overdue, next_due, unlisted = _restricted_figures(viewer, invoices, frozenset(ids), currency)
        return FinancialSummary(
            outstanding=total([r.outstanding for r in by_id.values()], currency),
            overdue=overdue,
            next_due_on=next_due,
            outstanding_on_account_invoices=unlisted,
            wallet_balance=None,  # SITE users do not see the wallet
            monthly=monthly,
            rows=breakdown,
        )
    if isinstance(listed, Failed):
        return _whole_account(account, listed, listed)
    return _whole_account(account, monthly, breakdown)
