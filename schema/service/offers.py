"""What a sub-service may move to or buy: Billing's plans and add-ons, a plan change's proration preview and
the change scheduled for the next period. Leaf types built from the Billing port's records."""

from __future__ import annotations

from datetime import date
from enum import Enum

import strawberry

from adapters.ports import billing as billing_port
from schema.core.money import Money


@strawberry.enum(description="Which way a plan change goes, and so when it takes effect.")
class PlanChangeDirection(Enum):
    UPGRADE = strawberry.enum_value(
        "UPGRADE",
        description="To a plan that costs as much or more: at once, prorated for the rest of the period.",
    )
    DOWNGRADE = strawberry.enum_value(
        "DOWNGRADE", description="To a cheaper plan: from the next billing period, nothing prorated."
    )


@strawberry.enum(description="Whether a plan change is in force.")
class PlanChangeStatus(Enum):
    APPLIED = strawberry.enum_value("APPLIED", description="In force now (an upgrade).")
    SCHEDULED = strawberry.enum_value(
        "SCHEDULED", description="Takes effect on `effectiveOn`, the start of the next period (a downgrade)."
    )


@strawberry.enum(description="What an add-on adds.")
class AddOnCategory(Enum):
    STATIC_IP = strawberry.enum_value("STATIC_IP", description="A fixed public IP address.")
    EXTRA_DATA = strawberry.enum_value(
        "EXTRA_DATA", description="More data for the period; lifts a usage-cap restriction at once."
    )
    CHANNEL_PACK = strawberry.enum_value("CHANNEL_PACK", description="More IPTV channels.")


@strawberry.enum(description="How an add-on is paid for.")
class AddOnBilling(Enum):
    MONTHLY = strawberry.enum_value(
        "MONTHLY", description="The rest of this period now, then its monthly price on every invoice."
    )
    ONE_OFF = strawberry.enum_value("ONE_OFF", description="Paid once, now.")


@strawberry.enum(description="How to pay for an add-on.")
class AddOnPaymentMethod(Enum):
    WALLET = strawberry.enum_value("WALLET", description="From the wallet balance, at once.")
    CARD = strawberry.enum_value(
        "CARD",
        description="By card on the gateway's hosted page (`checkoutUrl`); bought when the payment settles.",
    )


@strawberry.type(description="A plan a sub-service can be on: its price, speeds and data allowance.")
class ServicePlan:
    code: str = strawberry.field(description="The plan's code in the catalogue (what `changePlan` takes).")
    name: str = strawberry.field(description='The plan\'s name, e.g. "Fiber 300".')
    monthly_price: Money = strawberry.field(description="Its price per month.")
    down_mbps: int | None = strawberry.field(description="Download speed in Mbit/s; null for IPTV and VoIP.")
    up_mbps: int | None = strawberry.field(description="Upload speed in Mbit/s; null for IPTV and VoIP.")
    data_cap_gb: int | None = strawberry.field(
        description="Data included per month in GB; null for unlimited."
    )
    current: bool = strawberry.field(description="The plan the sub-service is on now.")

    @classmethod
    def of(cls, plan: billing_port.Plan, current_code: str | None = None) -> ServicePlan:
        return cls(
            code=plan.id,
            name=plan.name,
            monthly_price=Money.of(plan.monthly_price),
            down_mbps=plan.down_mbps,
            up_mbps=plan.up_mbps,
            data_cap_gb=plan.data_cap_gb,
            current=bool(plan.id) and plan.id == current_code,
        )


@strawberry.type(description="An extra a sub-service can buy (a static IP, more data, a channel pack).")
class AddOnOffer:
    code: str = strawberry.field(description="The add-on's code in the catalogue (what `buyAddOn` takes).")
    name: str = strawberry.field(description='Its name, e.g. "Extra data 50 GB".')
    category: AddOnCategory = strawberry.field(description="What it adds.")
    billing: AddOnBilling = strawberry.field(description="Monthly or once.")
    price: Money = strawberry.field(description="Its monthly price (MONTHLY) or its one price (ONE_OFF).")
    price_now: Money = strawberry.field(
        description="What buying it costs today (a MONTHLY one: the rest of the period, prorated)."
    )
    data_gb: int | None = strawberry.field(description="The data it adds, in GB (EXTRA_DATA only).")
    active: bool = strawberry.field(description="A MONTHLY add-on the sub-service already has.")

    @classmethod
    def of(cls, offer: billing_port.AddOnOffer) -> AddOnOffer:
        return cls(
            code=offer.id,
            name=offer.name,
            category=AddOnCategory(offer.category),
            billing=AddOnBilling(offer.billing),
            price=Money.of(offer.price),
            price_now=Money.of(offer.price_now),
            data_gb=offer.data_gb,
            active=offer.active,
        )


@strawberry.type(description="A plan change that takes effect at the start of the next billing period.")
class PendingPlanChange:
    plan: ServicePlan = strawberry.field(description="The plan the sub-service moves to.")
    effective_on: date = strawberry.field(description="The day it takes effect.")

    @classmethod
    def of(cls, change: billing_port.PendingPlanChange) -> PendingPlanChange:
        return cls(plan=ServicePlan.of(change.plan), effective_on=change.effective_on)


@strawberry.type(
    description=(
        "What a plan change costs, as Billing prorates it over the rest of the period already invoiced: a credit "
        "for the current plan's unused days and a charge for the new plan's, both on the next invoice."
    )
)
class PlanChangePreview:
    current_plan: ServicePlan = strawberry.field(description="The plan the sub-service is on.")
    new_plan: ServicePlan = strawberry.field(description="The plan it would move to.")
    direction: PlanChangeDirection = strawberry.field(
        description="Upgrade (at once) or downgrade (next period)."
    )
    effective_on: date = strawberry.field(description="When the new plan takes effect.")
    period_start: date = strawberry.field(description="First day of the current billing period.")
    period_end: date = strawberry.field(description="Last day of the current billing period.")
    days_remaining: int = strawberry.field(description="Days of the period from today, both ends included.")
    days_in_period: int = strawberry.field(description="Days in the current period.")
    credit: Money = strawberry.field(
        description="Credited for the current plan's unused days (zero for a downgrade)."
    )
    charge: Money = strawberry.field(
        description="Charged for the new plan's days to the period's end (zero for a downgrade)."
    )
    net: Money = strawberry.field(
        description="`charge` minus `credit`: what the next invoice adds for the change."
    )
    next_monthly_charge: Money = strawberry.field(
        description="The monthly charge on the new plan, add-ons included."
    )
    replaces_scheduled: bool = strawberry.field(description="A change scheduled before would be replaced.")

    @classmethod
    def of(cls, p: billing_port.PlanChangePreview) -> PlanChangePreview:
        return cls(
            current_plan=ServicePlan.of(p.current_plan, p.current_plan.id),
            new_plan=ServicePlan.of(p.new_plan),
            direction=PlanChangeDirection(p.direction),
            effective_on=p.effective_on,
            period_start=p.period_start,
            period_end=p.period_end,
            days_remaining=p.days_remaining,
            days_in_period=p.days_in_period,
            credit=Money.of(p.credit),
            charge=Money.of(p.charge),
            net=Money.of(p.net),
            next_monthly_charge=Money.of(p.next_monthly_charge),
            replaces_scheduled=p.replaces_scheduled,
        )


@strawberry.type(description="A line the next invoice adds once, e.g. the proration of a plan change.")
class InvoiceAdjustment:
    description: str = strawberry.field(description="What the line says on the invoice.")
    amount: Money = strawberry.field(description="Its amount: negative for a credit.")

    @classmethod
    def of(cls, line: billing_port.ChargeLine) -> InvoiceAdjustment:
        return cls(description=line.description, amount=Money.of(line.amount))


@strawberry.type(description="An add-on bought for a sub-service.")
class AddOnPurchase:
    code: str = strawberry.field(description="The add-on's code.")
    name: str = strawberry.field(description="The add-on's name.")
    charged: Money = strawberry.field(description="What was paid for it.")
    paid_with: AddOnPaymentMethod = strawberry.field(description="How it was paid.")
    data_gb: int | None = strawberry.field(description="The data it added, in GB (EXTRA_DATA only).")

    @classmethod
    def of(cls, p: billing_port.AddOnPurchase) -> AddOnPurchase:
        return cls(
            code=p.add_on_id,
            name=p.name,
            charged=Money.of(p.charged),
            paid_with=AddOnPaymentMethod(p.paid_by),
            data_gb=p.data_gb,
        )
