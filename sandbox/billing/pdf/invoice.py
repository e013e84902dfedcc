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
from sandbox.billing.pdf.text import fmt_date, safe_text


def invoice_pdf(doc: InvoiceDocument) -> bytes:
    """Render one invoice; many lines flow onto further pages with the table header repeated."""
    currency = safe_text(doc.currency, limit=8)
    number = safe_text(doc.invoice_number, limit=60)
    isp_name = safe_text(doc.isp_name, limit=80) or "Your Internet Provider"
    pdf = BillingPdf(
        title="INVOICE", isp_name=isp_name, reference=number, created=doc.issued_on, brand=doc.brand
    )
    pdf.set_subject(f"Invoice {number} for {safe_text(doc.subscriber_name, limit=80)}")
    pdf.add_page()
    _heading(pdf, doc, isp_name, number)
    _bill_to_and_dates(pdf, doc, currency)
    _charges(pdf, doc, currency)
    _totals_and_terms(pdf, doc, currency, number)
    return render(pdf)


def _heading(pdf: BillingPdf, doc: InvoiceDocument, isp_name: str, number: str) -> None:
    below_isp = pdf.letterhead(isp_name, safe_text(doc.isp_address, limit=300, multiline=True), "INVOICE")
    right = pdf.w - pdf.r_margin
    pdf.set_font(FONT, "", 10)
    pdf.set_text_color(*INK)
    pdf.set_xy(pdf.l_margin + pdf.content_width / 2, pdf.get_y())
    pdf.cell(pdf.content_width / 2, 6, f"No. {number}", align="R")
    pdf.badge(safe_text(doc.status, limit=20), right, pdf.get_y() + 7)
    pdf.set_y(max(below_isp, pdf.get_y() + 15) + 4)
    pdf.rule(pdf.accent, 0.6)
    pdf.ln(5)


def _bill_to_and_dates(pdf: BillingPdf, doc: InvoiceDocument, currency: str) -> None:
    block_top = pdf.get_y()
    half = pdf.content_width / 2
    pdf.set_font(FONT, "B", 8)
    pdf.set_text_color(*MUTED)
    pdf.cell(half, 5, "BILL TO", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "B", 11)
    pdf.set_text_color(*INK)
    pdf.multi_cell(
        half - 5, 6, safe_text(doc.subscriber_name, limit=120), new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*MUTED)
    pdf.cell(
        half, 5, f"Account {safe_text(doc.account_number, limit=60)}", new_x=XPos.LMARGIN, new_y=YPos.NEXT
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
            ("Issued", fmt_date(doc.issued_on)),
            ("Due", fmt_date(doc.due_on)),
            ("Service period", f"{fmt_date(doc.period_start)} - {fmt_date(doc.period_end)}"),
            ("Currency", currency or "-"),
        ],
    )
    pdf.set_y(max(bill_to_bottom, dates_bottom) + 8)


def _charges(pdf: BillingPdf, doc: InvoiceDocument, currency: str) -> None:
    columns = (
        Column("Description", 0),
        Column(f"Amount ({currency})" if currency else "Amount", AMOUNT_W, "R"),
    )
    pdf.start_table(columns)
    if not doc.lines:
        pdf.row(columns, ("No charges this period", ""), style="I")
    for index, line in enumerate(doc.lines):
        pdf.row(
            columns,
            (safe_text(line.description), safe_text(line.amount, limit=24)),
            fill=ZEBRA if index % 2 else None,
        )
    pdf.end_table()


def _totals_and_terms(pdf: BillingPdf, doc: InvoiceDocument, currency: str, number: str) -> None:
    pdf.ln(3)
    pdf.total_row("Total", with_currency(currency, safe_text(doc.total, limit=24)))
    pdf.total_row("Amount paid", with_currency(currency, safe_text(doc.amount_paid, limit=24)))
    pdf.total_row("Balance due", with_currency(currency, safe_text(doc.balance, limit=24)), strong=True)
    pdf.ln(6)
    pdf.ensure_room(12)
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(
        pdf.content_width,
        4.5,
        f"Please pay by {fmt_date(doc.due_on)}. Quote invoice {number} with any payment. {FOOTER}.",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
