"""Query-string parsing shared by the CRM list endpoints: bounded limits, opaque cursors, flags."""

from __future__ import annotations

import base64
import binascii

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


# Cursors are opaque to clients: a kind tag plus the position of the last item returned. The tag stops a
# ticket cursor from being replayed against the sub-service list.
def encode_cursor(kind: str, position: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{position}".encode()).decode().rstrip("=")


def decode_cursor(kind: str, raw: str | None) -> int | None:
    if raw is None:
        return None
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        tag, _, number = text.partition(":")
        if tag != kind or not number.isdigit() or len(number) > 12:
            raise ValueError(text)
        return int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise invalid("`after` is not a cursor this list produced", "INVALID_CURSOR") from None
