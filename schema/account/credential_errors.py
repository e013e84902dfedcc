"""Why a change to the viewer's own credentials fails: one error type and one code enum per mutation
(`changePassword`, `requestPasswordReset`, `resetPassword`, the second-factor mutations)."""

from __future__ import annotations

from enum import Enum

import strawberry

from schema.core.errors import CodedError

_RATE_LIMITED = "Too many attempts: wait `retryAfterSeconds` (the message says it in words) and try again."
_TOO_SHORT = "The new password has fewer than 10 characters."
_TOO_LONG = "The new password has more than 1,024 characters."
_IS_EMAIL = "The new password is the user's e-mail address (or the part before the @)."
_TOO_COMMON = (
    "The new password is on the list of the most common passwords, or repeats one or two characters."
)


@strawberry.enum(description="Why `changePassword` failed.")
class ChangePasswordErrorCode(Enum):
    INVALID_CREDENTIALS = strawberry.enum_value(
        "INVALID_CREDENTIALS",
        description="The current password is not correct. Also the answer to a failure this enum does not list.",
    )
    PASSWORD_UNCHANGED = strawberry.enum_value(
        "PASSWORD_UNCHANGED",
        description="The new password is the current one.",
    )
    PASSWORD_TOO_SHORT = strawberry.enum_value("PASSWORD_TOO_SHORT", description=_TOO_SHORT)
    PASSWORD_TOO_LONG = strawberry.enum_value("PASSWORD_TOO_LONG", description=_TOO_LONG)
    PASSWORD_IS_EMAIL = strawberry.enum_value("PASSWORD_IS_EMAIL", description=_IS_EMAIL)
    PASSWORD_TOO_COMMON = strawberry.enum_value("PASSWORD_TOO_COMMON", description=_TOO_COMMON)
    RATE_LIMITED = strawberry.enum_value("RATE_LIMITED", description=_RATE_LIMITED)


@strawberry.type(description="A refusal of `changePassword`.")
class ChangePasswordError(CodedError[ChangePasswordErrorCode]):
    pass


@strawberry.enum(
    description="Why `requestPasswordReset` failed (it never says whether the address is a user's)."
)
class RequestPasswordResetErrorCode(Enum):
    RATE_LIMITED = strawberry.enum_value(
        "RATE_LIMITED",
        description=(
            "Too many requests for this address or from this client. "
            + _RATE_LIMITED
            + " Also the answer to a failure this enum does not list."
        ),
    )


@strawberry.type(description="A refusal of `requestPasswordReset`.")
class RequestPasswordResetError(CodedError[RequestPasswordResetErrorCode]):
    pass


@strawberry.enum(description="Why `resetPassword` failed.")
class ResetPasswordErrorCode(Enum):
    INVALID_TOKEN = strawberry.enum_value(
        "INVALID_TOKEN",
        description=(
            "The link's token is unknown, was already used, or is older than 30 minutes (7 days for an "
            "invitation): ask for a new one. Also the answer to a failure this enum does not list."
        ),
    )
    PASSWORD_TOO_SHORT = strawberry.enum_value("PASSWORD_TOO_SHORT", description=_TOO_SHORT)
    PASSWORD_TOO_LONG = strawberry.enum_value("PASSWORD_TOO_LONG", description=_TOO_LONG)
    PASSWORD_IS_EMAIL = strawberry.enum_value("PASSWORD_IS_EMAIL", description=_IS_EMAIL)
    PASSWORD_TOO_COMMON = strawberry.enum_value("PASSWORD_TOO_COMMON", description=_TOO_COMMON)
    RATE_LIMITED = strawberry.enum_value("RATE_LIMITED", description=_RATE_LIMITED)


@strawberry.type(description="A refusal of `resetPassword`.")
class ResetPasswordError(CodedError[ResetPasswordErrorCode]):
    pass


@strawberry.enum(description="Why `beginTotpEnrolment` failed.")
class BeginTotpEnrolmentErrorCode(Enum):
    ALREADY_ENABLED = strawberry.enum_value(
        "ALREADY_ENABLED",
        description=(
            "The second factor is already on: turn it off first to enrol another device. Also the answer to a "
            "failure this enum does not list."
        ),
    )


@strawberry.type(description="A refusal of `beginTotpEnrolment`.")
class BeginTotpEnrolmentError(CodedError[BeginTotpEnrolmentErrorCode]):
    pass


@strawberry.enum(description="Why `confirmTotpEnrolment` failed.")
class ConfirmTotpEnrolmentErrorCode(Enum):
    INVALID_CODE = strawberry.enum_value(
        "INVALID_CODE",
        description=(
            "The code does not match (or was already used): check the phone's clock. Also the answer to a "
            "failure this enum does not list."
        ),
    )
    NOT_ENROLLING = strawberry.enum_value(
        "NOT_ENROLLING", description="`beginTotpEnrolment` was not called first."
    )
    ALREADY_ENABLED = strawberry.enum_value("ALREADY_ENABLED", description="The second factor is already on.")
    RATE_LIMITED = strawberry.enum_value("RATE_LIMITED", description=_RATE_LIMITED)


@strawberry.type(description="A refusal of `confirmTotpEnrolment`.")
class ConfirmTotpEnrolmentError(CodedError[ConfirmTotpEnrolmentErrorCode]):
    pass


@strawberry.enum(description="Why `disableTotp` failed.")
class DisableTotpErrorCode(Enum):
    INVALID_CREDENTIALS = strawberry.enum_value(
        "INVALID_CREDENTIALS",
        description=(
            "Neither the password nor the code is correct (or neither was sent). Also the answer to a "
            "failure this enum does not list."
        ),
    )
    NOT_ENABLED = strawberry.enum_value("NOT_ENABLED", description="The second factor is not on.")
    RATE_LIMITED = strawberry.enum_value("RATE_LIMITED", description=_RATE_LIMITED)


@strawberry.type(description="A refusal of `disableTotp`.")
class DisableTotpError(CodedError[DisableTotpErrorCode]):
    pass


@strawberry.enum(description="Why `verifySecondFactor` failed.")
class VerifySecondFactorErrorCode(Enum):
    INVALID_CODE = strawberry.enum_value(
        "INVALID_CODE",
        description=(
            "The code or recovery code is not correct, or was already used. Also the answer to a failure "
            "this enum does not list."
        ),
    )
    INVALID_CHALLENGE = strawberry.enum_value(
        "INVALID_CHALLENGE",
        description=(
            "The challenge from `login` expired (5 minutes), took too many wrong codes, was already used or "
            "is not one: sign in with the password again."
        ),
    )
    RATE_LIMITED = strawberry.enum_value(
        "RATE_LIMITED",
        description="The sign-in guard's delays apply to codes as to passwords. " + _RATE_LIMITED,
    )
    USER_DISABLED = strawberry.enum_value(
        "USER_DISABLED", description="The login was disabled by the account owner or the operator."
    )


@strawberry.type(description="A refusal of `verifySecondFactor`.")
class VerifySecondFactorError(CodedError[VerifySecondFactorErrorCode]):
    pass
