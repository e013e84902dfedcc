"""Global IDs: `base64url("Type:raw id")`, unpadded. The one codec: the schema's `Node` IDs and the
payment wing's return addresses (which name an invoice the way the portal does) both use it."""

from __future__ import annotations

import base64
import binascii
import re

TYPE_NAME = re.compile(r"^[A-Z][A-Za-z0-9]{0,63}$")
MAX_ID_LENGTH = 512


_URL_SAFE = bytes.maketrans(b"+/", b"-_")
_CHECKED: set[str] = set()  # type names that passed `TYPE_NAME`: the schema's few, checked once each


def encode_global_id(type_name: str, raw_id: str) -> str:
    # binascii directly, not base64.urlsafe_b64encode's wrappers: a dashboard page encodes ~50 IDs.
    if type_name not in _CHECKED:
        if not TYPE_NAME.match(type_name):
            raise ValueError(f"cannot make a global ID from {type_name!r}, {raw_id!r}")
        if len(_CHECKED) < 1024:
            _CHECKED.add(type_name)
    if not raw_id:
        raise ValueError(f"cannot make a global ID from {type_name!r}, {raw_id!r}")
    encoded = binascii.b2a_base64(f"{type_name}:{raw_id}".encode(), newline=False)
    return encoded.translate(_URL_SAFE).rstrip(b"=").decode()


def decode_global_id(global_id: str) -> tuple[str, str]:
    """`(type name, raw id)`; `ValueError` for anything this codec did not issue."""
    if not isinstance(global_id, str) or not global_id or len(global_id) > MAX_ID_LENGTH:
        raise ValueError("malformed global ID")
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        text = base64.b64decode(padded, altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValueError("malformed global ID") from None
    type_name, sep, raw_id = text.partition(":")
    if not sep or not raw_id or not TYPE_NAME.match(type_name) or not raw_id.isprintable():
        raise ValueError("malformed global ID")
    return type_name, raw_id
