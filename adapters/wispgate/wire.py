"""Reading the core's JSON into typed values without ever crashing on a bad body.

`Fields` wraps one JSON object; each accessor either returns a typed value or raises ContractViolation
naming the backend and the field, so a malformed response becomes an adapter error, not a KeyError.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from adapters.errors import ContractViolation

T = TypeVar("T")


class Fields:
    def __init__(self, backend: str, raw: object, where: str = "body") -> None:
        if not isinstance(raw, dict):
            raise ContractViolation(backend, f"{where} is not an object")
        self.backend = backend
        self.raw: dict[str, Any] = raw
        self.where = where

    def _fail(self, key: str, expected: str) -> ContractViolation:
        return ContractViolation(self.backend, f"{self.where}.{key}: expected {expected}")

    def _get(self, key: str, optional: bool) -> Any:
        if key not in self.raw or self.raw[key] is None:
            if optional:
                return None
            raise self._fail(key, "a value")
        return self.raw[key]

    def text(self, key: str) -> str:
        value = self._get(key, False)
        if not isinstance(value, str):
            raise self._fail(key, "a string")
        return value

    def opt_text(self, key: str) -> str | None:
        value = self._get(key, True)
        if value is not None and not isinstance(value, str):
            raise self._fail(key, "a string")
        return value

    def integer(self, key: str) -> int:
        value = self._get(key, False)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(key, "an integer")
        return value

    def opt_integer(self, key: str) -> int | None:
        return None if self._get(key, True) is None else self.integer(key)

    def number(self, key: str) -> float:
        value = self._get(key, False)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self._fail(key, "a number")
        return float(value)

    def opt_number(self, key: str) -> float | None:
        return None if self._get(key, True) is None else self.number(key)

    def flag(self, key: str) -> bool:
        value = self._get(key, False)
        if not isinstance(value, bool):
            raise self._fail(key, "a boolean")
        return value

    def decimal(self, key: str) -> Decimal:
        value = self._get(key, False)
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise self._fail(key, "a decimal string")
        try:
            parsed = Decimal(str(value))
        except InvalidOperation:
            raise self._fail(key, "a decimal string") from None
        if not parsed.is_finite():
            raise self._fail(key, "a finite decimal")
        return parsed

    def moment(self, key: str) -> datetime:
        value = self.text(key)
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise self._fail(key, "an ISO 8601 datetime") from None
        if parsed.tzinfo is None:
            raise self._fail(key, "a datetime with a UTC offset")
        return parsed.astimezone(UTC)

    def opt_moment(self, key: str) -> datetime | None:
        return None if self._get(key, True) is None else self.moment(key)

    def day(self, key: str) -> date:
        value = self.text(key)
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise self._fail(key, "an ISO 8601 date") from None

    def opt_day(self, key: str) -> date | None:
        return None if self._get(key, True) is None else self.day(key)

    def enum(self, key: str, allowed: frozenset[str] | tuple[str, ...]) -> str:
        value = self.text(key)
        if value not in allowed:
            raise self._fail(key, f"one of {sorted(allowed)}")
        return value

    def opt_enum(self, key: str, allowed: frozenset[str] | tuple[str, ...]) -> str | None:
        return None if self._get(key, True) is None else self.enum(key, allowed)

    def obj(self, key: str) -> Fields:
        return Fields(self.backend, self._get(key, False), f"{self.where}.{key}")

    def opt_obj(self, key: str) -> Fields | None:
        return None if self._get(key, True) is None else self.obj(key)

    def objects(self, key: str, parse: Callable[[Fields], T]) -> list[T]:
        value = self._get(key, False)
        if not isinstance(value, list):
            raise self._fail(key, "a list")
        return [parse(Fields(self.backend, item, f"{self.where}.{key}[{i}]")) for i, item in enumerate(value)]

    def texts(self, key: str) -> list[str]:
        value = self._get(key, False)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._fail(key, "a list of strings")
        return list(value)
