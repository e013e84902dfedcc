"""The viewer's password: `changePassword` (the current one required; every other session ends), and a
forgotten one: `requestPasswordReset` e-mails a single-use link to `/reset-password?token=…`,
`resetPassword` sets the new password with it and ends every session of that user."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from bff.core.auth.credentials import Credentials
from bff.core.auth.service import AuthFailure
from bff.core.locale import negotiate
from schema.account.credential_errors import (
    ChangePasswordError,
    ChangePasswordErrorCode,
    RequestPasswordResetError,
    RequestPasswordResetErrorCode,
    ResetPasswordError,
    ResetPasswordErrorCode,
)
from schema.account.links import reset_link
from schema.account.types import Locale, locale_code
from schema.core.context import Context
from schema.core.errors import known_code
from schema.core.mutation import INPUT, USER_ERRORS
from schema.core.permission import IsAuthenticated, require

MAX_PASSWORD = 1024
MAX_EMAIL = 254
MAX_TOKEN = 200


@strawberry.input(description="The input of `changePassword`.")
class ChangePasswordInput:
    current_password: str = strawberry.field(description="The password in use now.")
    new_password: str = strawberry.field(
        description="At least 10 characters, not the e-mail address, not a common password"
    )


@strawberry.type(
    description="The result of `changePassword`: what it changed, or why it was refused (`userErrors`)."
)
class ChangePasswordPayload:
    ok: bool = strawberry.field(default=False, description="The password is changed.")
    ended_session_count: int | None = strawberry.field(
        default=None, description="How many of the viewer's other sessions were ended"
    )
    retry_after_seconds: int | None = strawberry.field(
        default=None, description="With RATE_LIMITED: how many seconds to wait before trying again"
    )
    user_errors: list[ChangePasswordError] = strawberry.field(default_factory=list, description=USER_ERRORS)


async def change_password(
    info: Info[Context, None], input: Annotated[ChangePasswordInput, strawberry.argument(description=INPUT)]
) -> ChangePasswordPayload:
    viewer = info.context.require_viewer()
    if len(input.current_password) > MAX_PASSWORD or not input.current_password:
        error = ChangePasswordError.of(
            ChangePasswordErrorCode.INVALID_CREDENTIALS,
            "The current password is not correct.",
            "input",
            "currentPassword",
        )
        return ChangePasswordPayload(user_errors=[error])
    ip, agent = info.context.client()
    try:
        ended = await Credentials(info.context.auth).change_password(
            viewer, input.current_password, input.new_password[: MAX_PASSWORD + 1], ip=ip, user_agent=agent
        )
    except AuthFailure as failure:
        code = known_code(failure.code, ChangePasswordErrorCode.INVALID_CREDENTIALS, source="crm")
        field = "currentPassword" if code is ChangePasswordErrorCode.INVALID_CREDENTIALS else "newPassword"
        at = ("input", field) if code is not ChangePasswordErrorCode.RATE_LIMITED else ()
        return ChangePasswordPayload(
            user_errors=[ChangePasswordError.of(code, failure.message, *at)],
            retry_after_seconds=failure.retry_after_s or None,
        )
    return ChangePasswordPayload(ok=True, ended_session_count=ended)


@strawberry.input(description="The input of `requestPasswordReset`.")
class RequestPasswordResetInput:
    email: str = strawberry.field(description="The address the user signs in with.")
    locale: Locale | None = strawberry.field(
        default=None,
        description=(
            "The language the asking page is shown in, for the e-mail when the user chose none; omitted: the "
            "request's Accept-Language, else English."
        ),
    )


@strawberry.type(
    description="The result of `requestPasswordReset`: what it changed, or why it was refused (`userErrors`)."
)
class RequestPasswordResetPayload:
    ok: bool = strawberry.field(
        default=False,
        description=(
            "True when the request was taken: if the address belongs to a portal user, a link valid for 30 "
            "minutes is on its way (the answer is the same when it does not)"
        ),
    )
    retry_after_seconds: int | None = strawberry.field(
        default=None, description="With RATE_LIMITED: how many seconds to wait before trying again"
    )
    user_errors: list[RequestPasswordResetError] = strawberry.field(
        default_factory=list, description=USER_ERRORS
    )


async def request_password_reset(
    info: Info[Context, None],
    input: Annotated[RequestPasswordResetInput, strawberry.argument(description=INPUT)],
) -> RequestPasswordResetPayload:
    ip, _ = info.context.client()
    try:
        await Credentials(info.context.auth).request_reset(
            input.email[:MAX_EMAIL],
            reset_link(info.context),
            ip=ip,
            locale=locale_code(input.locale)
            or negotiate(info.context.request.headers.get("accept-language")),
        )
    except AuthFailure as failure:
        code = known_code(failure.code, RequestPasswordResetErrorCode.RATE_LIMITED, source="auth")
        return RequestPasswordResetPayload(
            user_errors=[RequestPasswordResetError.of(code, failure.message)],
            retry_after_seconds=failure.retry_after_s or None,
        )
    return RequestPasswordResetPayload(ok=True)


@strawberry.input(description="The input of `resetPassword`.")
class ResetPasswordInput:
    token: str = strawberry.field(description="The `token` of the e-mailed link")
    new_password: str = strawberry.field(description="The password to set.")


@strawberry.type(
    description="The result of `resetPassword`: what it changed, or why it was refused (`userErrors`)."
)
class ResetPasswordPayload:
    ok: bool = strawberry.field(default=False, description="The password is set: sign in with it")
    retry_after_seconds: int | None = strawberry.field(
        default=None, description="With RATE_LIMITED: how many seconds to wait before trying again"
    )
    user_errors: list[ResetPasswordError] = strawberry.field(default_factory=list, description=USER_ERRORS)


async def reset_password(
    info: Info[Context, None], input: Annotated[ResetPasswordInput, strawberry.argument(description=INPUT)]
) -> ResetPasswordPayload:
    if not input.token or len(input.token) > MAX_TOKEN:
        error = ResetPasswordError.of(
            ResetPasswordErrorCode.INVALID_TOKEN,
            "This link has expired or was already used. Ask for a new one.",
            "input",
            "token",
        )
        return ResetPasswordPayload(user_errors=[error])
    ip, agent = info.context.client()
    try:
        await Credentials(info.context.auth).reset_password(
            input.token, input.new_password[: MAX_PASSWORD + 1], ip=ip, user_agent=agent
        )
    except AuthFailure as failure:
        code = known_code(failure.code, ResetPasswordErrorCode.INVALID_TOKEN, source="crm")
        field = {
            ResetPasswordErrorCode.INVALID_TOKEN: ("input", "token"),
            ResetPasswordErrorCode.RATE_LIMITED: (),
        }
        return ResetPasswordPayload(
            user_errors=[
                ResetPasswordError.of(code, failure.message, *field.get(code, ("input", "newPassword")))
            ],
            retry_after_seconds=failure.retry_after_s or None,
        )
    return ResetPasswordPayload(ok=True)


@strawberry.type
class CredentialMutation:
    change_password: ChangePasswordPayload = strawberry.mutation(
        resolver=change_password,
        description=(
            "Set a new password (the current one is required); every other session of the viewer ends. "
            "Refusals: `ChangePasswordErrorCode`."
        ),
        extensions=require(IsAuthenticated()),
    )
    request_password_reset: RequestPasswordResetPayload = strawberry.mutation(
        resolver=request_password_reset,
        description=(
            "E-mail a single-use link to reset the password (valid 30 minutes) — the same answer whether or not "
            "the address belongs to a user. Refusals: `RequestPasswordResetErrorCode`."
        ),
    )
    reset_password: ResetPasswordPayload = strawberry.mutation(
        resolver=reset_password,
        description=(
            "Set a new password with the token of a reset or invitation link; every session of that user "
            "ends. Refusals: `ResetPasswordErrorCode`."
        ),
    )
