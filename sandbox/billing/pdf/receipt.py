"""One payment's receipt: letterhead, payer and payment details, the invoice(s) it paid, and the total.

Every word the receipt prints is in `TEXT`, so that translating the document is translating that table.
"""

from __future__ import annotations

from fpdf.enums import XPos, YPos

from sandbox.billing.pdf.layout import (
    AMOUNT_W,
    FONT,
    INK,
    MUTED,
    ZEBRA,
    BillingPdf,
    Column,
    render,
    with_currency,
)
from sandbox.billing.pdf.model import ReceiptDocument
from sandbox.billing.pdf.text import fmt_date, safe_text

TEXT = {
    "title": "RECEIPT",
    "subject": "Receipt {number} for {name}",
    "number": "No. {number}",
    "paid": "PAID",
    "received_from": "RECEIVED FROM",
    "account": "Account {account}",
    "date": "Date",
    "method": "Payment method",
    "reference": "Reference",
    "currency": "Currency",
    "invoice": "Invoice",
    "amount": "Amount ({currency})",
    "no_invoice": "No invoice",
    "to_wallet": "Credited to wallet",
    "total": "Total paid",
    "thanks": "Thank you for your payment. Keep this receipt for your records.",
}


def receipt_pdf(doc: ReceiptDocument) -> bytes:
    currency = safe_text(doc.currency, limit=8)
    number = safe_text(doc.receipt_number, limit=60)
    isp_name = safe_text(doc.isp_name, limit=80) or "Your Internet Provider"
    pdf = BillingPdf(
        title=TEXT["title"], isp_name=isp_name, reference=number, created=doc.paid_on, brand=doc.brand
    )
    pdf.set_subject(TEXT["subject"].format(number=number, name=safe_text(doc.subscriber_name, limit=80)))
    pdf.add_page()
    below_isp = pdf.letterhead(isp_name, safe_text(doc.isp_address, limit=300, multiline=True), TEXT["title"])
    pdf.set_font(FONT, "", 10)
    pdf.set_text_color(*INK)
    pdf.set_xy(pdf.l_margin + pdf.content_width / 2, pdf.get_y())
    pdf.cell(pdf.content_width / 2, 6, TEXT["number"].format(number=number), align="R")
    pdf.badge(TEXT["paid"], pdf.w - pdf.r_margin, pdf.get_y() + 7)
    pdf.set_y(max(below_isp, pdf.get_y() + 15) + 4)
    pdf.rule(pdf.accent, 0.6)
    pdf.ln(5)
    _payer_and_details(pdf, doc, currency)
    columns = (
        Column(TEXT["invoice"], 0),
        Column(TEXT["amount"].format(currency=currency), AMOUNT_W, "R"),
    )
    pdf.start_table(columns)
    if not doc.invoices:
        pdf.row(columns, (TEXT["no_invoice"], ""), style="I")
    for index, line in enumerate(doc.invoices):
        pdf.row(
            columns,
            (safe_text(line.description), safe_text(line.amount, limit=24)),
            fill=ZEBRA if index % 2 else None,
        )
    if doc.wallet_credit is not None:
        pdf.row(columns, (TEXT["to_wallet"], safe_text(doc.wallet_credit, limit=24)), style="I")
    pdf.end_table()
    pdf.ln(3)
    pdf.total_row(TEXT["total"], with_currency(currency, safe_text(doc.amount, limit=24)), strong=True)
    pdf.ln(6)
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(pdf.content_width, 4.5, TEXT["thanks"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return render(pdf)


def _payer_and_details(pdf: BillingPdf, doc: ReceiptDocument, currency: str) -> None:
    top = pdf.get_y()
    half = pdf.content_width / 2
    pdf.set_font(FONT, "B", 8)
    pdf.set_text_color(*MUTED)
    pdf.cell(half, 5, TEXT["received_from"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "B", 11)
    pdf.set_text_color(*INK)
    pdf.multi_cell(
        half - 5, 6, safe_text(doc.subscriber_name, limit=120), new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*MUTED)
    account = TEXT["account"].format(account=safe_text(doc.account_number, limit=60))
    pdf.cell(half, 5, account, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
    address = safe_text(doc.billing_address, limit=300, multiline=True)
    if address:
        pdf.multi_cell(half - 5, 4.5, address, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    left_bottom = pdf.get_y()
    right_bottom = pdf.key_values(
        pdf.l_margin + half + 10,
        top,
        half - 10,
        [
            (TEXT["date"], fmt_date(doc.paid_on)),
            (TEXT["method"], safe_text(doc.method, limit=40)),
            (TEXT["reference"], safe_text(doc.reference, limit=40)),
            (TEXT["currency"], currency or "-"),
        ],
    )
    pdf.set_y(max(left_bottom, right_bottom) + 8)
