"""The optional TOTP second factor: enrolment (`beginTotpEnrolment` → secret, otpauth URI and QR code;
`confirmTotpEnrolment` with a first code → 10 recovery codes, shown once), `disableTotp`, and the second
step of signing in (`verifySecondFactor`, after `login` answered `secondFactor`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from bff.core.auth.credentials import Credentials
from bff.core.auth.service import AuthFailure
from schema.account.credential_errors import (
    BeginTotpEnrolmentError,
    BeginTotpEnrolmentErrorCode,
    ConfirmTotpEnrolmentError,
    ConfirmTotpEnrolmentErrorCode,
    DisableTotpError,
    DisableTotpErrorCode,
    VerifySecondFactorError,
    VerifySecondFactorErrorCode,
)
from schema.account.handover import become, deliver
from schema.account.types import TokenDelivery, Viewer
from schema.core.context import Context
from schema.core.errors import known_code
from schema.core.mutation import INPUT, USER_ERRORS
from schema.core.permission import IsAuthenticated, require

MAX_CODE = 20
MAX_RECOVERY_CODE = 40
MAX_CHALLENGE = 2000
MAX_PASSWORD = 1024


@strawberry.type(description="A second factor being set up: show the QR code, or the secret to type in.")
class TotpEnrolment:
    secret: str = strawberry.field(description="Base32, for typing into an authenticator app by hand")
    otpauth_uri: str = strawberry.field(description="otpauth://totp/…, what the QR code holds")
    qr_code_svg: str = strawberry.field(
        description="The QR code as an SVG image in a data: URI, for <img src>"
    )


@strawberry.type(
    description="The result of `beginTotpEnrolment`: what it changed, or why it was refused (`userErrors`)."
)
class BeginTotpEnrolmentPayload:
    enrolment: TotpEnrolment | None = strawberry.field(
        default=None, description="The secret to add to the authenticator app; null when refused."
    )
    user_errors: list[BeginTotpEnrolmentError] = strawberry.field(
        default_factory=list, description=USER_ERRORS
    )


async def begin_totp_enrolment(info: Info[Context, None]) -> BeginTotpEnrolmentPayload:
    viewer = info.context.require_viewer()
    try:
        enrolment = await Credentials(info.context.auth).begin_totp(viewer)
    except AuthFailure as failure:
        code = known_code(failure.code, BeginTotpEnrolmentErrorCode.ALREADY_ENABLED, source="crm")
        return BeginTotpEnrolmentPayload(user_errors=[BeginTotpEnrolmentError.of(code, failure.message)])
    return BeginTotpEnrolmentPayload(
        enrolment=TotpEnrolment(
            secret=enrolment.secret, otpauth_uri=enrolment.uri, qr_code_svg=enrolment.qr_svg
        )
    )


@strawberry.input(description="The input of `confirmTotpEnrolment`.")
class ConfirmTotpEnrolmentInput:
    code: str = strawberry.field(description="The 6 digits the authenticator app shows now")


@strawberry.type(
    description="The result of `confirmTotpEnrolment`: what it changed, or why it was refused (`userErrors`)."
)
class ConfirmTotpEnrolmentPayload:
    recovery_codes: list[str] | None = strawberry.field(
        default=None,
        description="10 single-use codes for when the phone is lost: shown this once, never again",
    )
    retry_after_seconds: int | None = strawberry.field(
        default=None, description="With RATE_LIMITED: how many seconds to wait before trying again"
    )
    user_errors: list[ConfirmTotpEnrolmentError] = strawberry.field(
        default_factory=list, description=USER_ERRORS
    )


async def confirm_totp_enrolment(
    info: Info[Context, None],
    input: Annotated[ConfirmTotpEnrolmentInput, strawberry.argument(description=INPUT)],
) -> ConfirmTotpEnrolmentPayload:
    viewer = info.context.require_viewer()
    ip, agent = info.context.client()
    try:
        codes = await Credentials(info.context.auth).confirm_totp(
            viewer, input.code[:MAX_CODE].strip() or "-", ip=ip, user_agent=agent
        )
    except AuthFailure as failure:
        code = known_code(failure.code, ConfirmTotpEnrolmentErrorCode.INVALID_CODE, source="crm")
        at = ("input", "code") if code is ConfirmTotpEnrolmentErrorCode.INVALID_CODE else ()
        return ConfirmTotpEnrolmentPayload(
            user_errors=[ConfirmTotpEnrolmentError.of(code, failure.message, *at)],
            retry_after_seconds=failure.retry_after_s or None,
        )
    return ConfirmTotpEnrolmentPayload(recovery_codes=list(codes.recovery_codes))


@strawberry.input(description="Prove it is the user: the password, or a current code from the app.")
class DisableTotpInput:
    password: str | None = strawberry.field(default=None, description="The user's password (or give `code`).")
    code: str | None = strawberry.field(
        default=None, description="A current code from the authenticator app (or give `password`)."
    )


@strawberry.type(
    description="The result of `disableTotp`: what it changed, or why it was refused (`userErrors`)."
)
class DisableTotpPayload:
    ok: bool = strawberry.field(default=False, description="The second factor is off.")
    retry_after_seconds: int | None = strawberry.field(
        default=None, description="With RATE_LIMITED: how many seconds to wait before trying again"
    )
    user_errors: list[DisableTotpError] = strawberry.field(default_factory=list, description=USER_ERRORS)


async def disable_totp(
    info: Info[Context, None], input: Annotated[DisableTotpInput, strawberry.argument(description=INPUT)]
) -> DisableTotpPayload:
    viewer = info.context.require_viewer()
    password = input.password or None
    code = (input.code or "").strip()[:MAX_CODE] or None
    if (password is None) == (code is None) or len(password or "") > MAX_PASSWORD:
        error = DisableTotpError.of(
            DisableTotpErrorCode.INVALID_CREDENTIALS, "Enter your password or a code from your app.", "input"
        )
        return DisableTotpPayload(user_errors=[error])
    ip, agent = info.context.client()
    try:
        await Credentials(info.context.auth).disable_totp(
            viewer, password=password, code=code, ip=ip, user_agent=agent
        )
    except AuthFailure as failure:
        error_code = known_code(failure.code, DisableTotpErrorCode.INVALID_CREDENTIALS, source="crm")
        return DisableTotpPayload(
            user_errors=[DisableTotpError.of(error_code, failure.message)],
            retry_after_seconds=failure.retry_after_s or None,
        )
    return DisableTotpPayload(ok=True)


@strawberry.input(description="Answer a sign-in's challenge with a code from the app or a recovery code.")
class VerifySecondFactorInput:
    challenge: str = strawberry.field(description="`login`'s `secondFactor.challenge`")
    code: str | None = strawberry.field(
        default=None, description="A current code from the authenticator app (or give `recoveryCode`)."
    )
    recovery_code: str | None = strawberry.field(
        default=None, description="One of the recovery codes, each usable once (or give `code`)."
    )
    token_delivery: TokenDelivery = strawberry.field(
        default=TokenDelivery.COOKIE,
        description="How the tokens come back: COOKIE for the web, BODY for apps.",
    )


@strawberry.type(
    description="The result of `verifySecondFactor`: what it changed, or why it was refused (`userErrors`)."
)
class VerifySecondFactorPayload:
    viewer: Viewer | None = strawberry.field(
        default=None, description="The signed-in viewer; null when refused."
    )
    access_token: str | None = strawberry.field(default=None, description="Only with tokenDelivery: BODY")
    refresh_token: str | None = strawberry.field(default=None, description="Only with tokenDelivery: BODY")
    access_token_expires_at: datetime | None = strawberry.field(
        default=None, description="When the access token expires: refresh before then (`refreshSession`)."
    )
    retry_after_seconds: int | None = strawberry.field(
        default=None, description="With RATE_LIMITED: how many seconds to wait before trying again"
    )
    user_errors: list[VerifySecondFactorError] = strawberry.field(
        default_factory=list, description=USER_ERRORS
    )


async def verify_second_factor(
    info: Info[Context, None],
    input: Annotated[VerifySecondFactorInput, strawberry.argument(description=INPUT)],
) -> VerifySecondFactorPayload:
    context = info.context
    code = (input.code or "").strip()[:MAX_CODE] or None
    recovery = (input.recovery_code or "").strip()[:MAX_RECOVERY_CODE] or None
    if (code is None) == (recovery is None):
        error = VerifySecondFactorError.of(
            VerifySecondFactorErrorCode.INVALID_CODE,
            "Enter a code from your app or a recovery code.",
            "input",
        )
        return VerifySecondFactorPayload(user_errors=[error])
    ip, agent = context.client()
    try:
        signed = await context.auth.verify_second_factor(
            input.challenge[:MAX_CHALLENGE], code=code, recovery_code=recovery, user_agent=agent, ip=ip
        )
    except AuthFailure as failure:
        error_code = known_code(failure.code, VerifySecondFactorErrorCode.INVALID_CODE, source="auth")
        return VerifySecondFactorPayload(
            user_errors=[VerifySecondFactorError.of(error_code, failure.message)],
            retry_after_seconds=failure.retry_after_s or None,
        )
    access, refresh = deliver(context, signed, input.token_delivery is TokenDelivery.BODY, new_session=True)
    become(context, signed.viewer)
    return VerifySecondFactorPayload(
        viewer=Viewer(identity=signed.viewer),
        access_token=access,
        refresh_token=refresh,
        access_token_expires_at=signed.access.expires_at,
    )


@strawberry.type
class SecondFactorMutation:
    begin_totp_enrolment: BeginTotpEnrolmentPayload = strawberry.mutation(
        resolver=begin_totp_enrolment,
        description=(
            "Start setting up a TOTP second factor: a new secret, its otpauth URI and QR code. Nothing changes "
            "for signing in until `confirmTotpEnrolment`. Refusals: `BeginTotpEnrolmentErrorCode`."
        ),
        extensions=require(IsAuthenticated()),
    )
    confirm_totp_enrolment: ConfirmTotpEnrolmentPayload = strawberry.mutation(
        resolver=confirm_totp_enrolment,
        description=(
            "Turn the second factor on with a first code from the app; answers the recovery codes, once. "
            "Refusals: `ConfirmTotpEnrolmentErrorCode`."
        ),
        extensions=require(IsAuthenticated()),
    )
    disable_totp: DisableTotpPayload = strawberry.mutation(
        resolver=disable_totp,
        description="Turn the second factor off (password or code required). Refusals: `DisableTotpErrorCode`.",
        extensions=require(IsAuthenticated()),
    )
    verify_second_factor: VerifySecondFactorPayload = strawberry.mutation(
        resolver=verify_second_factor,
        description=(
            "The second step of signing in for a user with a second factor: starts the session as `login` "
            "does. Refusals: `VerifySecondFactorErrorCode`."
        ),
    )
