"""Signed document links: minted by the BFF, checked on every download, streamed from the backends."""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest

from adapters.wispgate.client import BackendConfig, CoreClient, make_http_client
from adapters.wispgate.crm import HttpCrm
from bff.core.files import FileLinks, LinkExpired, LinkInvalid, safe_filename
from bff.core.settings import Settings
from sandbox.app import Sandbox
from tests.harness.portal import Portal
from tests.harness.transport import DispatchTransport

KEY = "k" * 32
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)


def split(url: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(url)
    return parts.path, dict(parse_qsl(parts.query))


def test_sign_and_verify() -> None:
    links = FileLinks(KEY, timedelta(minutes=5))
    url = links.sign_path("/files/invoices/INV-1.pdf", params={"name": "INV-1.pdf"})
    path, query = split(url)
    assert path == "/files/invoices/INV-1.pdf"
    assert links.verify(path, query) == {"name": "INV-1.pdf"}
    assert 295 <= int(query["exp"]) - time.time() <= 300


def test_every_part_is_covered_by_the_signature() -> None:
    links = FileLinks(KEY, timedelta(minutes=5))
    path, query = split(links.sign_path("/files/statements/SUB-1.pdf", params={"sites": "a,b"}))
    for tampered_path, tampered in [
        ("/files/statements/SUB-2.pdf", query),
        (path, {**query, "sites": "a,b,c"}),
        (path, {**query, "exp": str(int(query["exp"]) + 3600)}),
        (path, {**query, "extra": "1"}),
        (path, {k: v for k, v in query.items() if k != "sites"}),
        (path, {**query, "sig": "0" * 64}),
        (path, {k: v for k, v in query.items() if k != "sig"}),
    ]:
        with pytest.raises(LinkInvalid):
            links.verify(tampered_path, tampered)
    with pytest.raises(LinkInvalid):
        FileLinks("x" * 32, timedelta(minutes=5)).verify(path, query)


def test_expired_link() -> None:
    links = FileLinks(KEY, timedelta(minutes=5))
    path, query = split(links.sign_path("/files/attachments/A-1", now=time.time() - 301))
    with pytest.raises(LinkExpired):
        links.verify(path, query)


def test_short_key_and_unsafe_filenames() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        FileLinks("short", timedelta(minutes=5))
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename('a"b\r\nc.pdf') == "a_b_c.pdf"
    assert safe_filename("...") == "document"


def test_public_url_prefixes_links() -> None:
    links = FileLinks(KEY, timedelta(minutes=5), "https://portal.example.net/")
    link = links.invoice_pdf_url("INV-1", number="INV-202611-00001")
    assert link.url.startswith("https://portal.example.net/files/invoices/INV-1.pdf?")
    assert link.filename == "INV-202611-00001.pdf"


def links_for(settings: Settings) -> FileLinks:
    return FileLinks(settings.files_signing_key, settings.file_link_ttl)


def first_invoice(sandbox: Sandbox, subscriber_id: str) -> tuple[str, str]:
    row = sandbox.billing.db.one(
        "SELECT id, number FROM invoices WHERE subscriber_id = ? ORDER BY seq LIMIT 1", (subscriber_id,)
    )
    assert row is not None
    return str(row["id"]), str(row["number"])


async def test_invoice_pdf_download(portal: Portal, sandbox: Sandbox, settings: Settings) -> None:
    invoice_id, number = first_invoice(sandbox, "SUB-1001")
    link = links_for(settings).invoice_pdf_url(invoice_id, number)
    response = await portal.client.get(link.url)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith(f'attachment; filename="{number}.pdf"')
    assert response.headers["cache-control"] == "private, no-store"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_tampered_link_is_403_and_expired_is_410(
    portal: Portal, sandbox: Sandbox, settings: Settings
) -> None:
    invoice_id, _ = first_invoice(sandbox, "SUB-1001")
    other_id, _ = first_invoice(sandbox, "SUB-1002")
    link = links_for(settings).invoice_pdf_url(invoice_id)
    # The same signature on another subscriber's invoice.
    forged = link.url.replace(invoice_id, other_id)
    response = await portal.client.get(forged)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "LINK_INVALID"
    unsigned = await portal.client.get(f"/files/invoices/{invoice_id}.pdf")
    assert unsigned.status_code == 403

    expired = links_for(settings).sign_path(f"/files/invoices/{invoice_id}.pdf", now=time.time() - 600)
    response = await portal.client.get(expired)
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "LINK_EXPIRED"


async def test_unknown_invoice_is_404_and_billing_down_is_503(
    portal: Portal, settings: Settings, transport: DispatchTransport, sandbox: Sandbox
) -> None:
    response = await portal.client.get(links_for(settings).invoice_pdf_url("INV-NOPE").url)
    assert response.status_code == 404
    invoice_id, _ = first_invoice(sandbox, "SUB-1001")
    transport.down.add("billing.test")
    response = await portal.client.get(links_for(settings).invoice_pdf_url(invoice_id).url)
    assert response.status_code == 503


async def test_statement_for_a_site_user_is_limited_to_the_signed_sites(
    portal: Portal, settings: Settings, transport: DispatchTransport
) -> None:
    link = links_for(settings).statement_url("SUB-3001", ["SS-3001-101", "SS-3001-102"], "ACC-3001")
    response = await portal.client.get(link.url)
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"%PDF")
    assert 'filename="statement-ACC-3001.pdf"' in response.headers["content-disposition"]
    widened = link.url.replace("SS-3001-101%2CSS-3001-102", "SS-3001-101%2CSS-3001-102%2CSS-3001-103")
    assert widened != link.url
    assert (await portal.client.get(widened)).status_code == 403


async def test_attachment_download(portal: Portal, sandbox: Sandbox, settings: Settings) -> None:
    ticket_id = sandbox.crm.db.scalar(
        "SELECT id FROM tickets WHERE status NOT IN ('CLOSED', 'RESOLVED') LIMIT 1"
    )
    async with make_http_client(
        BackendConfig("http://crm.test", "sandbox-service-key"),
        DispatchTransport({"crm.test": sandbox.crm.asgi()}),
    ) as http:
        attachment = await HttpCrm(CoreClient("crm", http)).add_attachment(
            str(ticket_id), "router lights.png", "image/png", PNG
        )
    link = links_for(settings).attachment_url(attachment.id, attachment.filename)
    response = await portal.client.get(link.url)
    assert response.status_code == 200
    assert response.content == PNG
    assert response.headers["content-type"] == "image/png"
    assert f'filename="{attachment.filename}"' in response.headers["content-disposition"]


async def test_documents_are_printed_in_the_language_the_link_asks_for(
    portal: Portal, sandbox: Sandbox, settings: Settings
) -> None:
    import io

    from pypdf import PdfReader

    def text(data: bytes) -> str:
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)

    invoice_id, number = first_invoice(sandbox, "SUB-1001")
    link = links_for(settings).invoice_pdf_url(invoice_id, number).url
    # `lang` is outside the signature (it grants nothing): the signed link stays valid with it.
    spanish = await portal.client.get(f"{link}&lang=es")
    assert spanish.status_code == 200 and "FACTURA" in text(spanish.content)
    assert "INVOICE" in text((await portal.client.get(f"{link}&lang=xx")).content)  # unknown: English
    statement = links_for(settings).statement_url("SUB-1001").url
    portuguese = await portal.client.get(f"{statement}&lang=pt")
    assert portuguese.status_code == 200 and "EXTRATO CONSOLIDADO" in text(portuguese.content)
