"""The resolvers behind a sub-service's plan and add-on fields (`SubService.availablePlans`, …): Billing's
offers through their per-request loader (one batch call for a page of sub-services), and the preview of a
plan change asked of Billing for the one sub-service and plan."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from adapters.errors import NotFound, Rejected
from adapters.ports import billing as billing_port
from adapters.ports import crm
from schema.core.context import Context
from schema.core.mutation import USER_ERRORS, not_found, refusal
from schema.service.errors import ChangePlanError, ChangePlanErrorCode
from schema.service.offers import AddOnOffer, PendingPlanChange, PlanChangePreview, ServicePlan

MAX_CODE = 200


@strawberry.type(description="A plan change's preview, or why there is none (`userErrors`).")
class PlanChangePreviewResult:
    preview: PlanChangePreview | None = strawberry.field(
        default=None, description="What the change would cost and when it would take effect."
    )
    user_errors: list[ChangePlanError] = strawberry.field(
        default_factory=list, description=USER_ERRORS.replace("the mutation", "the preview")
    )


async def _offers(info: Info[Context, None], record: crm.SubService) -> billing_port.Offers | None:
    return await info.context.loaders.offers_by_subservice_id.load(record.id)


async def available_plans(info: Info[Context, None], record: crm.SubService) -> list[ServicePlan]:
    offers = await _offers(info, record)
    if offers is None:
        return []
    return [ServicePlan.of(p, offers.current_plan_id) for p in offers.plans]


async def available_add_ons(info: Info[Context, None], record: crm.SubService) -> list[AddOnOffer]:
    offers = await _offers(info, record)
    return [AddOnOffer.of(a) for a in offers.add_ons] if offers is not None else []


async def pending_plan_change(info: Info[Context, None], record: crm.SubService) -> PendingPlanChange | None:
    offers = await _offers(info, record)
    if offers is None or offers.pending_change is None:
        return None
    return PendingPlanChange.of(offers.pending_change)


async def is_suspended(context: Context, subservice_id: str) -> bool:
    status = await context.loaders.status_by_subservice_id.load(subservice_id)
    return status is not None and status.status == "SUSPENDED"


def plan_code_error(plan_code: str) -> ChangePlanError | None:
    if not plan_code.strip() or len(plan_code) > MAX_CODE:
        return ChangePlanError.of(
            ChangePlanErrorCode.UNKNOWN_PLAN, "No plan with this code is offered.", "input", "planCode"
        )
    return None


def suspended_error() -> ChangePlanError:
    return ChangePlanError.of(
        ChangePlanErrorCode.SERVICE_SUSPENDED,
        "This service is suspended; its plan can change once it is active again.",
        "input",
        "subServiceId",
    )


# Which input field a Billing refusal of a plan change is about.
PLAN_FIELDS = {
    "UNKNOWN_PLAN": "planCode",
    "SAME_PLAN": "planCode",
    "PREPAID": "subServiceId",
    "NOT_FOUND": "subServiceId",
}


async def plan_change_preview(
    info: Info[Context, None], record: crm.SubService, plan_code: str
) -> PlanChangePreviewResult:
    problem = plan_code_error(plan_code)
    if problem is None and await is_suspended(info.context, record.id):
        problem = suspended_error()
    if problem is not None:
        return PlanChangePreviewResult(user_errors=[problem])
    try:
        preview = await info.context.backends.billing.preview_plan_change(record.id, plan_code)
    except NotFound:
        error = not_found(ChangePlanError.of, ChangePlanErrorCode.NOT_FOUND, "sub-service", "subServiceId")
        return PlanChangePreviewResult(user_errors=[error])
    except Rejected as exc:
        return PlanChangePreviewResult(
            user_errors=[refusal(ChangePlanError.of, exc, ChangePlanErrorCode.REFUSED, PLAN_FIELDS)]
        )
    return PlanChangePreviewResult(preview=PlanChangePreview.of(preview))
