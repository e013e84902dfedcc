"""Top-level GraphQL errors, each with a stable `extensions.code` clients can branch on.

Business failures are not errors: they are `userErrors` in a mutation's payload. These are for the request
itself — not logged in, not allowed, malformed input, a backend down. Anything else is masked as INTERNAL
(see `schema.core.extensions`).
"""

from __future__ import annotations

from typing import Any

import strawberry


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


class RateLimited(PortalError):
    code = "RATE_LIMITED"
    default_message = "Too many attempts. Please wait and try again."


CODES = ("UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "BAD_USER_INPUT", "BACKEND_UNAVAILABLE", "RATE_LIMITED")


@strawberry.type(
    description="A business failure of a mutation, e.g. a wrong password or an amount too large."
)
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path to the input field at fault, e.g. ["input", "email"]; null when not about one field'
    )
    message: str
    code: str


def user_error(code: str, message: str, *field: str) -> UserError:
    return UserError(field=list(field) if field else None, message=message, code=code)
