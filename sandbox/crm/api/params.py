"""Request parsing shared by the CRM's handlers: bounded limits, flags and enums from the query string, and
optional fields of a JSON body. Each returns a typed value or raises a 422."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import QueryParams

from sandbox.common.http import invalid


def limit_param(params: QueryParams, *, default: int, maximum: int) -> int:
    raw = params.get("limit")
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid(f"`limit` must be an integer from 1 to {maximum}") from None
    if not 1 <= value <= maximum:
        raise invalid(f"`limit` must be an integer from 1 to {maximum}")
    return value


def flag_param(params: QueryParams, name: str) -> bool:
    raw = params.get(name)
    if raw is None:
        return False
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise invalid(f"`{name}` must be true or false")


def enum_params(params: QueryParams, name: str, allowed: tuple[str, ...]) -> list[str]:
    values = params.getlist(name)
    for value in values:
        if value not in allowed:
            raise invalid(f"`{name}` must be one of {', '.join(allowed)}")
    return values


def opt_str(body: dict[str, Any], key: str, max_len: int) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > max_len:
        raise invalid(f"`{key}` must be null or a non-empty string of at most {max_len} characters")
    return value


def enum(body: dict[str, Any], key: str, allowed: tuple[str, ...]) -> str:
    value = body.get(key)
    if value not in allowed:
        raise invalid(f"`{key}` must be one of {', '.join(allowed)}")
    assert isinstance(value, str)
    return value


def opt_enum(body: dict[str, Any], key: str, allowed: tuple[str, ...]) -> str | None:
    return None if body.get(key) is None else enum(body, key, allowed)


def flag(body: dict[str, Any], key: str) -> bool:
    value = body.get(key, False)
    if not isinstance(value, bool):
        raise invalid(f"`{key}` must be true or false")
    return value
