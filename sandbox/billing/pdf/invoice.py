"""One invoice: letterhead, bill-to and dates, the charge lines, totals and how to pay."""

from __future__ import annotations

from fpdf.enums import XPos, YPos

from sandbox.billing.pdf.layout import (
    AMOUNT_W,
    FONT,
    FOOTER,
    INK,
    MUTED,
    ZEBRA,
    BillingPdf,
    Column,
    render,
    with_currency,
)
from sandbox.billing.pdf.model import InvoiceDocument
from sandbox.billing.pdf.text import safe_text
from sandbox.billing.pdf.words import Words


def invoice_pdf(doc: InvoiceDocument) -> bytes:
    """Render one invoice; many lines flow onto further pages with the table header repeated."""
    currency = safe_text(doc.currency, limit=8)
    number = safe_text(doc.invoice_number, limit=60)
    w = Words(doc.locale)
    isp_name = safe_text(doc.isp_name, limit=80) or safe_text(w("Your Internet Provider"))
    pdf = BillingPdf(
        title=safe_text(w("INVOICE")),
        isp_name=isp_name,
        reference=number,
        created=doc.issued_on,
        brand=doc.brand,
        words=w,
    )
    pdf.set_subject(
        w("Invoice {number} for {name}", number=number, name=safe_text(doc.subscriber_name, limit=80))
    )
    pdf.add_page()
    _heading(pdf, doc, isp_name, number)
    _bill_to_and_dates(pdf, doc, currency)
    _charges(pdf, doc, currency)
    _totals_and_terms(pdf, doc, currency, number)
    return render(pdf)


def _heading(pdf: BillingPdf, doc: InvoiceDocument, isp_name: str, number: str) -> None:
    w = pdf.words
    below_isp = pdf.letterhead(isp_name, safe_text(doc.isp_address, limit=300, multiline=True), pdf.doc_title)
    right = pdf.w - pdf.r_margin
    pdf.set_font(FONT, "", 10)
    pdf.set_text_color(*INK)
    pdf.set_xy(pdf.l_margin + pdf.content_width / 2, pdf.get_y())
    pdf.cell(pdf.content_width / 2, 6, safe_text(w("No. {number}", number=number)), align="R")
    pdf.badge(safe_text(doc.status, limit=20), right, pdf.get_y() + 7)
    pdf.set_y(max(below_isp, pdf.get_y() + 15) + 4)
    pdf.rule(pdf.accent, 0.6)
    pdf.ln(5)


def _bill_to_and_dates(pdf: BillingPdf, doc: InvoiceDocument, currency: str) -> None:
    w = pdf.words
    block_top = pdf.get_y()
    half = pdf.content_width / 2
    pdf.set_font(FONT, "B", 8)
    pdf.set_text_color(*MUTED)
    pdf.cell(half, 5, safe_text(w("BILL TO")), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "B", 11)
    pdf.set_text_color(*INK)
    pdf.multi_cell(
        half - 5, 6, safe_text(doc.subscriber_name, limit=120), new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*MUTED)
    pdf.cell(
        half,
        5,
        safe_text(w("Account {number}", number=safe_text(doc.account_number, limit=60))),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_text_color(*INK)
    address = safe_text(doc.billing_address, limit=300, multiline=True)
    if address:
        pdf.multi_cell(half - 5, 4.5, address, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    bill_to_bottom = pdf.get_y()
    dates_bottom = pdf.key_values(
        pdf.l_margin + half + 10,
        block_top,
        half - 10,
        [
            (safe_text(w("Issued")), safe_text(w.date(doc.issued_on))),
            (safe_text(w("Due")), safe_text(w.date(doc.due_on))),
            (
                safe_text(w("Service period")),
                safe_text(f"{w.date(doc.period_start)} - {w.date(doc.period_end)}"),
            ),
            (safe_text(w("Currency")), currency or "-"),
        ],
    )
    pdf.set_y(max(bill_to_bottom, dates_bottom) + 8)


def _charges(pdf: BillingPdf, doc: InvoiceDocument, currency: str) -> None:
    w = pdf.words
    columns = (
        Column(safe_text(w("Description")), 0),
        Column(
            safe_text(w("Amount ({currency})", currency=currency) if currency else w("Amount")), AMOUNT_W, "R"
        ),
    )
    pdf.start_table(columns)
    if not doc.lines:
        pdf.row(columns, (safe_text(w("No charges this period")), ""), style="I")
    for index, line in enumerate(doc.lines):
        pdf.row(
            columns,
            (safe_text(line.description), safe_text(w.amount(line.amount), limit=24)),
            fill=ZEBRA if index % 2 else None,
        )
    pdf.end_table()


def _totals_and_terms(pdf: BillingPdf, doc: InvoiceDocument, currency: str, number: str) -> None:
    w = pdf.words

    def money(wire: str) -> str:
        return with_currency(currency, safe_text(w.amount(wire), limit=24))

    pdf.ln(3)
    pdf.total_row(safe_text(w("Total")), money(doc.total))
    pdf.total_row(safe_text(w("Amount paid")), money(doc.amount_paid))
    pdf.total_row(safe_text(w("Balance due")), money(doc.balance), strong=True)
    pdf.ln(6)
    pdf.ensure_room(12)
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(
        pdf.content_width,
        4.5,
        safe_text(
            w(
                "Please pay by {date}. Quote invoice {number} with any payment. {footer}.",
                date=w.date(doc.due_on),
                number=number,
                footer=w(FOOTER),
            )
        ),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
