"""A streaming multipart/form-data reader for attachment uploads.

Starlette's form parser spools file parts without a size limit; this one counts bytes as they arrive and
stops reading at the limit, so a client cannot make the server buffer more than one attachment's worth
whatever its Content-Length says.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from sandbox.common.http import ApiError, invalid
from sandbox.crm.service.attachments import too_large

FILE_FIELD = "file"
MAX_FIELD_BYTES = 200
MAX_PARTS = 5
# Room for part headers and boundaries on top of the file itself.
ENVELOPE_BYTES = 64 * 1024


def bad_multipart(message: str) -> ApiError:
    return ApiError(400, "INVALID_MULTIPART", message)


@dataclass
class FilePart:
    filename: str
    content_type: str
    data: bytes


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    name: str = ""
    filename: str | None = None
    data: bytearray = field(default_factory=bytearray)


class _Collector:
    def __init__(self, max_file_bytes: int) -> None:
        self.max_file_bytes = max_file_bytes
        self.part = _Part()
        self.header_name = b""
        self.header_value = b""
        self.file: FilePart | None = None
        self.fields: dict[str, str] = {}
        self.parts = 0
        self.ended = False

    def on_part_begin(self) -> None:
        self.part = _Part()
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise bad_multipart(f"at most {MAX_PARTS} parts")

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        self.part.headers[self.header_name.lower()] = self.header_value
        self.header_name = self.header_value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.part.headers.get(b"content-disposition"))
        if b"name" not in options:
            raise bad_multipart("every part needs a Content-Disposition name")
        self.part.name = options[b"name"].decode("utf-8", "replace")
        if b"filename" in options:
            self.part.filename = options[b"filename"].decode("utf-8", "replace")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        self.part.data += data[start:end]
        is_file = self.part.name == FILE_FIELD
        if is_file and len(self.part.data) > self.max_file_bytes:
            raise too_large()
        if not is_file and len(self.part.data) > MAX_FIELD_BYTES:
            raise invalid(f"form field `{self.part.name}` is too long")

    def on_part_end(self) -> None:
        if self.part.name == FILE_FIELD:
            if self.file is not None:
                raise invalid("send one file per upload", "ONE_FILE_PER_UPLOAD")
            raw_type = self.part.headers.get(b"content-type", b"application/octet-stream")
            content_type = parse_options_header(raw_type)[0].decode("latin-1").lower()
            self.file = FilePart(self.part.filename or "attachment", content_type, bytes(self.part.data))
        else:
            try:
                self.fields[self.part.name] = self.part.data.decode("utf-8")
            except UnicodeDecodeError:
                raise invalid(f"form field `{self.part.name}` is not UTF-8") from None

    def on_end(self) -> None:
        self.ended = True


async def read_upload(request: Request, *, max_file_bytes: int) -> tuple[FilePart | None, dict[str, str]]:
    """The `file` part and the other (small) fields of a multipart/form-data request."""
    content_type, params = parse_options_header(request.headers.get("content-type"))
    boundary = params.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise bad_multipart("the body must be multipart/form-data with a boundary")
    collector = _Collector(max_file_bytes)
    try:
        parser = MultipartParser(
            boundary,
            {
                "on_part_begin": collector.on_part_begin,
                "on_part_data": collector.on_part_data,
                "on_part_end": collector.on_part_end,
                "on_header_field": collector.on_header_field,
                "on_header_value": collector.on_header_value,
                "on_header_end": collector.on_header_end,
                "on_headers_finished": collector.on_headers_finished,
                "on_end": collector.on_end,
            },
        )
        received = 0
        async for chunk in request.stream():
            received += len(chunk)
            if received > max_file_bytes + ENVELOPE_BYTES:
                raise too_large()
            parser.write(chunk)
        parser.finalize()
    except ValueError as exc:  # MultipartParseError, or a boundary python-multipart cannot handle
        raise bad_multipart(f"malformed multipart body: {exc}") from None
    if not collector.ended:
        raise bad_multipart("the multipart body ended early")
    return collector.file, collector.fields
