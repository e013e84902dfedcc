"""Pre-loading: a list resolver asks the loaders for every item of its page at once, ahead of their fields,
and attaches the answers; a field then resolves synchronously from what was attached, or falls back to its
loader (which still batches) when nothing was.

`MISSING` marks "not pre-loaded", as opposed to `None`, which is a backend's answer ("there is none").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from adapters.errors import ContractViolation

T = TypeVar("T")
R = TypeVar("R")


class Missing:
    """Not pre-loaded: the field falls back to its loader."""


MISSING = Missing()


def now_or_later(value: T | Missing, load: Callable[[], Awaitable[T]], convert: Callable[[T], R]) -> Any:
    """`convert(value)` right away when pre-loaded (a synchronous field), else once the loader answers."""
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
