"""Signed document links minted by the graph download real PDFs through the BFF's `/files` routes."""

from __future__ import annotations

import io

import httpx
from pypdf import PdfReader

from adapters.wispgate.client import CoreClient
from adapters.wispgate.crm import HttpCrm
from tests.harness.portal import SignIn
from tests.harness.transport import DispatchTransport
from tests.schema.helpers import nodes, subscriber


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


async def test_invoice_pdf_url_downloads_the_invoice(sign_in: SignIn) -> None:
    portal = await sign_in("ana@lima.example")
    data = await portal.data("{ viewer { subscriber { invoices(first: 1) { nodes { number pdfUrl } } } } }")
    [invoice] = nodes(subscriber(data)["invoices"])
    assert invoice["pdfUrl"].startswith("/files/invoices/")
    portal.token = None  # the signed link is the permission: no session needed
    response = await portal.client.get(invoice["pdfUrl"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert invoice["number"] in _text(response.content)
    tampered = await portal.client.get(invoice["pdfUrl"].replace("sig=", "sig=0"))
    assert tampered.status_code == 403


async def test_site_users_statement_covers_only_their_apartments(sign_in: SignIn) -> None:
    portal = await sign_in("apt101@harborview.example")
    data = await portal.data("{ viewer { subscriber { consolidatedStatement { url filename expiresAt } } } }")
    document = subscriber(data)["consolidatedStatement"]
    assert document["filename"] == "statement-WG-300301.pdf"
    response = await portal.client.get(document["url"])
    assert response.status_code == 200
    text = _text(response.content)
    assert "Apt 101" in text and "Apt 102" in text
    assert "Apt 103" not in text


async def test_attachment_url_downloads_the_attachment(sign_in: SignIn, transport: DispatchTransport) -> None:
    portal = await sign_in("ana@lima.example")
    http = httpx.AsyncClient(
        transport=transport, base_url="http://crm.test", headers={"x-api-key": "sandbox-service-key"}
    )
    async with http:
        crm = HttpCrm(CoreClient("crm", http))
        added = await crm.add_attachment("TCK-1", "speedtest.txt", "text/plain", b"42 Mbit/s down")
    data = await portal.data(
        "{ viewer { subscriber { tickets { nodes { number attachments { id filename contentType sizeBytes url } } } } } }"
    )
    [ticket] = [t for t in nodes(subscriber(data)["tickets"]) if t["attachments"]]
    [attachment] = ticket["attachments"]
    assert attachment["filename"] == added.filename == "speedtest.txt"
    assert attachment["sizeBytes"] == 14 and attachment["contentType"] == "text/plain"
    response = await portal.client.get(attachment["url"])
    assert response.status_code == 200
    assert response.content == b"42 Mbit/s down"
