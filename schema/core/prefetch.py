"""Pre-loading: a list resolver asks the loaders for every item of its page at once, ahead of their fields,
and attaches the answers; a field then resolves synchronously from what was attached, or falls back to its
loader (which still batches) when nothing was.

`MISSING` marks "not pre-loaded", as opposed to `None`, which is a backend's answer ("there is none").
`Failed` marks "pre-loaded, and the backend failed": the list that asked still resolves, and only the fields
that need that backend answer null with a coded error at their own path (docs/errors.md, "Partial answers").
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn, TypeVar

from adapters.errors import BackendError, ContractViolation, Unavailable
from schema.core.errors import BackendUnavailable, PortalError

T = TypeVar("T")
R = TypeVar("R")

log = logging.getLogger("wispgate.graphql")


class Missing:
    """Not pre-loaded: the field falls back to its loader."""


MISSING = Missing()


class Failed:
    """Pre-loading asked a backend and it failed: every field that needs the answer raises `error` (as its own
    coded error), none asks the backend again, and the list itself resolves."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def reraise(self) -> NoReturn:
        """A fresh coded error for the field at hand. A backend failure becomes BACKEND_UNAVAILABLE directly
        (not through the masking extension, which would log it once per field: it was logged once when it
        happened); our own coded errors (a bad usage period) and anything unexpected are raised as they are."""
        error = self.error
        if isinstance(error, Unavailable | ContractViolation):
            raise BackendUnavailable(backend=error.backend)
        raise error


def failure(error: BaseException, what: str) -> Failed:
    """`error`, raised by pre-loading `what`, as a `Failed` marker; a backend failure is logged here once."""
    if isinstance(error, BackendError):
        log.warning("backend failure while pre-loading %s: %s", what, error)
    elif not isinstance(error, PortalError):
        log.error("unexpected error while pre-loading %s", what, exc_info=error)
    return Failed(error)


def now_or_later(
    value: T | Missing | Failed, load: Callable[[], Awaitable[T]], convert: Callable[[T], R]
) -> Any:
    """`convert(value)` right away when pre-loaded (a synchronous field), else once the loader answers; the
    pre-loaded failure, when that is what was attached."""
    if isinstance(value, Failed):
        value.reraise()
    if not isinstance(value, Missing):
        return convert(value)

    async def later() -> R:
        return convert(await load())

    return later()


def required(backend: str, what: str, owner_id: str) -> Callable[[T | None], T]:
    """A check that a backend answered with something where it must have (else a contract violation)."""

    def check(value: T | None) -> T:
        if value is None:
            raise ContractViolation(backend, f"no {what} for sub-service {owner_id}")
        return value

    return check
