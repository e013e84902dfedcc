"""Invoices as the graph gives them: the signed `pdfUrl` downloads the real PDF through the BFF's `/files`."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.harness.portal import SignIn
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
