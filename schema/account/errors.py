"""Why signing in fails: one error type and one code enum each for `login` and `refreshSession`. (`logout`
cannot fail: it answers `ok` whether or not a session was still open.)"""

from __future__ import annotations

from enum import Enum

import strawberry

from schema.core.errors import CodedError

_DISABLED = "The login was disabled by the account owner or the operator."


@strawberry.enum(description="Why `login` failed.")
class LoginErrorCode(Enum):
    INVALID_CREDENTIALS = strawberry.enum_value(
        "INVALID_CREDENTIALS",
        description=(
            "The e-mail or password is not correct (an unknown e-mail answers the same). Also the answer to a "
            "failure this enum does not list."
        ),
    )
    USER_DISABLED = strawberry.enum_value("USER_DISABLED", description=_DISABLED)
    RATE_LIMITED = strawberry.enum_value(
        "RATE_LIMITED",
        description=(
            "Too many failed sign-ins for this account, from this address, or across the portal: wait "
            "`retryAfterSeconds` (the message says it in words). Delays grow with each failure and are "
            "capped; a correct password is accepted once the wait is over."
        ),
    )


@strawberry.type(description="A refusal of `login`.")
class LoginError(CodedError[LoginErrorCode]):
    pass


@strawberry.enum(description="Why `refreshSession` failed.")
class RefreshSessionErrorCode(Enum):
    INVALID_REFRESH_TOKEN = strawberry.enum_value(
        "INVALID_REFRESH_TOKEN",
        description=(
            "No refresh token was sent, or it is unknown, expired or was already used (a reuse also ends the "
            "session): log in again. Also the answer to a failure this enum does not list."
        ),
    )
    USER_DISABLED = strawberry.enum_value("USER_DISABLED", description=_DISABLED)


@strawberry.type(description="A refusal of `refreshSession`.")
class RefreshSessionError(CodedError[RefreshSessionErrorCode]):
    pass


@strawberry.enum(description="Why `revokeSession` failed.")
class RevokeSessionErrorCode(Enum):
    NOT_FOUND = strawberry.enum_value(
        "NOT_FOUND",
        description=(
            "No session of the viewer has this ID: it has ended already, or it is not theirs (the two look "
            "the same). Also the answer to a failure this enum does not list."
        ),
    )


@strawberry.type(description="A refusal of `revokeSession`.")
class RevokeSessionError(CodedError[RevokeSessionErrorCode]):
    pass
