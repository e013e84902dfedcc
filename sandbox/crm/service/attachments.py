"""Ticket attachments: what one may be, where its bytes live, and adding one to a ticket.

The declared content type must be one of a short allowlist and the bytes must look like it (magic numbers,
UTF-8 for text), because the portal serves these files back to other users of the same subscriber. File
names are reduced to a safe basename; the bytes are stored under a generated name, never the client's.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sandbox.common import clock
from sandbox.common.db import Database, placeholders
from sandbox.common.http import ApiError, invalid, not_found
from sandbox.crm.config import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_PER_TICKET, MAX_FILENAME
from sandbox.crm.service.tickets import Tickets
from sandbox.crm.store import attachment_wire, next_seq

_MAGIC: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "application/pdf": (b"%PDF-",),
    "image/webp": (b"RIFF",),  # and "WEBP" at offset 8, checked below
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
        if content_type == "image/webp":
            looks_right = looks_right and data[8:12] == b"WEBP"
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


class Attachments:
    """Files on tickets. Adding one counts as a change to the ticket (`ticket.updated`), like a reply."""

    def __init__(self, db: Database, tickets: Tickets, directory: Path) -> None:
        self.db = db
        self.tickets = tickets
        self.directory = directory

    def add(
        self, ticket_id: str, filename: str, content_type: str, data: bytes, message_id: str | None = None
    ) -> dict[str, Any]:
        row = self.tickets.row(ticket_id)
        check_content(content_type, data)
        if message_id is not None:
            owner = self.db.scalar("SELECT ticket_id FROM ticket_messages WHERE id = ?", (message_id,))
            if owner != ticket_id:
                raise invalid("the message is not part of this ticket", "MESSAGE_MISMATCH")
        stored_name, digest = store_bytes(self.directory, data)
        try:
            with self.db.transaction():
                self.tickets.refuse_closed(ticket_id)
                attachment_id = self._insert(
                    row, message_id, filename, content_type, data, stored_name, digest
                )
                author = (
                    self.db.one(
                        "SELECT author_kind, author_name FROM ticket_messages WHERE id = ?", (message_id,)
                    )
                    if message_id
                    else None
                )
                self.tickets.history.record(
                    ticket_id,
                    "ATTACHMENT_ADDED",
                    author["author_kind"] if author else "SYSTEM",
                    author["author_name"] if author else "WISPGate",
                    detail=safe_filename(filename),
                )
                self.tickets.apply_status(row, row["status"], change="attachment")
        except BaseException:
            (self.directory / stored_name).unlink(missing_ok=True)
            raise
        return self.by_ids([attachment_id])[0]

    def _insert(
        self,
        ticket: Any,
        message_id: str | None,
        filename: str,
        content_type: str,
        data: bytes,
        stored_name: str,
        digest: str,
    ) -> str:
        count = int(self.db.scalar("SELECT COUNT(*) FROM attachments WHERE ticket_id = ?", (ticket["id"],)))
        if count >= MAX_ATTACHMENTS_PER_TICKET:
            raise invalid(
                f"a ticket holds at most {MAX_ATTACHMENTS_PER_TICKET} attachments", "TOO_MANY_ATTACHMENTS"
            )
        seq = next_seq(self.db, "attachments")
        attachment_id = f"ATT-{seq}"
        self.db.execute(
            "INSERT INTO attachments (id, seq, ticket_id, message_id, filename, content_type, size_bytes,"
            " sha256, stored_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                attachment_id,
                seq,
                ticket["id"],
                message_id,
                safe_filename(filename),
                content_type,
                len(data),
                digest,
                stored_name,
                clock.iso(clock.now()),
            ),
        )
        return attachment_id

    def by_ids(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        rows = {
            r["id"]: r
            for r in self.db.all(f"SELECT * FROM attachments WHERE id IN ({placeholders(ids)})", ids)
        }
        return [attachment_wire(rows[i]) for i in ids if i in rows]

    def file(self, attachment_id: str) -> tuple[dict[str, Any], Path]:
        row = self.db.one("SELECT * FROM attachments WHERE id = ?", (attachment_id,))
        if row is None:
            raise not_found("attachment")
        return attachment_wire(row), self.directory / row["stored_name"]
