"""CSV exports of invoices and wallet history over a bounded period, behind signed links (`bff.core.files`).

The CSV follows RFC 4180: comma-separated, CRLF line ends, fields quoted when they hold a comma, a quote or
a line break (quotes doubled), one header row. It starts with a UTF-8 byte-order mark so that spreadsheet
programs (Excel above all) read it as UTF-8 instead of the system's code page; `csv` readers open it with
`utf-8-sig`. Amounts are plain decimal strings in the currency's own decimals ("29.99", "-5.00", "5000"),
with the currency in its own column, never formatted ("$1,234.50") or floats.

Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` (and tab or carriage return) as a formula
("CSV injection": `=cmd|' /C calc'!A0`). Every text cell that starts with one is prefixed with a single quote
so it is shown as text; amounts are written by us from Decimals and never pass through that guard, so a
negative amount stays a number.

Bounded: a period of at most `MAX_EXPORT_DAYS` and at most `MAX_EXPORT_ROWS` rows (413 EXPORT_TOO_LARGE when a
period holds more: ask for a shorter one). The rows are gathered first — so that a backend failure is a clear
5xx answer, never a truncated file — then streamed out in chunks.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from adapters.errors import BackendError, NotFound, Unavailable
from adapters.ports.billing import Invoice, WalletTransaction
from bff.core.files import LinkError, LinkExpired, error_response, export_path, safe_filename, signed_period

if TYPE_CHECKING:
    from bff.core.backends import Backends
    from bff.core.files import FileLinks

MAX_EXPORT_DAYS = 366
MAX_EXPORT_ROWS = 10_000
WALLET_PAGE = 100  # Billing's largest page of wallet transactions
EXPORT_KINDS = ("invoices", "wallet")
BOM = "\ufeff"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CHUNK_ROWS = 500

INVOICE_COLUMNS = (
    "invoice_number",
    "status",
    "issued_on",
    "due_on",
    "period_start",
    "period_end",
    "sub_service",
    "total",
    "amount_paid",
    "balance",
    "currency",
)
WALLET_COLUMNS = ("date", "kind", "description", "reference", "invoice", "amount", "currency")

Cell = str | Decimal | date | None


class ExportTooLarge(Exception):
    pass


class PeriodInvalid(ValueError):
    pass


def check_period(start: date, end: date) -> None:
    """Raises `PeriodInvalid` with a message for the user when the period cannot be exported."""
    if start > end:
        raise PeriodInvalid("`from` must not be after `to`.")
    if (end - start).days + 1 > MAX_EXPORT_DAYS:
        raise PeriodInvalid(f"A period covers at most {MAX_EXPORT_DAYS} days.")


def text_cell(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"  # never exponent notation
    if isinstance(value, date):
        return value.isoformat()
    return text_cell(value)


def encode_rows(rows: Iterable[Sequence[Cell]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([_cell(c) for c in row] for row in rows)
    return buffer.getvalue()


def invoice_rows(invoices: Iterable[Invoice], start: date, end: date) -> list[tuple[Cell, ...]]:
    """Invoices issued within [start, end], oldest first."""
    chosen = sorted(
        (i for i in invoices if start <= i.issued_on <= end), key=lambda i: (i.issued_on, i.number)
    )
    if len(chosen) > MAX_EXPORT_ROWS:
        raise ExportTooLarge()
    return [
        (
            i.number,
            i.status,
            i.issued_on,
            i.due_on,
            i.period_start,
            i.period_end,
            i.subservice_id,
            i.total.amount,
            i.amount_paid.amount,
            i.balance.amount,
            i.total.currency,
        )
        for i in chosen
    ]


def wallet_rows(entries: Iterable[WalletTransaction]) -> list[tuple[Cell, ...]]:
    return [
        (
            e.created_at.isoformat(),
            e.kind,
            e.description,
            e.reference,
            e.invoice_id,
            e.amount.amount,
            e.amount.currency,
        )
        for e in entries
    ]


async def wallet_entries(
    backends: Backends, subscriber_id: str, start: date, end: date
) -> list[WalletTransaction]:
    """The wallet's entries created within [start, end], oldest first: pages newest first until older."""
    found: list[WalletTransaction] = []
    before: str | None = None
    for _ in range(MAX_EXPORT_ROWS // WALLET_PAGE + 2):
        page = await backends.billing.wallet_transactions(subscriber_id, limit=WALLET_PAGE, before=before)
        for entry in page.items:
            day = entry.created_at.date()
            if start <= day <= end:
                found.append(entry)
        if len(found) > MAX_EXPORT_ROWS:
            raise ExportTooLarge()
        if page.next_cursor is None or not page.items or page.items[-1].created_at.date() < start:
            found.reverse()
            return found
        before = page.next_cursor
    raise ExportTooLarge()


async def _stream(header: Sequence[str], rows: list[tuple[Cell, ...]]) -> AsyncIterator[bytes]:
    yield (BOM + encode_rows([tuple(header)])).encode()
    for at in range(0, len(rows), _CHUNK_ROWS):
        yield encode_rows(rows[at : at + _CHUNK_ROWS]).encode()


def export_routes(resources: Callable[[], tuple[FileLinks, Backends]]) -> list[BaseRoute]:
    """`/files/exports/{invoices|wallet}/{subscriber}.csv`: verify the link, gather the rows, stream them."""

    async def export(request: Request) -> Response:
        kind, subscriber_id = request.path_params["kind"], request.path_params["subscriber_id"]
        links, backends = resources()
        if kind not in EXPORT_KINDS:
            return error_response(404, "NOT_FOUND", "no such export")
        try:
            params = links.verify(export_path(kind, subscriber_id), dict(request.query_params))
        except LinkError as exc:
            code = "LINK_EXPIRED" if isinstance(exc, LinkExpired) else "LINK_INVALID"
            return error_response(exc.status, code, str(exc))
        start, end = signed_period(params)
        if start is None or end is None:
            return error_response(403, "LINK_INVALID", "the link names no period")
        header: Sequence[str]
        try:
            if kind == "invoices":
                found = await backends.billing.invoices_for_subscribers([subscriber_id])
                header, rows = INVOICE_COLUMNS, invoice_rows(found.get(subscriber_id, []), start, end)
            else:
                entries = await wallet_entries(backends, subscriber_id, start, end)
                header, rows = WALLET_COLUMNS, wallet_rows(entries)
        except ExportTooLarge:
            message = f"the period holds more than {MAX_EXPORT_ROWS} rows: export a shorter one"
            return error_response(413, "EXPORT_TOO_LARGE", message)
        except NotFound:
            return error_response(404, "NOT_FOUND", "no such account")
        except Unavailable:
            return error_response(503, "BACKEND_UNAVAILABLE", "the export is temporarily unavailable")
        except BackendError:
            return error_response(502, "BACKEND_ERROR", "the export could not be produced")
        name = safe_filename(params.get("name") or f"{kind}.csv")
        return StreamingResponse(
            _stream(header, rows),
            media_type="text/csv; charset=utf-8; header=present",
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "private, no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    return [Route("/files/exports/{kind}/{subscriber_id}.csv", export, methods=["GET"])]
