"""Top-level GraphQL errors, each with a stable `extensions.code` clients can branch on.

Business failures are not errors: they are `userErrors` in a mutation's payload. These are for the request
itself — not logged in, not allowed, malformed input, a backend down. Anything else is masked as INTERNAL
(see `schema.core.extensions`).

The `userErrors` side lives here too: the `UserError` interface, and `CodedError`, the base of each
mutation's own error type with a code enum of its own (`schema/<domain>/errors.py`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import Enum
from typing import Any, Generic, Protocol, Self, TypeVar

import strawberry

log = logging.getLogger("wispgate.graphql")


class PortalError(Exception):
    """An error whose message and code are safe to show to the client."""

    code = "INTERNAL"
    default_message = "Unexpected error."

    def __init__(self, message: str | None = None, **extra: Any) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)
        # graphql-core copies an original error's `extensions` into the GraphQL error it reports.
        self.extensions: dict[str, Any] = {"code": self.code, **extra}


class Unauthenticated(PortalError):
    code = "UNAUTHENTICATED"
    default_message = "You need to log in."


class Forbidden(PortalError):
    code = "FORBIDDEN"
    default_message = "You are not allowed to do this."


class NotFoundError(PortalError):
    code = "NOT_FOUND"
    default_message = "Not found."


class BadUserInput(PortalError):
    code = "BAD_USER_INPUT"
    default_message = "The input is not valid."


class BackendUnavailable(PortalError):
    code = "BACKEND_UNAVAILABLE"
    default_message = "A system the portal depends on is temporarily unavailable. Please try again shortly."


class SessionStoreUnavailable(PortalError):
    """The session store (Redis) cannot be reached: nothing that needs a session can be decided now. Over
    HTTP an operation that failed only for this is answered 503 (`bff.server.graphql`)."""

    code = "SESSION_STORE_UNAVAILABLE"
    default_message = "The portal cannot check your session right now. Try again shortly."


class RateLimited(PortalError):
    code = "RATE_LIMITED"
    default_message = "Too many attempts. Please wait and try again."


CODES = (
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "NOT_FOUND",
    "BAD_USER_INPUT",
    "BACKEND_UNAVAILABLE",
    "SESSION_STORE_UNAVAILABLE",
    "RATE_LIMITED",
)


@strawberry.interface(
    description=(
        "A business failure of a mutation, e.g. a wrong password or an amount too large. Each mutation has "
        "its own error type implementing this, with a `code` from an enum of its own (`PayInvoiceErrorCode`, "
        "…) that lists every reason that mutation can fail."
    )
)
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path to the input field at fault, e.g. ["input", "email"]; null when not about one field'
    )
    message: str = strawberry.field(description="A sentence for the subscriber")


CodeT = TypeVar("CodeT", bound=Enum)
ErrorT = TypeVar("ErrorT")
CodeT_contra = TypeVar("CodeT_contra", bound=Enum, contravariant=True)
ErrorT_co = TypeVar("ErrorT_co", covariant=True)


@strawberry.type
class CodedError(UserError, Generic[CodeT]):
    """The base of each mutation's error type: `class PayInvoiceError(CodedError[PayInvoiceErrorCode])`.

    `PayInvoiceError.of(code, message, *field)` accepts only members of its own enum, so a resolver cannot
    answer a code its mutation does not declare: mypy refuses `PayInvoiceError.of(TopUpWalletErrorCode.…)`.
    Codes that arrive as strings (a backend's refusal, `AuthFailure`, `PaymentError`) go through
    `known_code` first.
    """

    code: CodeT = strawberry.field(description="Why it failed; each member of the enum says when it happens")

    @classmethod
    def of(cls, code: CodeT, message: str, *field: str) -> Self:
        return cls(field=list(field) if field else None, message=message, code=code)


class ErrorFactory(Protocol[CodeT_contra, ErrorT_co]):
    """`SomeError.of`, handed to shared helpers (`schema.core.mutation`) that build a mutation's error for it:
    the helper's `code` argument must then be a member of that error's enum."""

    def __call__(self, code: CodeT_contra, message: str, /, *field: str) -> ErrorT_co: ...


def known_code(code: str, otherwise: CodeT, *, source: str) -> CodeT:
    """`code` as a member of `otherwise`'s enum, or `otherwise` (the enum's generic member, e.g. REFUSED)
    when the enum does not list it. The client then still gets a coded answer and the message; the log tells
    the operator that a code needs a member of its own."""
    member = type(otherwise).__members__.get(code)
    if member is None:
        log.warning(
            "%s answered code %r, which %s does not list: sent as %s",
            source,
            code,
            type(otherwise).__name__,
            otherwise.name,
        )
        return otherwise
    return member


# Descriptions of fields fed by one backend, which are null (with a BACKEND_UNAVAILABLE error at their path)
# when that backend is unavailable: the schema says which fields can fail this way.
def backend_down(backend: str) -> Callable[[str], str]:
    def describe(text: str) -> str:
        end = "" if text.endswith((".", "?")) else "."
        return f"{text}{end} Null when {backend} is unavailable."

    return describe


billing_down = backend_down("Billing")
crm_down = backend_down("the CRM")
aaa_down = backend_down("AAA")
oss_down = backend_down("OSS")
