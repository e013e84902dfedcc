"""Signing in and out: `login`, `refreshSession`, `logout` — tokens as httpOnly cookies for the web or in
the payload for mobile apps."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import Info

from bff.core.auth.cookies import (
    REFRESH_COOKIE,
    clear_session_cookies,
)
from bff.core.auth.service import AuthFailure, SecondFactorRequired
from schema.account.errors import LoginError, LoginErrorCode, RefreshSessionError, RefreshSessionErrorCode
from schema.account.handover import become, deliver
from schema.account.types import TokenDelivery, Viewer
from schema.core.context import Context
from schema.core.errors import known_code
from schema.core.mutation import INPUT, USER_ERRORS

MAX_EMAIL = 254
MAX_PASSWORD = 1024


@strawberry.input(description="The input of `login`.")
class LoginInput:
    email: str = strawberry.field(description="The address the user signs in with.")
    password: str = strawberry.field(description="The user's password.")
    token_delivery: TokenDelivery = strawberry.field(
        default=TokenDelivery.COOKIE,
        description="How the tokens come back: COOKIE for the web, BODY for apps.",
    )


@strawberry.type(description="A sign-in that waits for its second factor.")
class SecondFactorChallenge:
    challenge: str = strawberry.field(description="Pass to `verifySecondFactor` with a code")
    expires_at: datetime = strawberry.field(
        description="When the challenge expires: sign in again after that."
    )


@strawberry.type(description="The result of `login`: what it changed, or why it was refused (`userErrors`).")
class LoginPayload:
    viewer: Viewer | None = strawberry.field(
        default=None,
        description="The signed-in viewer; null when refused or while a second factor is awaited.",
    )
    second_factor: SecondFactorChallenge | None = strawberry.field(
        default=None,
        description=(
            "Set when the password was right and the user has a second factor: no session yet; answer the "
            "challenge with `verifySecondFactor`"
        ),
    )
    access_token: str | None = strawberry.field(default=None, description="Only with tokenDelivery: BODY")
    refresh_token: str | None = strawberry.field(default=None, description="Only with tokenDelivery: BODY")
    access_token_expires_at: datetime | None = strawberry.field(
        default=None, description="When the access token expires: refresh before then (`refreshSession`)."
    )
    retry_after_seconds: int | None = strawberry.field(
        default=None, description="With RATE_LIMITED: how many seconds to wait before trying again"
    )
    user_errors: list[LoginError] = strawberry.field(default_factory=list, description=USER_ERRORS)


@strawberry.input(description="The input of `refreshSession`.")
class RefreshSessionInput:
    refresh_token: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Mobile clients send their refresh token here; the web sends none (the cookie is used).",
    )


@strawberry.type(
    description="The result of `refreshSession`: what it changed, or why it was refused (`userErrors`)."
)
class RefreshSessionPayload:
    viewer: Viewer | None = strawberry.field(
        default=None, description="The viewer of the renewed session; null when refused."
    )
    access_token: str | None = strawberry.field(default=None, description="Only with tokenDelivery: BODY")
    refresh_token: str | None = strawberry.field(
        default=None, description="Only with tokenDelivery: BODY (the old one no longer works)"
    )
    access_token_expires_at: datetime | None = strawberry.field(
        default=None, description="When the access token expires: refresh before then (`refreshSession`)."
    )
    user_errors: list[RefreshSessionError] = strawberry.field(default_factory=list, description=USER_ERRORS)


@strawberry.type(description="The result of `logout`.")
class LogoutPayload:
    ok: bool = strawberry.field(description="The session is ended (true even when there was none).")


def client_ip(request: Request | object) -> str:
    client = getattr(request, "client", None)
    return client.host if client is not None else ""


async def login(
    info: Info[Context, None], input: Annotated[LoginInput, strawberry.argument(description=INPUT)]
) -> LoginPayload:
    context = info.context
    if len(input.email) > MAX_EMAIL or len(input.password) > MAX_PASSWORD:
        return LoginPayload(
            user_errors=[
                LoginError.of(LoginErrorCode.INVALID_CREDENTIALS, "The e-mail or password is not correct.")
            ]
        )
    try:
        signed = await context.auth.login(
            input.email,
            input.password,
            user_agent=context.request.headers.get("user-agent", ""),
            ip=client_ip(context.request),
        )
    except AuthFailure as failure:
        code = known_code(failure.code, LoginErrorCode.INVALID_CREDENTIALS, source="auth")
        return LoginPayload(
            user_errors=[LoginError.of(code, failure.message)],
            retry_after_seconds=failure.retry_after_s or None,
        )
    if isinstance(signed, SecondFactorRequired):
        challenge = signed.challenge
        return LoginPayload(
            second_factor=SecondFactorChallenge(challenge=challenge.token, expires_at=challenge.expires_at)
        )
    access, refresh = deliver(context, signed, input.token_delivery is TokenDelivery.BODY, new_session=True)
    become(context, signed.viewer)
    return LoginPayload(
        viewer=Viewer(identity=signed.viewer),
        access_token=access,
        refresh_token=refresh,
        access_token_expires_at=signed.access.expires_at,
    )


# The argument's default, `{}`: the web sends no input at all.
NO_REFRESH_INPUT = RefreshSessionInput()


async def refresh_session(
    info: Info[Context, None],
    input: Annotated[RefreshSessionInput, strawberry.argument(description=INPUT)] = NO_REFRESH_INPUT,
) -> RefreshSessionPayload:
    context = info.context
    body_token = input.refresh_token or None
    token = body_token or context.request.cookies.get(REFRESH_COOKIE)
    if not token:
        return RefreshSessionPayload(
            user_errors=[
                RefreshSessionError.of(
                    RefreshSessionErrorCode.INVALID_REFRESH_TOKEN, "No refresh token was sent."
                )
            ]
        )
    try:
        signed = await context.auth.refresh(token)
    except AuthFailure as failure:
        if body_token is None and isinstance(context.response, Response):
            clear_session_cookies(context.response, context.settings)
        code = known_code(failure.code, RefreshSessionErrorCode.INVALID_REFRESH_TOKEN, source="auth")
        return RefreshSessionPayload(user_errors=[RefreshSessionError.of(code, failure.message)])
    access, refresh = deliver(context, signed, body_token is not None, new_session=False)
    become(context, signed.viewer)
    return RefreshSessionPayload(
        viewer=Viewer(identity=signed.viewer),
        access_token=access,
        refresh_token=refresh,
        access_token_expires_at=signed.access.expires_at,
    )


async def logout(info: Info[Context, None]) -> LogoutPayload:
    context = info.context
    await context.auth.logout(context.viewer, context.request.cookies.get(REFRESH_COOKIE))
    if isinstance(context.response, Response):
        clear_session_cookies(context.response, context.settings)
    # The caller holds no usable session afterwards, whether or not one was still open.
    return LogoutPayload(ok=True)


@strawberry.type
class AccountMutation:
    login: LoginPayload = strawberry.mutation(
        resolver=login, description="Check e-mail and password; start a session. Refusals: `LoginErrorCode`."
    )
    refresh_session: RefreshSessionPayload = strawberry.mutation(
        resolver=refresh_session,
        description=(
            "Rotate the refresh token (from the cookie, or from input for mobile) and issue a new access token. "
            "Refusals: `RefreshSessionErrorCode`."
        ),
    )
    logout: LogoutPayload = strawberry.mutation(resolver=logout, description="End the current session.")
