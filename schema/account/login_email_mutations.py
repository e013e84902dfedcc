"""The viewer's login e-mail: `requestLoginEmailChange` (the current password required; a link goes to the
new address) and `confirmLoginEmailChange` (the link's token; no session needed). The rules live in
`bff.core.auth.login_email`; docs/architecture.md, "Contact details", says why both proofs."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from bff.core.auth.login_email import LoginEmail
from bff.core.auth.service import AuthFailure
from schema.core.context import Context
from schema.core.errors import CodedError, known_code
from schema.core.mutation import INPUT, USER_ERRORS
from schema.core.permission import IsAuthenticated, require

CONFIRM_EMAIL_PATH = "/confirm-email"


@strawberry.enum(description="Why `requestLoginEmailChange` failed.")
class RequestLoginEmailChangeErrorCode(Enum):
    INVALID_CREDENTIALS = strawberry.enum_value(
        "INVALID_CREDENTIALS",
        description="The current password is not correct (counted like a failed sign-in). Also the answer to a "
        "failure this enum does not list.",
    )
    INVALID_EMAIL = strawberry.enum_value("INVALID_EMAIL", description="Not an e-mail address.")
    EMAIL_TOO_LONG = strawberry.enum_value("EMAIL_TOO_LONG", description="More than 254 characters.")
    EMAIL_UNCHANGED = strawberry.enum_value("EMAIL_UNCHANGED", description="It is already the login e-mail.")
    EMAIL_TAKEN = strawberry.enum_value("EMAIL_TAKEN", description="Another portal login uses this address.")
    RATE_LIMITED = strawberry.enum_value(
        "RATE_LIMITED", description="Too many wrong passwords: `retryAfterSeconds` says when to try again."
    )


@strawberry.type(description="A refusal of `requestLoginEmailChange`.")
class RequestLoginEmailChangeError(CodedError[RequestLoginEmailChangeErrorCode]):
    pass


@strawberry.enum(description="Why `confirmLoginEmailChange` failed.")
class ConfirmLoginEmailChangeErrorCode(Enum):
    INVALID_TOKEN = strawberry.enum_value(
        "INVALID_TOKEN",
        description="The link is used, expired (30 minutes) or unknown: ask again. Also the answer to a failure "
        "this enum does not list.",
    )
    EMAIL_TAKEN = strawberry.enum_value(
        "EMAIL_TAKEN", description="Another portal login took the address since the link was sent."
    )


@strawberry.type(description="A refusal of `confirmLoginEmailChange`.")
class ConfirmLoginEmailChangeError(CodedError[ConfirmLoginEmailChangeErrorCode]):
    pass


@strawberry.input(description="The input of `requestLoginEmailChange`.")
class RequestLoginEmailChangeInput:
    current_password: str = strawberry.field(description="The password in use now.")
    new_email: str = strawberry.field(description="The address to sign in with from now on.")


@strawberry.type(
    description="The result of `requestLoginEmailChange`: what it changed, or why it was refused (`userErrors`)."
)
class RequestLoginEmailChangePayload:
    sent_to: str | None = strawberry.field(
        default=None,
        description="Where the confirmation link went (valid 30 minutes); nothing changes until it is opened",
    )
    retry_after_seconds: int | None = strawberry.field(
        default=None, description="With RATE_LIMITED: how many seconds to wait before trying again"
    )
    user_errors: list[RequestLoginEmailChangeError] = strawberry.field(
        default_factory=list, description=USER_ERRORS
    )


_FIELDS = {"INVALID_CREDENTIALS": "currentPassword", "RATE_LIMITED": ""}


async def request_login_email_change(
    info: Info[Context, None],
    input: Annotated[RequestLoginEmailChangeInput, strawberry.argument(description=INPUT)],
) -> RequestLoginEmailChangePayload:
    viewer = info.context.require_viewer()
    ip, _ = info.context.client()
    base = info.context.settings.portal_url or str(info.context.request.base_url)
    try:
        sent_to = await LoginEmail(info.context.auth).request(
            viewer,
            input.current_password[:1025],
            input.new_email[:300],
            base.rstrip("/") + CONFIRM_EMAIL_PATH,
            ip=ip,
        )
    except AuthFailure as failure:
        code = known_code(failure.code, RequestLoginEmailChangeErrorCode.INVALID_CREDENTIALS, source="crm")
        field = _FIELDS.get(code.name, "newEmail")
        return RequestLoginEmailChangePayload(
            user_errors=[
                RequestLoginEmailChangeError.of(code, failure.message, *(("input", field) if field else ()))
            ],
            retry_after_seconds=failure.retry_after_s or None,
        )
    return RequestLoginEmailChangePayload(sent_to=sent_to)


@strawberry.input(description="The input of `confirmLoginEmailChange`.")
class ConfirmLoginEmailChangeInput:
    token: str = strawberry.field(description="The `token` of the link e-mailed to the new address.")


@strawberry.type(
    description="The result of `confirmLoginEmailChange`: what it changed, or why it was refused (`userErrors`)."
)
class ConfirmLoginEmailChangePayload:
    email: str | None = strawberry.field(
        default=None, description="The login e-mail from now on; null when refused."
    )
    user_errors: list[ConfirmLoginEmailChangeError] = strawberry.field(
        default_factory=list, description=USER_ERRORS
    )


async def confirm_login_email_change(
    info: Info[Context, None],
    input: Annotated[ConfirmLoginEmailChangeInput, strawberry.argument(description=INPUT)],
) -> ConfirmLoginEmailChangePayload:
    try:
        user = await LoginEmail(info.context.auth).complete(input.token[:201])
    except AuthFailure as failure:
        code = known_code(failure.code, ConfirmLoginEmailChangeErrorCode.INVALID_TOKEN, source="crm")
        return ConfirmLoginEmailChangePayload(
            user_errors=[ConfirmLoginEmailChangeError.of(code, failure.message, "input", "token")]
        )
    return ConfirmLoginEmailChangePayload(email=user.email)


@strawberry.type
class LoginEmailMutation:
    request_login_email_change: RequestLoginEmailChangePayload = strawberry.mutation(
        resolver=request_login_email_change,
        description=(
            "Ask to sign in with another e-mail (every role: it is your login): the current password is "
            "required, a link goes to the new address and a notice to the old one; nothing changes until the "
            "link is opened (`confirmLoginEmailChange`). Refusals: `RequestLoginEmailChangeErrorCode`."
        ),
        extensions=require(IsAuthenticated()),
    )
    confirm_login_email_change: ConfirmLoginEmailChangePayload = strawberry.mutation(
        resolver=confirm_login_email_change,
        description=(
            "Open the link sent to the new address (no session needed): the user signs in with it from now on, "
            "their sessions follow at once and the old address is told. Refusals: "
            "`ConfirmLoginEmailChangeErrorCode`."
        ),
    )
