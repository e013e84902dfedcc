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
from sandbox.billing.pdf.text import fmt_date, safe_text

# Every word the statement prints, in one place (to translate the document, translate this table).
TEXT = {
    "title": "CONSOLIDATED STATEMENT",
    "subject": "Consolidated statement for {name}",
    "generated": "Generated {date}",
    "holder": "ACCOUNT HOLDER",
    "account": "Account {account}",
    "services_count": "Services",
    "open_count": "Open invoices",
    "outstanding": "Total outstanding",
    "wallet": "Wallet balance",
    "amount_in": "Amount ({currency})",
    "services": "Services",
    "service_charge": "Service / charge",
    "no_services": "No services on this account",
    "subtotal": "Subtotal",
    "open_invoices": "Open invoices",
    "invoice": "Invoice",
    "due_date": "Due date",
    "none_open": "No open invoices - thank you.",
}
# What the activity section prints.
ACTIVITY_TEXT = {
    "heading": "Account activity {start} - {end}",
    "date": "Date",
    "description": "Description",
    "amount": "Amount",
    "balance": "Balance",
    "opening": "Opening balance",
    "closing": "Closing balance",
    "charges": "Charges",
    "payments": "Payments",
    "credits": "Credits",
    "none": "No charges, payments or credits in this period",
    "explain": "A positive balance is owed; a negative one is credit in your favour.",
}
ACTIVITY_KINDS = {"CHARGE": "Charge", "PAYMENT": "Payment", "CREDIT": "Credit"}


def statement_pdf(doc: StatementDocument) -> bytes:
    """Render a consolidated statement: one section per sub-service, then open invoices and totals."""
    currency = safe_text(doc.currency, limit=8)
    isp_name = safe_text(doc.isp_name, limit=80) or "Your Internet Provider"
    account = safe_text(doc.account_number, limit=60)
    pdf = BillingPdf(
        title=TEXT["title"],
        isp_name=isp_name,
        reference=account,
        created=doc.generated_on,
        brand=doc.brand,
    )
    pdf.set_subject(TEXT["subject"].format(name=safe_text(doc.subscriber_name, limit=80)))
    pdf.add_page()
    _heading(pdf, doc, isp_name)
    outstanding = with_currency(currency, safe_text(doc.total_outstanding, limit=24))
    wallet = (
        None
        if doc.wallet_balance is None
        else with_currency(currency, safe_text(doc.wallet_balance, limit=24))
    )
    _holder_and_summary(pdf, doc, account, outstanding, wallet)
    amount_title = TEXT["amount_in"].format(currency=currency) if currency else ACTIVITY_TEXT["amount"]
    if doc.activity is not None:
        _activity(pdf, doc.activity, currency)
    _services(pdf, doc, amount_title)
    _open_invoices(pdf, doc, amount_title)
    pdf.ln(3)
    pdf.total_row(TEXT["outstanding"], outstanding, strong=True)
    if wallet is not None:
        pdf.total_row(TEXT["wallet"], wallet)
    pdf.ln(6)
    pdf.ensure_room(8)
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*MUTED)
    pdf.cell(pdf.content_width, 5, f"{FOOTER}.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return render(pdf)


def _heading(pdf: BillingPdf, doc: StatementDocument, isp_name: str) -> None:
    below_isp = pdf.letterhead(isp_name, safe_text(doc.isp_address, limit=300, multiline=True), TEXT["title"])
    pdf.set_font(FONT, "", 10)
    pdf.set_text_color(*INK)
    pdf.set_xy(pdf.l_margin + pdf.content_width / 2, pdf.get_y())
    pdf.cell(pdf.content_width / 2, 6, TEXT["generated"].format(date=fmt_date(doc.generated_on)), align="R")
    pdf.set_y(max(below_isp, pdf.get_y() + 6) + 4)
    pdf.rule(pdf.accent, 0.6)
    pdf.ln(5)


def _holder_and_summary(
    pdf: BillingPdf, doc: StatementDocument, account: str, outstanding: str, wallet: str | None
) -> None:
    block_top = pdf.get_y()
    half = pdf.content_width / 2
    pdf.set_font(FONT, "B", 8)
    pdf.set_text_color(*MUTED)
    pdf.cell(half, 5, TEXT["holder"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "B", 11)
    pdf.set_text_color(*INK)
    pdf.multi_cell(
        half - 5, 6, safe_text(doc.subscriber_name, limit=120), new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*MUTED)
    pdf.cell(half, 5, TEXT["account"].format(account=account), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    holder_bottom = pdf.get_y()
    summary = [
        (TEXT["services_count"], str(len(doc.sections))),
        (TEXT["open_count"], str(len(doc.open_invoices))),
        (TEXT["outstanding"], outstanding),
    ]
    if wallet is not None:
        summary.append((TEXT["wallet"], wallet))
    summary_bottom = pdf.key_values(pdf.l_margin + half + 10, block_top, half - 10, summary)
    pdf.set_y(max(holder_bottom, summary_bottom) + 8)


def _services(pdf: BillingPdf, doc: StatementDocument, amount_title: str) -> None:
    columns = (Column(TEXT["service_charge"], 0), Column(amount_title, AMOUNT_W, "R"))
    pdf.heading(TEXT["services"], room=7 + 7 + 2 * LINE_H + 12)
    pdf.start_table(columns)
    if not doc.sections:
        pdf.row(columns, (TEXT["no_services"], ""), style="I")
    for section in doc.sections:
        # Keep a section title together with its first charge line.
        pdf.ensure_room(2 * (LINE_H + 1.5))
        pdf.row(columns, (safe_text(section.title, limit=200), ""), style="B", fill=SECTION)
        for line in section.lines:
            pdf.row(columns, (safe_text(line.description), safe_text(line.amount, limit=24)), indent=4)
        pdf.row(columns, (TEXT["subtotal"], safe_text(section.subtotal, limit=24)), style="B", indent=4)
    pdf.end_table()


def _open_invoices(pdf: BillingPdf, doc: StatementDocument, amount_title: str) -> None:
    columns = (
        Column(TEXT["invoice"], 0),
        Column(TEXT["due_date"], 45, "L"),
        Column(amount_title, AMOUNT_W, "R"),
    )
    pdf.heading(TEXT["open_invoices"])
    if not doc.open_invoices:
        pdf.note(TEXT["none_open"])
        return
    pdf.start_table(columns)
    for index, (number, due_on, balance) in enumerate(doc.open_invoices):
        pdf.row(
            columns,
            (safe_text(number, limit=60), fmt_date(due_on), safe_text(balance, limit=24)),
            fill=ZEBRA if index % 2 else None,
        )
    pdf.end_table()


def _activity(pdf: BillingPdf, activity: StatementActivity, currency: str) -> None:
    """The period's charges, payments and credits, each with the running balance after it."""
    text = ACTIVITY_TEXT
    start, end = fmt_date(activity.period_start), fmt_date(activity.period_end)
    pdf.heading(text["heading"].format(start=start, end=end), room=7 + 7 + 3 * LINE_H + 12)
    # The description goes first: a table row wraps only its first column.
    columns = (
        Column(text["description"], 0),
        Column(text["date"], 26, "L"),
        Column(text["amount"], 30, "R"),
        Column(text["balance"], 30, "R"),
    )
    pdf.start_table(columns)
    pdf.row(columns, (text["opening"], "", "", safe_text(activity.opening_balance, limit=24)), style="B")
    if not activity.lines:
        pdf.row(columns, (text["none"], "", "", ""), style="I")
    for index, line in enumerate(activity.lines):
        label = f"{ACTIVITY_KINDS.get(line.kind, line.kind)}: {safe_text(line.description)}"
        pdf.row(
            columns,
            (label, fmt_date(line.on), safe_text(line.amount, limit=24), safe_text(line.balance, limit=24)),
            fill=ZEBRA if index % 2 else None,
        )
    pdf.row(columns, (text["closing"], "", "", safe_text(activity.closing_balance, limit=24)), style="B")
    pdf.end_table()
    pdf.ln(2)
    for key, value in (
        ("charges", activity.charges),
        ("payments", activity.payments),
        ("credits", activity.credits),
    ):
        pdf.total_row(text[key], with_currency(currency, safe_text(value, limit=24)))
    pdf.set_font(FONT, "I", 8.5)
    pdf.set_text_color(*MUTED)
    pdf.cell(pdf.content_width, 5, text["explain"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
