"""A consolidated statement: one section per sub-service, then the open invoices and what is owed."""

from __future__ import annotations

from fpdf.enums import XPos, YPos

from sandbox.billing.pdf.layout import (
    AMOUNT_W,
    FONT,
    FOOTER,
    INK,
    LINE_H,
    MUTED,
    SECTION,
    ZEBRA,
    BillingPdf,
    Column,
    render,
    with_currency,
)
from sandbox.billing.pdf.model import StatementActivity, StatementDocument
from sandbox.billing.pdf.text import safe_text
from sandbox.billing.pdf.words import Words

# The activity lines' kinds, as printed before the description (through Words, like every word here).
ACTIVITY_KINDS = {"CHARGE": "Charge", "PAYMENT": "Payment", "CREDIT": "Credit"}


def statement_pdf(doc: StatementDocument) -> bytes:
    """Render a consolidated statement: one section per sub-service, then open invoices and totals."""
    currency = safe_text(doc.currency, limit=8)
    w = Words(doc.locale)
    isp_name = safe_text(doc.isp_name, limit=80) or safe_text(w("Your Internet Provider"))
    account = safe_text(doc.account_number, limit=60)
    pdf = BillingPdf(
        title=safe_text(w("CONSOLIDATED STATEMENT")),
        isp_name=isp_name,
        reference=account,
        created=doc.generated_on,
        brand=doc.brand,
        words=w,
    )
    pdf.set_subject(w("Consolidated statement for {name}", name=safe_text(doc.subscriber_name, limit=80)))
    pdf.add_page()
    _heading(pdf, doc, isp_name)
    outstanding = with_currency(currency, safe_text(w.amount(doc.total_outstanding), limit=24))
    wallet = (
        None
        if doc.wallet_balance is None
        else with_currency(currency, safe_text(w.amount(doc.wallet_balance), limit=24))
    )
    _holder_and_summary(pdf, doc, account, outstanding, wallet)
    amount_title = safe_text(w("Amount ({currency})", currency=currency) if currency else w("Amount"))
    if doc.activity is not None:
        _activity(pdf, doc.activity, currency)
    _services(pdf, doc, amount_title)
    _open_invoices(pdf, doc, amount_title)
    pdf.ln(3)
    pdf.total_row(safe_text(w("Total outstanding")), outstanding, strong=True)
    if wallet is not None:
        pdf.total_row(safe_text(w("Wallet balance")), wallet)
    pdf.ln(6)
    pdf.ensure_room(8)
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*MUTED)
    pdf.cell(pdf.content_width, 5, safe_text(f"{w(FOOTER)}."), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return render(pdf)


def _heading(pdf: BillingPdf, doc: StatementDocument, isp_name: str) -> None:
    w = pdf.words
    below_isp = pdf.letterhead(isp_name, safe_text(doc.isp_address, limit=300, multiline=True), pdf.doc_title)
    pdf.set_font(FONT, "", 10)
    pdf.set_text_color(*INK)
    pdf.set_xy(pdf.l_margin + pdf.content_width / 2, pdf.get_y())
    pdf.cell(
        pdf.content_width / 2, 6, safe_text(w("Generated {date}", date=w.date(doc.generated_on))), align="R"
    )
    pdf.set_y(max(below_isp, pdf.get_y() + 6) + 4)
    pdf.rule(pdf.accent, 0.6)
    pdf.ln(5)


def _holder_and_summary(
    pdf: BillingPdf, doc: StatementDocument, account: str, outstanding: str, wallet: str | None
) -> None:
    w = pdf.words
    block_top = pdf.get_y()
    half = pdf.content_width / 2
    pdf.set_font(FONT, "B", 8)
    pdf.set_text_color(*MUTED)
    pdf.cell(half, 5, safe_text(w("ACCOUNT HOLDER")), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "B", 11)
    pdf.set_text_color(*INK)
    pdf.multi_cell(
        half - 5, 6, safe_text(doc.subscriber_name, limit=120), new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*MUTED)
    pdf.cell(half, 5, safe_text(w("Account {number}", number=account)), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    holder_bottom = pdf.get_y()
    summary = [
        (safe_text(w("Services")), str(len(doc.sections))),
        (safe_text(w("Open invoices")), str(len(doc.open_invoices))),
        (safe_text(w("Total outstanding")), outstanding),
    ]
    if wallet is not None:
        summary.append((safe_text(w("Wallet balance")), wallet))
    summary_bottom = pdf.key_values(pdf.l_margin + half + 10, block_top, half - 10, summary)
    pdf.set_y(max(holder_bottom, summary_bottom) + 8)


def _services(pdf: BillingPdf, doc: StatementDocument, amount_title: str) -> None:
    w = pdf.words
    columns = (Column(safe_text(w("Service / charge")), 0), Column(amount_title, AMOUNT_W, "R"))
    pdf.heading(safe_text(w("Services")), room=7 + 7 + 2 * LINE_H + 12)
    pdf.start_table(columns)
    if not doc.sections:
        pdf.row(columns, (safe_text(w("No services on this account")), ""), style="I")
    for section in doc.sections:
        # Keep a section title together with its first charge line.
        pdf.ensure_room(2 * (LINE_H + 1.5))
        pdf.row(columns, (safe_text(section.title, limit=200), ""), style="B", fill=SECTION)
        for line in section.lines:
            pdf.row(
                columns, (safe_text(line.description), safe_text(w.amount(line.amount), limit=24)), indent=4
            )
        subtotal = safe_text(w.amount(section.subtotal), limit=24)
        pdf.row(columns, (safe_text(w("Subtotal")), subtotal), style="B", indent=4)
    pdf.end_table()


def _open_invoices(pdf: BillingPdf, doc: StatementDocument, amount_title: str) -> None:
    w = pdf.words
    columns = (
        Column(safe_text(w("Invoice")), 0),
        Column(safe_text(w("Due date")), 45, "L"),
        Column(amount_title, AMOUNT_W, "R"),
    )
    pdf.heading(safe_text(w("Open invoices")))
    if not doc.open_invoices:
        pdf.note(safe_text(w("No open invoices - thank you.")))
        return
    pdf.start_table(columns)
    for index, (number, due_on, balance) in enumerate(doc.open_invoices):
        pdf.row(
            columns,
            (safe_text(number, limit=60), safe_text(w.date(due_on)), safe_text(w.amount(balance), limit=24)),
            fill=ZEBRA if index % 2 else None,
        )
    pdf.end_table()


def _activity(pdf: BillingPdf, activity: StatementActivity, currency: str) -> None:
    """The period's charges, payments and credits, each with the running balance after it."""
    w = pdf.words
    start, end = w.date(activity.period_start), w.date(activity.period_end)
    pdf.heading(
        safe_text(w("Account activity {start} - {end}", start=start, end=end)), room=7 + 7 + 3 * LINE_H + 12
    )
    # The description goes first: a table row wraps only its first column.
    columns = (
        Column(safe_text(w("Description")), 0),
        Column(safe_text(w("Date")), 26, "L"),
        Column(safe_text(w("Amount")), 30, "R"),
        Column(safe_text(w("Balance")), 30, "R"),
    )

    def amount(value: str) -> str:
        return safe_text(w.amount(value), limit=24)

    pdf.start_table(columns)
    pdf.row(columns, (safe_text(w("Opening balance")), "", "", amount(activity.opening_balance)), style="B")
    if not activity.lines:
        pdf.row(
            columns, (safe_text(w("No charges, payments or credits in this period")), "", "", ""), style="I"
        )
    for index, line in enumerate(activity.lines):
        kind = ACTIVITY_KINDS.get(line.kind)
        label = f"{safe_text(w(kind)) if kind else line.kind}: {safe_text(line.description)}"
        pdf.row(
            columns,
            (label, safe_text(w.date(line.on)), amount(line.amount), amount(line.balance)),
            fill=ZEBRA if index % 2 else None,
        )
    pdf.row(columns, (safe_text(w("Closing balance")), "", "", amount(activity.closing_balance)), style="B")
    pdf.end_table()
    pdf.ln(2)
    for phrase, value in (
        ("Charges", activity.charges),
        ("Payments", activity.payments),
        ("Credits", activity.credits),
    ):
        pdf.total_row(safe_text(w(phrase)), with_currency(currency, amount(value)))
    pdf.set_font(FONT, "I", 8.5)
    pdf.set_text_color(*MUTED)
    pdf.cell(
        pdf.content_width,
        5,
        safe_text(w("A positive balance is owed; a negative one is credit in your favour.")),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
