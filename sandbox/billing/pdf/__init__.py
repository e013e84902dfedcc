"""Invoice and consolidated-statement PDFs, the documents a WISP mails or lets subscribers download.

Rendering uses fpdf2's built-in Helvetica in its cp1252 (WinAnsi) encoding rather than an embedded TTF:
no Unicode font ships with the project's dependencies, and the core fonts keep files small, rendering fast
(1000-section statements) and the bytes identical on every host. cp1252 already covers the en/em dashes,
curly quotes and euro sign that real labels use ("Internet – Apt 101"); anything beyond it is transliterated
(accents stripped, known symbols mapped) and what is left becomes "?" — input text can never crash a render.
"""

from __future__ import annotations

from sandbox.billing.pdf.invoice import invoice_pdf
from sandbox.billing.pdf.model import (
    ActivityLine,
    InvoiceDocument,
    PdfLine,
    ReceiptDocument,
    StatementActivity,
    StatementDocument,
    StatementSection,
)
from sandbox.billing.pdf.receipt import receipt_pdf
from sandbox.billing.pdf.statement import statement_pdf
from sandbox.billing.pdf.text import safe_text

__all__ = [
    "ActivityLine",
    "InvoiceDocument",
    "PdfLine",
    "ReceiptDocument",
    "StatementActivity",
    "StatementDocument",
    "StatementSection",
    "invoice_pdf",
    "receipt_pdf",
    "safe_text",
    "statement_pdf",
]
