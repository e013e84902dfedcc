"""Opaque list cursors: a kind tag plus the position of the last item returned.

The tag stops a ticket cursor from being replayed against the sub-service list.
"""

from __future__ import annotations

import base64
import binascii

from sandbox.common.http import invalid


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
