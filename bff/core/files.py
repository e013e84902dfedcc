"""Short-lived signed links to documents (invoice PDFs, statements, receipts, CSV exports, ticket attachments) and the routes that
serve them.

A resolver that has authorized the viewer for a document mints a link; the link itself is the permission
(HMAC-SHA256 over the path, every query parameter and the expiry), so `<img>`/download links work without
cookies or headers, and a leaked link stops working after a few minutes. The bytes are streamed from the
system of record through the ports; nothing is stored here.

Weighed against `itsdangerous` (`URLSafeTimedSerializer`): it would replace the ~30 lines of `_signature`
and `verify`, but it signs an opaque payload with the time of signing and leaves the lifetime to the
verifier's `max_age`. Our links carry their own expiry (an attachment link and an invoice link may live
differently long, and an expired link answers 410 while a forged one answers 403), keep their parameters
readable in the URL (the file routes read them), and use HMAC-SHA256 over a canonical form. Kept the
small hand-written signer, with its tests in `tests/bff/test_files.py`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.errors import BackendError, NotFound, Unavailable
from adapters.ports.crm import LOCALES

if TYPE_CHECKING:
    from bff.core.backends import Backends

# `lang` is not signed: the language a document is printed in grants nothing (an unknown one is English).
RESERVED = ("exp", "sig", "lang")
# A route's fetcher: the verified link's parameters -> (bytes, content type, default filename).
FetchDocument = Callable[[dict[str, str]], Awaitable[tuple[bytes, str, str]]]
_SAFE_FILENAME = re.compile(r"[^A-Za-z0-9._ -]+")


class LinkError(Exception):
    status = 403


class LinkInvalid(LinkError):
    status = 403


class LinkExpired(LinkError):
    status = 410


@dataclass(frozen=True, slots=True)
class SignedLink:
    url: str
    filename: str
    expires_at: datetime


def invoice_path(invoice_id: str) -> str:
    return f"/files/invoices/{invoice_id}.pdf"


def statement_path(subscriber_id: str) -> str:
    return f"/files/statements/{subscriber_id}.pdf"


def receipt_path(payment_id: str) -> str:
    return f"/files/receipts/{payment_id}.pdf"


def export_path(kind: str, subscriber_id: str) -> str:
    """A CSV export (`kind`: "invoices" or "wallet"); the period is in the signed parameters."""
    return f"/files/exports/{kind}/{subscriber_id}.csv"


def attachment_path(attachment_id: str) -> str:
    return f"/files/attachments/{attachment_id}"


def safe_filename(name: str, fallback: str = "document") -> str:
    """A filename without paths or characters that could break a header."""
    cleaned = _SAFE_FILENAME.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    return cleaned[:120] or fallback


class FileLinks:
    """Mints and checks signed links. `public_url` ("" for links relative to the portal) prefixes every URL."""

    def __init__(self, key: str, ttl: timedelta, public_url: str = "") -> None:
        if len(key.encode()) < 32:
            raise ValueError("the file-link signing key must be at least 32 bytes")
        self._key = key.encode()
        self.ttl = ttl
        self.public_url = public_url.rstrip("/")

    def _signature(self, path: str, params: Mapping[str, str], exp: int) -> str:
        canonical = urlencode(sorted((k, v) for k, v in params.items() if k not in RESERVED))
        message = f"{path}\n{canonical}\n{exp}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def sign_path(
        self,
        path: str,
        ttl: timedelta | None = None,
        params: Mapping[str, str] | None = None,
        *,
        now: float | None = None,
    ) -> str:
        """`path?<params>&exp=<unix time>&sig=<hex>` (prefixed with the public URL when configured)."""
        clean = {k: v for k, v in (params or {}).items() if k not in RESERVED}
        exp = int((time.time() if now is None else now) + (ttl or self.ttl).total_seconds())
        sig = self._signature(path, clean, exp)
        query = urlencode([*sorted(clean.items()), ("exp", str(exp)), ("sig", sig)])
        return f"{self.public_url}{quote(path)}?{query}"

    def verify(self, path: str, query: Mapping[str, str], *, now: float | None = None) -> dict[str, str]:
        """The link's parameters (without `exp`/`sig`); raises `LinkInvalid` (403) or `LinkExpired` (410).
        The signature is checked first, so a tampered expiry is refused rather than reported as expired."""
        sig = query.get("sig", "")
        raw_exp = query.get("exp", "")
        if not sig or not raw_exp.isdigit() or len(raw_exp) > 12:
            raise LinkInvalid("missing or malformed signature")
        params = {k: v for k, v in query.items() if k not in RESERVED}
        expected = self._signature(path, params, int(raw_exp))
        if not hmac.compare_digest(expected, sig):
            raise LinkInvalid("bad signature")
        if int(raw_exp) <= (time.time() if now is None else now):
            raise LinkExpired("the link has expired")
        return params

    def _link(self, path: str, filename: str, params: Mapping[str, str] | None = None) -> SignedLink:
        now = time.time()
        url = self.sign_path(path, params={**(params or {}), "name": filename}, now=now)
        expires = datetime.fromtimestamp(int(now + self.ttl.total_seconds()), UTC)
        return SignedLink(url, filename, expires)

    def invoice_pdf_url(self, invoice_id: str, number: str | None = None) -> SignedLink:
        return self._link(invoice_path(invoice_id), safe_filename(f"{number or invoice_id}.pdf"))

    def statement_url(
        self, subscriber_id: str, site_subservice_ids: Sequence[str] | None = None, account_number: str = ""
    ) -> SignedLink:
        """A consolidated statement; pass `site_subservice_ids` for a SITE user, whose statement must cover
        only their sub-services (the list is part of the signature)."""
        params = {"sites": ",".join(site_subservice_ids)} if site_subservice_ids is not None else {}
        filename = safe_filename(f"statement-{account_number or subscriber_id}.pdf")
        return self._link(statement_path(subscriber_id), filename, params)

    def statement_period_url(
        self,
        subscriber_id: str,
        start: date,
        end: date,
        site_subservice_ids: Sequence[str] | None = None,
        account_number: str = "",
    ) -> SignedLink:
        """A statement whose activity covers [start, end] (the period is signed like the sites)."""
        params = {"from": start.isoformat(), "to": end.isoformat()}
        if site_subservice_ids is not None:
            params["sites"] = ",".join(site_subservice_ids)
        filename = safe_filename(f"statement-{account_number or subscriber_id}-{start}-{end}.pdf")
        return self._link(statement_path(subscriber_id), filename, params)

    def receipt_url(self, payment_id: str, receipt_number: str) -> SignedLink:
        return self._link(
            receipt_path(payment_id), safe_filename(f"receipt-{receipt_number or payment_id}.pdf")
        )

    def export_url(self, kind: str, subscriber_id: str, start: date, end: date) -> SignedLink:
        filename = safe_filename(f"{kind}-{start}-{end}.csv")
        params = {"from": start.isoformat(), "to": end.isoformat()}
        return self._link(export_path(kind, subscriber_id), filename, params)

    def attachment_url(self, attachment_id: str, filename: str) -> SignedLink:
        return self._link(attachment_path(attachment_id), safe_filename(filename, "attachment"))


# ----------------------------------------------------------------------------------------------- routes


def error_response(status: int, code: str, message: str) -> Response:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def _language(request: Request) -> str | None:
    """The document's language from the link's `?lang=` (the portal adds the language on screen)."""
    lang = request.query_params.get("lang", "")
    return lang if lang in LOCALES else None


def _document(data: bytes, content_type: str, filename: str) -> Response:
    name = safe_filename(filename)
    return Response(
        data,
        media_type=content_type,
        headers={
            "Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}",
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def file_routes(resources: Callable[[], tuple[FileLinks, Backends]]) -> list[BaseRoute]:
    """`/files/...`: verify the link, then stream the document from its system of record. `resources`
    gives the signer and the backends of the running app (they exist once its lifespan has started)."""

    async def serve(request: Request, path: str, fetch: FetchDocument) -> Response:
        links, _ = resources()
        try:
            params = links.verify(path, dict(request.query_params))
        except LinkError as exc:
            code = "LINK_EXPIRED" if isinstance(exc, LinkExpired) else "LINK_INVALID"
            return error_response(exc.status, code, str(exc))
        try:
            data, content_type, default_name = await fetch(params)
        except NotFound:
            return error_response(404, "NOT_FOUND", "no such document")
        except Unavailable:
            return error_response(503, "BACKEND_UNAVAILABLE", "the document is temporarily unavailable")
        except BackendError:
            return error_response(502, "BACKEND_ERROR", "the document could not be retrieved")
        return _document(data, content_type, params.get("name") or default_name)

    async def invoice(request: Request) -> Response:
        invoice_id = request.path_params["invoice_id"]

        async def fetch(_params: dict[str, str]) -> tuple[bytes, str, str]:
            data = await resources()[1].billing.invoice_pdf(invoice_id, _language(request))
            return data, "application/pdf", f"{invoice_id}.pdf"

        return await serve(request, invoice_path(invoice_id), fetch)

    async def statement(request: Request) -> Response:
        subscriber_id = request.path_params["subscriber_id"]

        async def fetch(params: dict[str, str]) -> tuple[bytes, str, str]:
            sites = params.get("sites")
            ids = [s for s in sites.split(",") if s] if sites is not None else None
            start, end = signed_period(params)
            data = await resources()[1].billing.statement_pdf(
                subscriber_id, ids, start, end, _language(request)
            )
            return data, "application/pdf", f"statement-{subscriber_id}.pdf"

        return await serve(request, statement_path(subscriber_id), fetch)

    async def receipt(request: Request) -> Response:
        payment_id = request.path_params["payment_id"]

        async def fetch(_params: dict[str, str]) -> tuple[bytes, str, str]:
            data = await resources()[1].billing.receipt_pdf(payment_id)
            return data, "application/pdf", f"receipt-{payment_id}.pdf"

        return await serve(request, receipt_path(payment_id), fetch)

    async def attachment(request: Request) -> Response:
        attachment_id = request.path_params["attachment_id"]

        async def fetch(_params: dict[str, str]) -> tuple[bytes, str, str]:
            meta, data = await resources()[1].tickets.attachment(attachment_id)
            return data, meta.content_type, meta.filename

        return await serve(request, attachment_path(attachment_id), fetch)

    return [
        Route("/files/invoices/{invoice_id}.pdf", invoice, methods=["GET"]),
        Route("/files/statements/{subscriber_id}.pdf", statement, methods=["GET"]),
        Route("/files/receipts/{payment_id}.pdf", receipt, methods=["GET"]),
        Route("/files/attachments/{attachment_id}", attachment, methods=["GET"]),
    ]


def signed_period(params: Mapping[str, str]) -> tuple[date | None, date | None]:
    """The period a verified link carries (absent on links minted before periods existed)."""
    start, end = params.get("from"), params.get("to")
    return (
        date.fromisoformat(start) if start else None,
        date.fromisoformat(end) if end else None,
    )
