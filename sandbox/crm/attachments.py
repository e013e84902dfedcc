"""What a ticket attachment may be, and where its bytes live.

The declared content type must be one of a short allowlist and the bytes must look like it (magic numbers,
UTF-8 for text), because the portal serves these files back to other users of the same subscriber. File
names are reduced to a safe basename; the bytes are stored under a generated name, never the client's.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from pathlib import Path

from sandbox.common.http import ApiError, invalid

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS_PER_TICKET = 10
MAX_FILENAME = 120

_MAGIC: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "application/pdf": (b"%PDF-",),
}
ALLOWED_TYPES = (*_MAGIC, "text/plain")


def too_large() -> ApiError:
    return ApiError(413, "ATTACHMENT_TOO_LARGE", f"attachments are limited to {MAX_ATTACHMENT_BYTES} bytes")


def check_content(content_type: str, data: bytes) -> None:
    if content_type not in ALLOWED_TYPES:
        raise invalid(f"attachments must be one of {', '.join(ALLOWED_TYPES)}", "ATTACHMENT_TYPE_NOT_ALLOWED")
    if not data:
        raise invalid("the attachment is empty", "ATTACHMENT_EMPTY")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise too_large()
    if content_type == "text/plain":
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = "\x00"
        looks_right = "\x00" not in text
    else:
        looks_right = data.startswith(_MAGIC[content_type])
    if not looks_right:
        raise invalid(f"the file content is not {content_type}", "ATTACHMENT_CONTENT_MISMATCH")


def safe_filename(raw: str) -> str:
    """A display name without directories, control or shell-special characters, at most 120 characters."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFKC", name)
    name = "".join(c if (c.isascii() and c.isalnum()) or c in "._-() " else "_" for c in name)
    name = re.sub(r"_{2,}", "_", name).strip(" ._")
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        name = (
            f"{stem[: MAX_FILENAME - len(ext) - 1]}.{ext}" if dot and len(ext) <= 10 else name[:MAX_FILENAME]
        )
    return name or "attachment"


def store_bytes(directory: Path, data: bytes) -> tuple[str, str]:
    """Write the bytes under a generated name; return (stored name, SHA-256 hex)."""
    stored_name = f"{uuid.uuid4().hex}.bin"
    (directory / stored_name).write_bytes(data)
    return stored_name, hashlib.sha256(data).hexdigest()
