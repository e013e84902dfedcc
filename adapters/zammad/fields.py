"""Reading fields of Zammad's JSON without trusting it: a missing or mistyped one is a ContractViolation."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from adapters.errors import ContractViolation
from adapters.zammad.client import BACKEND


def moment(value: Any, where: str) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ContractViolation(BACKEND, f"{where}: not a timestamp")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ContractViolation(BACKEND, f"{where}: not a timestamp") from None
    if parsed.tzinfo is None:
        raise ContractViolation(BACKEND, f"{where}: a timestamp without an offset")
    return parsed


def required_moment(raw: Mapping[str, Any], key: str) -> datetime:
    found = moment(raw.get(key), key)
    if found is None:
        raise ContractViolation(BACKEND, f"a ticket without {key}")
    return found


def integer(raw: Mapping[str, Any], key: str) -> int:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ContractViolation(BACKEND, f"{key} is not a whole number")
    return value


def text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str):
        raise ContractViolation(BACKEND, f"{key} is not text (was the ticket asked for with expand=true?)")
    return value
