"""Why changing a plan or buying an add-on fails: one error type and one code enum per mutation, each member
described by when it happens. Billing answers most of these; a Billing code an enum does not list becomes its
REFUSED."""

from __future__ import annotations

from enum import Enum

import strawberry

from schema.core.errors import CodedError

_KEY_INVALID = "The idempotency key is empty or longer than 100 characters."
_KEY_CONFLICT = "The idempotency key was already used for a different request."
_REFUSED = "Billing refused for a reason this enum does not list; `message` is Billing's own."
_NOT_FOUND = "No such sub-service (a foreign ID, or one a SITE user is not assigned, answers the same)."
_SUSPENDED = "The sub-service is suspended: it changes nothing until it is active again."


@strawberry.enum(description="Why `changePlan` (or `SubService.planChangePreview`) failed.")
class ChangePlanErrorCode(Enum):
    NOT_FOUND = strawberry.enum_value("NOT_FOUND", description=_NOT_FOUND)
    UNKNOWN_PLAN = strawberry.enum_value(
        "UNKNOWN_PLAN",
        description="No plan with this code is offered for this sub-service (see `availablePlans`).",
    )
    SAME_PLAN = strawberry.enum_value("SAME_PLAN", description="The sub-service is already on this plan.")
    PREPAID = strawberry.enum_value(
        "PREPAID", description="A prepaid sub-service changes plan when it is renewed, not mid-period."
    )
    SERVICE_SUSPENDED = strawberry.enum_value("SERVICE_SUSPENDED", description=_SUSPENDED)
    IDEMPOTENCY_KEY_INVALID = strawberry.enum_value("IDEMPOTENCY_KEY_INVALID", description=_KEY_INVALID)
    IDEMPOTENCY_CONFLICT = strawberry.enum_value("IDEMPOTENCY_CONFLICT", description=_KEY_CONFLICT)
    REFUSED = strawberry.enum_value("REFUSED", description=_REFUSED)


@strawberry.type(description="A refusal of `changePlan` or of a plan change's preview.")
class ChangePlanError(CodedError[ChangePlanErrorCode]):
    pass


@strawberry.enum(description="Why `buyAddOn` failed.")
class BuyAddOnErrorCode(Enum):
    NOT_FOUND = strawberry.enum_value("NOT_FOUND", description=_NOT_FOUND)
    UNKNOWN_ADD_ON = strawberry.enum_value(
        "UNKNOWN_ADD_ON",
        description="No add-on with this code is offered for this sub-service (see `availableAddOns`).",
    )
    ALREADY_ACTIVE = strawberry.enum_value(
        "ALREADY_ACTIVE", description="The sub-service already has this monthly add-on."
    )
    INSUFFICIENT_BALANCE = strawberry.enum_value(
        "INSUFFICIENT_BALANCE",
        description="The wallet does not cover the add-on's `priceNow`; nothing was taken.",
    )
    SERVICE_SUSPENDED = strawberry.enum_value("SERVICE_SUSPENDED", description=_SUSPENDED)
    GATEWAY_UNAVAILABLE = strawberry.enum_value(
        "GATEWAY_UNAVAILABLE",
        description="CARD: the payment provider cannot start a payment now; try again later.",
    )
    RETURN_URL_NOT_ALLOWED = strawberry.enum_value(
        "RETURN_URL_NOT_ALLOWED",
        description="A return or cancel address is not on the portal's allowed list.",
    )
    IDEMPOTENCY_KEY_INVALID = strawberry.enum_value("IDEMPOTENCY_KEY_INVALID", description=_KEY_INVALID)
    IDEMPOTENCY_CONFLICT = strawberry.enum_value("IDEMPOTENCY_CONFLICT", description=_KEY_CONFLICT)
    REFUSED = strawberry.enum_value("REFUSED", description=_REFUSED)


@strawberry.type(description="A refusal of `buyAddOn`.")
class BuyAddOnError(CodedError[BuyAddOnErrorCode]):
    pass
