"""Sub-services: what the subscriber buys (Internet, IPTV, VoIP at a location) and everything live about
each one — status and profile from AAA, devices, usage and add-ons from OSS, charges, cycle, open invoices
and installments from Billing.

Fields read data that the list resolving the sub-services pre-loaded for the whole page
(`schema.service.prefetch`); a field whose data was not pre-loaded falls back to its dataloader, which
still batches.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry.types import Info

from adapters.ports import aaa, crm, oss
from adapters.ports import billing as billing_port
from bff.core.auth.viewer import Viewer
from schema.core.connection import given
from schema.core.context import Context
from schema.core.errors import aaa_down, billing_down, oss_down
from schema.core.loaders import Loaders
from schema.core.lookahead import SelectedField
from schema.core.money import Money, invoice_share, subservices_on
from schema.core.node import Node, encode_id, nodes_of
from schema.core.permission import can_see_subservice
from schema.core.prefetch import MISSING, Failed, Missing, now_or_later, required
from schema.core.resolver import typed_field
from schema.service import offer_fields
from schema.service.offer_fields import PlanChangePreviewResult
from schema.service.offers import AddOnOffer, InvoiceAdjustment, PendingPlanChange, ServicePlan
from schema.service.parts import (
    AddOn,
    BandwidthProfile,
    BillingCycle,
    Device,
    InstallmentPlan,
    LiveSession,
    ServiceKind,
    ServiceStatus,
    StatusReason,
    Usage,
)
from schema.service.prefetch import Prefetched, Windowed, prefetch, usage_key

R = TypeVar("R")
T = TypeVar("T")

# `Invoice` belongs to the billing domain, which builds on this one: referred to by name (see
# `schema.core.node`).
InvoiceRef: Any = Annotated["Invoice", strawberry.lazy("schema.billing.types")]  # noqa: F821


@strawberry.type(
    description=(
        "One unpaid invoice as it concerns one sub-service: a consolidated invoice covers several "
        "sub-services, and this says which part of it is this one's."
    )
)
class InvoiceShare:
    invoice: InvoiceRef | None = strawberry.field(
        description=(
            "The whole invoice; null when the viewer's role does not list it (a SITE user and the account's "
            "consolidated invoice, which the account's billing contacts pay)."
        )
    )
    due_on: date = strawberry.field(description="When the invoice is due.")
    overdue: bool = strawberry.field(description="Is the invoice past its due date and still unpaid?")
    amount: Money = strawberry.field(
        description=(
            "This sub-service's part of what the invoice still owes (its lines' share of the total, applied "
            "to the unpaid balance): these amounts add up to the sub-service's `outstanding`."
        )
    )
    sub_service_count: int = strawberry.field(
        description="How many sub-services the invoice covers (1 for an invoice of this sub-service only)."
    )


@strawberry.type(description="A sub-service's charges, cycle and what it owes.")
class SubServiceBilling:
    record: strawberry.Private[billing_port.SubServiceBilling]
    prefetched: strawberry.Private[Prefetched]
    outstanding: Money = strawberry.field(description="What this sub-service's unpaid invoices still owe.")
    monthly_charge: Money = strawberry.field(description="What it costs per month, add-ons included.")
    cycle: BillingCycle = strawberry.field(
        description="Its billing period (the account's when the service is prepaid and not invoiced)."
    )
    prepaid: bool = strawberry.field(
        description="Paid ahead from the wallet (`renewService`) rather than invoiced."
    )
    next_invoice_adjustments: list[InvoiceAdjustment] = strawberry.field(
        description=(
            "Lines its next invoice adds once: the credit and charge of a plan change made since the last "
            "invoice (`changePlan`)."
        )
    )

    @classmethod
    def of(
        cls, record: billing_port.SubServiceBilling, account: billing_port.BillingAccount, pre: Prefetched
    ) -> SubServiceBilling:
        cycle = record.cycle or account.cycle  # prepaid services are not invoiced: show the account's cycle
        return cls(
            record=record,
            prefetched=pre,
            outstanding=Money.of(record.outstanding),
            monthly_charge=Money.of(record.monthly_charge),
            cycle=BillingCycle(
                billing_day=account.billing_day,
                period_start=cycle.period_start,
                period_end=cycle.period_end,
                next_invoice_on=record.next_invoice_on,
            ),
            prepaid=record.prepaid,
            next_invoice_adjustments=[InvoiceAdjustment.of(a) for a in record.next_invoice_adjustments],
        )

    @typed_field(graphql_type=list[InvoiceRef] | None, description=billing_down("The invoices still open"))
    async def open_invoices(self, info: Info[Context, None]) -> list[Any]:
        if self.prefetched.open_invoices is not None:
            self.prefetched.open_invoices.reraise()
        # The page pre-loaded these invoices into the loader's cache; the Invoice fetcher builds and
        # authorizes them as `node(id)` would.
        return await nodes_of(info.context, "Invoice", self.record.open_invoice_ids)

    @typed_field(
        graphql_type=list[InvoiceShare] | None,
        description=billing_down(
            "This sub-service's part of each unpaid invoice that charges it, including invoices the viewer's "
            "role does not list"
        ),
    )
    async def open_invoice_shares(self, info: Info[Context, None]) -> list[InvoiceShare]:
        if self.prefetched.open_invoices is not None:
            self.prefetched.open_invoices.reraise()
        ids = self.record.open_invoice_ids
        # Both read the invoices the page pre-loaded (the Invoice fetcher authorizes; the loader does not).
        records, listed = await asyncio.gather(
            info.context.loaders.invoice_by_id.load_many(list(ids)),
            nodes_of(info.context, "Invoice", ids),
        )
        shown = {obj.record.id: obj for obj in listed}
        mine = (self.record.subservice_id,)
        return [
            InvoiceShare(
                invoice=shown.get(r.id),
                due_on=r.due_on,
                overdue=r.status == "OVERDUE",
                amount=Money(amount=invoice_share(r, mine), currency=r.balance.currency),
                sub_service_count=max(1, len(subservices_on(r))),
            )
            for r in records
            if r is not None
        ]


def _status(s: aaa.ServiceStatus) -> ServiceStatus:
    return ServiceStatus(s.status)


def _reason(s: aaa.ServiceStatus) -> StatusReason | None:
    return StatusReason(s.reason) if s.reason is not None and s.status != "ACTIVE" else None


@strawberry.type(description="One service of the subscriber at one location, e.g. Internet – Apt 101.")
class SubService(Node):
    record: strawberry.Private[crm.SubService]
    prefetched: strawberry.Private[Prefetched]
    label: str = strawberry.field(description='In the subscriber\'s words, e.g. "Internet – Apt 101"')
    location: str = strawberry.field(description="Where the service is delivered (an address, an apartment).")
    kind: ServiceKind = strawberry.field(description="What the service delivers.")

    @classmethod
    def of(cls, record: crm.SubService) -> SubService:
        return cls(
            id=encode_id("SubService", record.id),
            record=record,
            prefetched=Prefetched(),
            label=record.label,
            location=record.location,
            kind=ServiceKind(record.kind),
        )

    def _status_then(self, info: Info[Context, None], convert: Callable[[aaa.ServiceStatus], R]) -> Any:
        loader = info.context.loaders.status_by_subservice_id
        check = required("aaa", "status", self.record.id)
        return now_or_later(
            self.prefetched.status, lambda: loader.load(self.record.id), lambda s: convert(check(s))
        )

    @typed_field(graphql_type=ServiceStatus | None, description=aaa_down("ACTIVE, SUSPENDED or RESTRICTED"))
    def status(self, info: Info[Context, None]) -> Any:
        return self._status_then(info, _status)

    @typed_field(
        graphql_type=StatusReason | None,
        description=aaa_down("Why the service is not ACTIVE; null when ACTIVE"),
    )
    def status_reason(self, info: Info[Context, None]) -> Any:
        return self._status_then(info, _reason)

    @typed_field(graphql_type=datetime | None, description=aaa_down("Since when the status holds"))
    def status_since(self, info: Info[Context, None]) -> Any:
        return self._status_then(info, lambda s: s.since)

    @typed_field(graphql_type=BandwidthProfile | None, description=aaa_down("The plan and its speeds"))
    def profile(self, info: Info[Context, None]) -> Any:
        loader = info.context.loaders.profile_by_subservice_id
        return now_or_later(
            self.prefetched.profile,
            lambda: loader.load(self.record.id),
            lambda p: BandwidthProfile.of(p) if p is not None else None,
        )

    @typed_field(
        graphql_type=Usage | None, description=oss_down("Traffic over a period (default: the last 30 days)")
    )
    def usage(
        self,
        info: Info[Context, None],
        from_: Annotated[
            date | None,
            strawberry.argument(
                name="from",
                description="First day of the period; default: 29 days before `to` (at most 90 days in all).",
            ),
        ] = strawberry.UNSET,
        to: Annotated[
            date | None, strawberry.argument(description="Last day of the period, inclusive; default: today.")
        ] = strawberry.UNSET,
    ) -> Any:
        key = usage_key(self.record.id, given(from_), given(to))
        loader = info.context.loaders.usage_by_subservice_id
        value: oss.Usage | Missing | Failed | None = self.prefetched.usage.get(key, MISSING)
        return now_or_later(value, lambda: loader.load(key), lambda u: Usage.of(u) if u is not None else None)

    @typed_field(
        graphql_type=LiveSession | None, description=aaa_down("The connection now; null when never connected")
    )
    def live_session(self, info: Info[Context, None]) -> Any:
        loader = info.context.loaders.session_by_subservice_id
        return now_or_later(
            self.prefetched.session,
            lambda: loader.load(self.record.id),
            lambda s: LiveSession.of(s) if s is not None else None,
        )

    @typed_field(graphql_type=list[Device] | None, description=oss_down("The equipment at the location"))
    def devices(self, info: Info[Context, None]) -> Any:
        loader = info.context.loaders.devices_by_subservice_id
        return now_or_later(
            self.prefetched.devices,
            lambda: loader.load(self.record.id),
            lambda ds: [Device.of(d) for d in ds],
        )

    @typed_field(graphql_type=list[AddOn] | None, description=oss_down("Extras on top of the plan"))
    def add_ons(self, info: Info[Context, None]) -> Any:
        loader = info.context.loaders.addons_by_subservice_id
        return now_or_later(
            self.prefetched.addons, lambda: loader.load(self.record.id), lambda xs: [AddOn.of(a) for a in xs]
        )

    @typed_field(
        graphql_type=list[InstallmentPlan] | None, description=billing_down("Equipment paid in installments")
    )
    def installments(self, info: Info[Context, None]) -> Any:
        loader = info.context.loaders.installments_by_subservice_id
        return now_or_later(
            self.prefetched.installments,
            lambda: loader.load(self.record.id),
            lambda xs: [InstallmentPlan.of(p) for p in xs],
        )

    @typed_field(
        graphql_type=datetime | None,
        description=billing_down("For prepaid services: when the paid period ends; null otherwise"),
    )
    def expires_at(self, info: Info[Context, None]) -> Any:
        loader = info.context.loaders.billing_by_subservice_id
        return now_or_later(
            self.prefetched.billing,
            lambda: loader.load(self.record.id),
            lambda b: b.expires_at if b is not None else None,
        )

    @typed_field(
        graphql_type=Money | None,
        description=billing_down("Prepaid services only: the price of one more period; null otherwise"),
    )
    def renewal_price(self, info: Info[Context, None]) -> Any:
        loader = info.context.loaders.billing_by_subservice_id
        return now_or_later(
            self.prefetched.billing,
            lambda: loader.load(self.record.id),
            lambda b: Money.of(b.monthly_charge) if b is not None and b.prepaid else None,
        )

    @typed_field(
        graphql_type=bool | None,
        description=billing_down("Prepaid services only: can the wallet pay the next period now?"),
    )
    def renewable(self, info: Info[Context, None]) -> Any:
        # Only for those who may renew (and see the wallet): the answer says something about the balance.
        viewer = info.context.viewer
        if viewer is None or not viewer.can_manage_billing:
            return False
        pre = self.prefetched
        if not isinstance(pre.billing, Missing) and not isinstance(pre.account, Missing):
            return _renewable(_ready(pre.billing), _ready(pre.account))
        return self._load_renewable(info)

    async def _load_renewable(self, info: Info[Context, None]) -> bool:
        loaders = info.context.loaders
        record, account = await asyncio.gather(
            loaders.billing_by_subservice_id.load(self.record.id),
            loaders.account_by_subscriber_id.load(self.record.subscriber_id),
        )
        return _renewable(record, account)

    @typed_field(
        graphql_type=list[ServicePlan] | None,
        description=billing_down(
            "The plans this sub-service can be on (`changePlan`), the current one marked"
        ),
    )
    async def available_plans(self, info: Info[Context, None]) -> list[ServicePlan]:
        return await offer_fields.available_plans(info, self.record)

    @typed_field(
        graphql_type=list[AddOnOffer] | None,
        description=billing_down("The add-ons and data top-ups this sub-service can buy (`buyAddOn`)"),
    )
    async def available_add_ons(self, info: Info[Context, None]) -> list[AddOnOffer]:
        return await offer_fields.available_add_ons(info, self.record)

    @typed_field(
        graphql_type=PendingPlanChange | None,
        description=billing_down("A downgrade waiting for the next billing period; null when none is"),
    )
    async def pending_plan_change(self, info: Info[Context, None]) -> PendingPlanChange | None:
        return await offer_fields.pending_plan_change(info, self.record)

    @typed_field(
        description=(
            "What moving to the plan `planCode` would cost (Billing's proration) and when it would take effect; "
            "nothing changes until `changePlan`. Null when Billing is unavailable."
        )
    )
    async def plan_change_preview(
        self,
        info: Info[Context, None],
        plan_code: Annotated[
            str, strawberry.argument(description="The plan's `code` (see `availablePlans`).")
        ],
    ) -> PlanChangePreviewResult | None:
        return await offer_fields.plan_change_preview(info, self.record, plan_code)

    @typed_field(
        graphql_type=SubServiceBilling | None, description=billing_down("Charges, cycle and what it owes")
    )
    def billing(self, info: Info[Context, None]) -> Any:
        pre = self.prefetched
        if not isinstance(pre.billing, Missing) and not isinstance(pre.account, Missing):
            return self._billing(_ready(pre.billing), _ready(pre.account))
        return self._load_billing(info)

    async def _load_billing(self, info: Info[Context, None]) -> SubServiceBilling:
        loaders = info.context.loaders
        record, account = await asyncio.gather(
            loaders.billing_by_subservice_id.load(self.record.id),
            loaders.account_by_subscriber_id.load(self.record.subscriber_id),
        )
        return self._billing(record, account)

    def _billing(
        self, record: billing_port.SubServiceBilling | None, account: billing_port.BillingAccount | None
    ) -> SubServiceBilling:
        found = required("billing", "charges", self.record.id)(record)
        owner = required("billing", "account", self.record.id)(account)
        return SubServiceBilling.of(found, owner, self.prefetched)


def _ready(value: T | Failed) -> T:
    """A pre-loaded answer, or the pre-loaded failure raised for the field at hand."""
    if isinstance(value, Failed):
        value.reraise()
    return value


def _renewable(
    record: billing_port.SubServiceBilling | None, account: billing_port.BillingAccount | None
) -> bool:
    if record is None or account is None or not record.prepaid:
        return False
    return account.wallet_balance.amount >= record.monthly_charge.amount


async def subservice_objects(
    context: Context,
    records: Sequence[crm.SubService],
    fields: list[SelectedField],
    windowed: Windowed | None = None,
) -> list[SubService]:
    """GraphQL sub-services for `records` (already authorized), with what `fields` need pre-loaded (from
    `windowed`, the subscriber-keyed reads of exactly these records, where started)."""
    items = [SubService.of(r) for r in records]
    await prefetch(context, items, fields, windowed)
    return items


async def visible_subservices_by_id(loaders: Loaders, viewer: Viewer, ids: list[str]) -> list[SubService]:
    """The sub-services with these ids that the viewer may see (an event names them; the viewer may not)."""
    if not ids:
        return []
    found = await loaders.subservice_by_id.load_many(ids)
    return [SubService.of(r) for r in found if r is not None and can_see_subservice(viewer, r)]
