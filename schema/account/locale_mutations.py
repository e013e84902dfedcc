"""`setLocale`: the viewer's language for the portal, its e-mails and PDFs, kept by the CRM (so it follows the
user to every device and to what the CRM and Billing write to them)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from adapters.errors import NotFound, Rejected
from schema.account.types import Locale, Viewer, locale_code
from schema.core.context import Context
from schema.core.errors import CodedError
from schema.core.mutation import INPUT, USER_ERRORS, refusal
from schema.core.permission import IsAuthenticated, require


@strawberry.enum(description="Why `setLocale` failed.")
class SetLocaleErrorCode(Enum):
    REFUSED = strawberry.enum_value(
        "REFUSED",
        description=(
            "The CRM refused the change (the login was removed meanwhile); the message says why. Also the "
            "answer to a failure this enum does not list."
        ),
    )


@strawberry.type(description="A refusal of `setLocale`.")
class SetLocaleError(CodedError[SetLocaleErrorCode]):
    pass


@strawberry.input(description="The input of `setLocale`.")
class SetLocaleInput:
    locale: Locale | None = strawberry.field(
        description="The language to use from now on; null to follow the device's language again."
    )


@strawberry.type(
    description="The result of `setLocale`: what it changed, or why it was refused (`userErrors`)."
)
class SetLocalePayload:
    viewer: Viewer | None = strawberry.field(
        default=None, description="The viewer, with its new `locale`; null when refused."
    )
    user_errors: list[SetLocaleError] = strawberry.field(default_factory=list, description=USER_ERRORS)


async def set_locale(
    info: Info[Context, None], input: Annotated[SetLocaleInput, strawberry.argument(description=INPUT)]
) -> SetLocalePayload:
    identity = info.context.require_viewer()
    try:
        await info.context.backends.crm.set_user_locale(identity.user_id, locale_code(input.locale))
    except NotFound:
        error = SetLocaleError.of(SetLocaleErrorCode.REFUSED, "This login no longer exists.")
        return SetLocalePayload(user_errors=[error])
    except Rejected as exc:
        return SetLocalePayload(user_errors=[refusal(SetLocaleError.of, exc, SetLocaleErrorCode.REFUSED)])
    return SetLocalePayload(viewer=Viewer(identity=identity))


@strawberry.type
class LocaleMutation:
    set_locale: SetLocalePayload = strawberry.mutation(
        resolver=set_locale,
        description=(
            "Choose the viewer's language for the portal, e-mails and PDFs (every role may). Refusals: "
            "`SetLocaleErrorCode`."
        ),
        extensions=require(IsAuthenticated()),
    )
