"""Changing what a sub-service is: `changePlan` (Billing prices and records it, AAA provisions an upgrade's
speeds at once) and `buyAddOn` (paid from the wallet now, or by card through the gateway's hosted checkout and
bought when the payment settles, `bff.core.payments.settlement`).

Who: `changePlan` every role but VIEWER, a SITE user for their own sub-services only; `buyAddOn` moves money, so
OWNER, MANAGER and FINANCE (`billing_only`), like every payment. A foreign sub-service and an unknown one answer
the same NOT_FOUND.

Retries: the client's idempotency key, scoped to its subscriber, keys Billing's write; AAA's is keyed by Billing's
change id. A retry after a lost answer (or after AAA was down) gets Billing's first answer and provisions AAA
again, which changes nothing twice.
"""

from __future__ import annotations

import logging
from typing import Annotated

import strawberry
from strawberry.types import Info

from adapters.errors import NotFound, Rejected
from adapters.ports import billing as billing_port
from adapters.ports import crm
from bff.core.bus import PROFILE_CHANGED, BusEvent
from bff.core.payments.checkout import CheckoutStart, start_add_on_payment
from bff.core.payments.effects import lift_usage_cap
from schema.core.connection import given
from schema.core.context import Context
from schema.core.money import Money
from schema.core.mutation import (
    IDEMPOTENCY_KEY,
    INPUT,
    USER_ERRORS,
    billing_only,
    checkout_or_error,
    idempotency_key_error,
    not_found,
    refusal,
    scoped_key,
)
from schema.core.node import decode_id_of
from schema.core.permission import CanChangeServices, can_see_subservice, require
from schema.service.errors import BuyAddOnError, BuyAddOnErrorCode, ChangePlanError, ChangePlanErrorCode
from schema.service.offer_fields import PLAN_FIELDS, is_suspended, plan_code_error, suspended_error
from schema.service.offers import AddOnPaymentMethod, AddOnPurchase, PlanChangePreview, PlanChangeStatus
from schema.service.types import SubService
from schema.wallet.types import Wallet

log = logging.getLogger("wispgate.plans")


async def _own_subservice(context: Context, subservice_id: str) -> crm.SubService | None:
    """The sub-service if the viewer may see it (Billing acts by sub-service id alone)."""
    record = await context.loaders.subservice_by_id.load(subservice_id)
    if record is None or not can_see_subservice(context.require_viewer(), record):
        return None
    return record


# -------------------------------------------------------------------------------------------------- changePlan


@strawberry.input(description="The input of `changePlan`.")
class ChangePlanInput:
    sub_service_id: strawberry.ID = strawberry.field(description="The sub-service (its global ID).")
    plan_code: str = strawberry.field(description="The plan to move to (`availablePlans.code`).")
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY_KEY)


@strawberry.type(description="A plan change made: its proration and whether it is in force yet.")
class PlanChange:
    status: PlanChangeStatus = strawberry.field(
        description="APPLIED (an upgrade, in force now) or SCHEDULED (a downgrade, from `preview.effectiveOn`)."
    )
    preview: PlanChangePreview = strawberry.field(
        description="The proration the change was made with (its lines go on the next invoice)."
    )


@strawberry.type(
    description="The result of `changePlan`: what it changed, or why it was refused (`userErrors`)."
)
class ChangePlanPayload:
    sub_service: SubService | None = strawberry.field(
        default=None, description="The sub-service as it is now (its new `profile` when upgraded)."
    )
    plan_change: PlanChange | None = strawberry.field(default=None, description="The change made.")
    user_errors: list[ChangePlanError] = strawberry.field(default_factory=list, description=USER_ERRORS)


async def change_plan(
    info: Info[Context, None], input: Annotated[ChangePlanInput, strawberry.argument(description=INPUT)]
) -> ChangePlanPayload:
    context = info.context
    viewer = context.require_viewer()
    subservice_id = decode_id_of(input.sub_service_id, "SubService")
    codes = ChangePlanErrorCode
    problem = idempotency_key_error(ChangePlanError.of, codes.IDEMPOTENCY_KEY_INVALID, input.idempotency_key)
    problem = problem or plan_code_error(input.plan_code)
    if problem is not None:
        return ChangePlanPayload(user_errors=[problem])
    record = await _own_subservice(context, subservice_id)
    if record is None:
        return ChangePlanPayload(
            user_errors=[not_found(ChangePlanError.of, codes.NOT_FOUND, "sub-service", "subServiceId")]
        )
    if await is_suspended(context, subservice_id):
        return ChangePlanPayload(user_errors=[suspended_error()])
    try:
        result = await context.backends.billing.change_plan(
            subservice_id,
            input.plan_code,
            idempotency_key=scoped_key(viewer.subscriber_id, f"plan:{input.idempotency_key}"),
        )
    except NotFound:
        return ChangePlanPayload(
            user_errors=[not_found(ChangePlanError.of, codes.NOT_FOUND, "sub-service", "subServiceId")]
        )
    except Rejected as exc:
        return ChangePlanPayload(user_errors=[refusal(ChangePlanError.of, exc, codes.REFUSED, PLAN_FIELDS)])
    subservice = SubService.of(record)
    if result.status == "APPLIED":
        plan = result.new_plan
        # The speeds change on the live session now; the profile AAA answers is the one the payload shows.
        provisioned = await context.backends.aaa.set_profile(
            subservice_id,
            plan.name,
            plan.down_mbps,
            plan.up_mbps,
            idempotency_key=f"plan-change:{result.change_id}",
        )
        subservice.prefetched.profile = provisioned.profile
        await context.bus.publish(
            BusEvent(
                id=f"{result.change_id}:profile",
                type=PROFILE_CHANGED,
                subscriber_id=record.subscriber_id,
                subservice_ids=(subservice_id,),
                data={"subservice_id": subservice_id},
            )
        )
    await context.audit("plan_changed", f"{subservice_id} to {input.plan_code} ({result.status})")
    return ChangePlanPayload(
        sub_service=subservice,
        plan_change=PlanChange(status=PlanChangeStatus(result.status), preview=PlanChangePreview.of(result)),
    )


# ---------------------------------------------------------------------------------------------------- buyAddOn


@strawberry.input(description="The input of `buyAddOn`.")
class BuyAddOnInput:
    sub_service_id: strawberry.ID = strawberry.field(description="The sub-service (its global ID).")
    add_on_code: str = strawberry.field(description="The add-on or data top-up (`availableAddOns.code`).")
    payment_method: AddOnPaymentMethod = strawberry.field(description="Pay from the wallet or by card.")
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY_KEY)
    return_url: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="CARD: where the gateway sends the browser after paying (an allowed origin). Default: the portal's /payments/return page.",
    )
    cancel_url: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="CARD: where the gateway sends the browser on cancel (same rule). Default: the sub-service's page.",
    )


@strawberry.type(
    description="The result of `buyAddOn`: what it changed, or why it was refused (`userErrors`)."
)
class BuyAddOnPayload:
    sub_service: SubService | None = strawberry.field(
        default=None, description="The sub-service as it is now (active again when data lifted a usage cap)."
    )
    purchase: AddOnPurchase | None = strawberry.field(
        default=None, description="WALLET: the add-on bought. Null for CARD until the payment settles."
    )
    wallet: Wallet | None = strawberry.field(default=None, description="WALLET: the wallet after paying.")
    checkout_url: str | None = strawberry.field(
        default=None, description="CARD: the gateway's page to send the browser to, to pay."
    )
    user_errors: list[BuyAddOnError] = strawberry.field(default_factory=list, description=USER_ERRORS)


ADD_ON_FIELDS = {"UNKNOWN_ADD_ON": "addOnCode", "ALREADY_ACTIVE": "addOnCode", "NOT_FOUND": "subServiceId"}


def _add_on_refusal(code: BuyAddOnErrorCode, message: str, field: str) -> BuyAddOnPayload:
    return BuyAddOnPayload(user_errors=[BuyAddOnError.of(code, message, "input", field)])


async def buy_add_on(
    info: Info[Context, None], input: Annotated[BuyAddOnInput, strawberry.argument(description=INPUT)]
) -> BuyAddOnPayload:
    context = info.context
    viewer = context.require_viewer()
    subservice_id = decode_id_of(input.sub_service_id, "SubService")
    codes = BuyAddOnErrorCode
    problem = idempotency_key_error(BuyAddOnError.of, codes.IDEMPOTENCY_KEY_INVALID, input.idempotency_key)
    if problem is not None:
        return BuyAddOnPayload(user_errors=[problem])
    record = await _own_subservice(context, subservice_id)
    if record is None:
        return _add_on_refusal(codes.NOT_FOUND, "No such sub-service.", "subServiceId")
    if await is_suspended(context, subservice_id):
        return _add_on_refusal(
            codes.SERVICE_SUSPENDED,
            "This service is suspended; add-ons can be bought once it is active again.",
            "subServiceId",
        )
    offers = await context.loaders.offers_by_subservice_id.load(subservice_id)
    offer = next((a for a in offers.add_ons if a.id == input.add_on_code), None) if offers else None
    if offer is None:
        return _add_on_refusal(codes.UNKNOWN_ADD_ON, "No add-on with this code is offered here.", "addOnCode")
    if offer.active:
        return _add_on_refusal(codes.ALREADY_ACTIVE, f"{offer.name} is already on this service.", "addOnCode")
    if input.payment_method is AddOnPaymentMethod.CARD:
        return await _by_card(info, input, subservice_id, offer)
    try:
        purchase = await context.backends.billing.buy_add_on(
            subservice_id,
            offer.id,
            paid_by="WALLET",
            idempotency_key=scoped_key(viewer.subscriber_id, f"add-on:{input.idempotency_key}"),
        )
    except NotFound:
        return _add_on_refusal(codes.NOT_FOUND, "No such sub-service.", "subServiceId")
    except Rejected as exc:
        return BuyAddOnPayload(user_errors=[refusal(BuyAddOnError.of, exc, codes.REFUSED, ADD_ON_FIELDS)])
    subservice = SubService.of(record)
    if purchase.data_gb and await lift_usage_cap(
        context.backends, subservice_id, f"add-on:{purchase.id}:uncap"
    ):
        # The status as AAA has it now, not as this request read it before lifting the cap.
        subservice.prefetched.status = (await context.backends.aaa.statuses([subservice_id])).get(
            subservice_id
        )
    await context.audit("add_on_bought", f"{offer.name} for {subservice_id} from the wallet")
    return BuyAddOnPayload(
        sub_service=subservice,
        purchase=AddOnPurchase.of(purchase),
        wallet=Wallet(subscriber_id=viewer.subscriber_id, balance=Money.of(purchase.wallet_balance)),
    )


async def _by_card(
    info: Info[Context, None], input: BuyAddOnInput, subservice_id: str, offer: billing_port.AddOnOffer
) -> BuyAddOnPayload:
    context = info.context
    viewer = context.require_viewer()
    started = await checkout_or_error(
        BuyAddOnError.of,
        BuyAddOnErrorCode.GATEWAY_UNAVAILABLE,
        input.idempotency_key,
        lambda: start_add_on_payment(
            context.backends,
            context.settings,
            viewer,
            subservice_id,
            offer,
            idempotency_key=input.idempotency_key,
            return_url=given(input.return_url),
            cancel_url=given(input.cancel_url),
        ),
    )
    if not isinstance(started, CheckoutStart):
        return BuyAddOnPayload(user_errors=[started])
    await context.audit("payment_started", f"add-on {offer.name} for {subservice_id}")
    record = await _own_subservice(context, subservice_id)
    return BuyAddOnPayload(
        sub_service=SubService.of(record) if record is not None else None, checkout_url=started.checkout_url
    )


@strawberry.type
class ServiceMutation:
    change_plan: ChangePlanPayload = strawberry.mutation(
        resolver=change_plan,
        description=(
            "Move a sub-service to another plan: an upgrade at once (its speeds change live, "
            "`serviceStatusChanged` pushes them), a downgrade from the next billing period (`pendingPlanChange`). "
            "The proration (see `SubService.planChangePreview`) goes on the next invoice. Every role but VIEWER; "
            "SITE users for their own sub-services. Refusals: `ChangePlanErrorCode`."
        ),
        extensions=require(CanChangeServices()),
    )
    buy_add_on: BuyAddOnPayload = strawberry.mutation(
        resolver=buy_add_on,
        description=(
            "Buy an add-on or a data top-up for a sub-service, from the wallet (at once) or by card (`checkoutUrl`; "
            "bought when the payment settles, `paymentSettled`). Data lifts a usage-cap restriction at once. "
            "OWNER, MANAGER and FINANCE. Refusals: `BuyAddOnErrorCode`."
        ),
        extensions=billing_only(),
    )
