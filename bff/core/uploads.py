"""Ticket attachments as the BFF accepts them, checked before anything reaches the CRM.

The type comes from the bytes (magic numbers; UTF-8 without control characters or markup for text), never
from the client's file name or declared content type, because other users of the same subscriber open these
files. A name whose extension claims a different type is refused too (a `.png` holding a script is a
disguise, not a PNG). Names are reduced to a safe base name. Each file is read at most one byte past its
limit, so an oversized part costs no more memory than an allowed one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bff.core.settings import UploadLimits

ALLOWED_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain")
_EXTENSIONS = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "jfif": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "pdf": "application/pdf",
    "txt": "text/plain",
    "log": "text/plain",
    "csv": "text/plain",
}
_MARKUP = re.compile(rb"^\s*<(\?xml|!doctype|html|svg|script|head|body|iframe)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
MAX_FILENAME = 120


class UploadFile(Protocol):
    """What strawberry's `Upload` hands a resolver (starlette's UploadFile)."""

    filename: str | None

    async def read(self, size: int = -1) -> bytes: ...


@dataclass(frozen=True, slots=True)
class CheckedFile:
    filename: str
    content_type: str
    data: bytes


class UploadRefused(Exception):
    """`code` is one of ATTACHMENT_TOO_LARGE, TOO_MANY_ATTACHMENTS, ATTACHMENT_TYPE_NOT_ALLOWED,
    ATTACHMENT_EMPTY; `index` the file it is about (None: the whole set)."""

    def __init__(self, code: str, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.index = index


def sniff(data: bytes) -> str | None:
    """The allowed type these bytes are, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if _CONTROL.search(text) or _MARKUP.match(data):
        return None
    return "text/plain"


def safe_filename(raw: str | None) -> str:
    """A display name without directories, control or shell-special characters, at most 120 characters."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFKC", name)
    name = "".join(c if (c.isascii() and c.isalnum()) or c in "._-() " else "_" for c in name)
    name = re.sub(r"_{2,}", "_", name).strip(" ._")
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        keep = MAX_FILENAME - len(ext) - 1
        name = f"{stem[:keep]}.{ext}" if dot and len(ext) <= 10 else name[:MAX_FILENAME]
    return name or "attachment"


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


async def check_uploads(
    files: Sequence[UploadFile], limits: UploadLimits, already_on_ticket: int = 0
) -> list[CheckedFile]:
    """Every file read (within its limit) and typed by content; raises `UploadRefused` for the first problem,
    before anything is sent anywhere."""
    if len(files) > limits.max_files_per_message:
        raise UploadRefused(
            "TOO_MANY_ATTACHMENTS", f"Attach at most {limits.max_files_per_message} files to one message."
        )
    if already_on_ticket + len(files) > limits.max_files_per_ticket:
        left = max(limits.max_files_per_ticket - already_on_ticket, 0)
        raise UploadRefused(
            "TOO_MANY_ATTACHMENTS",
            f"A ticket holds at most {limits.max_files_per_ticket} files; {left} more can be added.",
        )
    checked: list[CheckedFile] = []
    for index, upload in enumerate(files):
        data = await upload.read(limits.max_file_bytes + 1)
        name = safe_filename(upload.filename)
        if len(data) > limits.max_file_bytes:
            raise UploadRefused(
                "ATTACHMENT_TOO_LARGE", f"{name} is larger than {_megabytes(limits.max_file_bytes)}.", index
            )
        if not data:
            raise UploadRefused("ATTACHMENT_EMPTY", f"{name} is empty.", index)
        found = sniff(data)
        ext = name.rpartition(".")[2].lower() if "." in name else ""
        claimed = _EXTENSIONS.get(ext)
        if found is None or (ext and claimed != found):
            raise UploadRefused(
                "ATTACHMENT_TYPE_NOT_ALLOWED",
                f"{name} is not a picture (PNG, JPEG, GIF, WebP), a PDF or plain text"
                + (" — its content does not match its name." if found is not None else "."),
                index,
            )
        checked.append(CheckedFile(name, found, data))
    return checked
