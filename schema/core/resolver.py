"""`typed_field`: `strawberry.field(...)` as a decorator that strict mypy accepts.

Called with options, `strawberry.field` returns `Any` (its decorator overload is untyped), which
`disallow_untyped_decorators` rejects. This keeps the decorated method's own signature for the type checker;
at runtime it is exactly `strawberry.field(**options)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import strawberry

F = TypeVar("F", bound=Callable[..., Any])


def typed_field(**options: Any) -> Callable[[F], F]:
    return cast("Callable[[F], F]", strawberry.field(**options))
