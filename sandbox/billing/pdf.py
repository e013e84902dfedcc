"""Invoice and consolidated-statement PDFs, the documents a WISP mails or lets subscribers download.

Rendering uses fpdf2's built-in Helvetica in its cp1252 (WinAnsi) encoding rather than an embedded TTF:
no Unicode font ships with the project's dependencies, and the core fonts keep files small, rendering fast
(1000-section statements) and the bytes identical on every host. cp1252 already covers the en/em dashes,
curly quotes and euro sign that real labels use ("Internet – Apt 101"); anything beyond it is transliterated
(accents stripped, known symbols mapped) and what is left becomes "?" — input text can never crash a render.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

__all__ = [
    "InvoiceDocument",
    "PdfLine",
    "StatementDocument",
    "StatementSection",
    "invoice_pdf",
    "statement_pdf",
]


@dataclass(frozen=True)
class PdfLine:
    description: str
    amount: str  # already formatted, e.g. "49.99"


@dataclass(frozen=True)
class InvoiceDocument:
    isp_name: str
    isp_address: str
    invoice_number: str
    status: str
    subscriber_name: str
    account_number: str
    billing_address: str
    issued_on: date
    due_on: date
    period_start: date
    period_end: date
    currency: str
    lines: tuple[PdfLine, ...]
    total: str
    amount_paid: str
    balance: str


@dataclass(frozen=True)
class StatementSection:
    """One sub-service on a consolidated statement."""

    title: str
    lines: tuple[PdfLine, ...]
    subtotal: str


@dataclass(frozen=True)
class StatementDocument:
    isp_name: str
    isp_address: str
    subscriber_name: str
    account_number: str
    generated_on: date
    currency: str
    sections: tuple[StatementSection, ...]
    open_invoices: tuple[tuple[str, date, str], ...]  # (number, due_on, balance)
    total_outstanding: str
    # None leaves the wallet out: a statement restricted to some sites is for people who may not see it.
    wallet_balance: str | None


# --- text safety -------------------------------------------------------------------------------------------

_ENCODING = "cp1252"

# Characters outside cp1252 that have an obvious plain-text stand-in; NFKD handles accents and ligatures.
_SUBSTITUTES = {
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
    "\u2015": "-",  # horizontal bar
    "\u2212": "-",  # minus sign
    "\u2032": "'",  # prime
    "\u2033": '"',  # double prime
    "\u2190": "<-",
    "\u2192": "->",
    "\u2194": "<->",
    "\u21d2": "=>",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u2260": "!=",
    "\u2248": "~",
    "\u221e": "inf",
    "\u2713": "v",
    "\u2714": "v",
    "\u2716": "x",
    "\u2717": "x",
    "\u0141": "L",  # letters NFKD cannot decompose
    "\u0142": "l",
    "\u0110": "D",
    "\u0111": "d",
    "\u0126": "H",
    "\u0127": "h",
    "\u0131": "i",
    "\u0166": "T",
    "\u0167": "t",
    "\u00a0": " ",
    "\u2007": " ",
    "\u202f": " ",
    "\u2028": " ",
    "\u2029": " ",
    "\ufeff": "",
    "\u200b": "",
    "\u200c": "",
    "\u200d": "",
    "\u2060": "",
    "\ufe0f": "",  # emoji variation selector: drop rather than print "?"
}


def _encodable(char: str) -> bool:
    try:
        char.encode(_ENCODING)
    except UnicodeEncodeError:
        return False
    return True


def safe_text(value: object, *, limit: int = 400, multiline: bool = False) -> str:
    """Return `value` as text the core fonts can draw: cp1252 only, no control characters, bounded length.

    `multiline` keeps line breaks (addresses); everything else is collapsed onto one line.
    """
    text = value if isinstance(value, str) else str(value)
    out: list[str] = []
    for char in text.replace("\r\n", "\n").replace("\r", "\n"):
        if char == "\n":
            out.append("\n" if multiline else " ")
        elif char in _SUBSTITUTES:
            out.append(_SUBSTITUTES[char])
        elif unicodedata.category(char)[0] == "C":  # controls, surrogates, private use, unassigned
            out.append(" " if char == "\t" else "")
        elif _encodable(char):
            out.append(char)
        else:
            decomposed = "".join(
                c
                for c in unicodedata.normalize("NFKD", char)
                if not unicodedata.combining(c) and _encodable(c)
            )
            out.append(decomposed or "?")
    result = "".join(out)
    if multiline:
        result = "\n".join(" ".join(line.split()) for line in result.split("\n"))
        result = "\n".join(line for line in result.split("\n") if line)
    else:
        result = " ".join(result.split())
    if len(result) > limit:
        result = result[: limit - 3].rstrip() + "..."
    return result


def _fmt_date(value: date) -> str:
    # Spelled out by hand so the month name does not depend on the process locale.
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return f"{months[value.month - 1]} {value.day}, {value.year}"


# --- layout ------------------------------------------------------------------------------------------------

_FONT = "Helvetica"
_INK = (33, 37, 41)
_MUTED = (108, 117, 125)
_ACCENT = (13, 71, 161)
_RULE = (206, 212, 218)
_ZEBRA = (245, 247, 250)
_SECTION = (227, 236, 250)
_BADGES = {
    "PAID": (25, 135, 84),
    "OPEN": (13, 110, 253),
    "OVERDUE": (220, 53, 69),
    "VOID": (108, 117, 125),
}
_FOOTER = "Pay online in your WISPGate portal"
_LINE_H = 5.5
_AMOUNT_W = 38.0


@dataclass(frozen=True)
class _Column:
    title: str
    width: float  # 0 = take the remaining width
    align: str = "L"


class _Document(FPDF):
    """An A4 page with a running header on continuation pages and the payment footer on every page."""

    def __init__(self, *, title: str, isp_name: str, reference: str, created: date) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.core_fonts_encoding = _ENCODING
        self.set_margins(18, 16, 18)
        self.c_margin = 2  # inner cell padding, so table text never touches the fill edges
        self.set_auto_page_break(auto=True, margin=22)
        self.alias_nb_pages()
        # A fixed creation date makes the bytes (and fpdf2's content-hash /ID) reproducible.
        self.set_creation_date(datetime.combine(created, time(), tzinfo=UTC))
        self.set_title(f"{title} {reference}".strip())
        self.set_author(isp_name)
        self.set_creator("WISPGate Portal")
        self.doc_title = title
        self.isp_name = isp_name
        self.reference = reference
        self.repeat_header: Callable[[], None] | None = None

    @property
    def content_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def header(self) -> None:
        if self.page_no() == 1:
            return  # the first page carries the full letterhead, drawn by the caller
        self.set_font(_FONT, "B", 9)
        self.set_text_color(*_ACCENT)
        self.cell(self.content_width / 2, 6, self.isp_name)
        self.set_font(_FONT, "", 9)
        self.set_text_color(*_MUTED)
        label = f"{self.doc_title.title()} {self.reference} (continued)".strip()
        self.cell(self.content_width / 2, 6, label, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.rule()
        self.ln(4)

    def footer(self) -> None:
        self.set_y(-16)
        self.set_draw_color(*_RULE)
        self.set_line_width(0.2)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(2)
        self.set_font(_FONT, "", 8.5)
        self.set_text_color(*_MUTED)
        note = f"{_FOOTER}  -  {self.isp_name}"
        if self.get_string_width(note) > self.content_width * 0.7 - 4:
            note = _FOOTER
        self.cell(self.content_width * 0.7, 5, note)
        self.cell(self.content_width * 0.3, 5, f"Page {self.page_no()} of {{nb}}", align="R")

    def rule(self, color: tuple[int, int, int] = _RULE, width: float = 0.2) -> None:
        self.set_draw_color(*color)
        self.set_line_width(width)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())

    # letterhead -------------------------------------------------------------------------------------------

    def letterhead(self, isp_name: str, isp_address: str, title: str) -> float:
        """Draw the ISP block (left) and the document title (right); return the y below the ISP block."""
        top = self.get_y()
        half = self.content_width / 2
        title_size = 20 if len(title) < 12 else 15
        self.set_font(_FONT, "B", title_size)
        # The ISP name wraps before it could run into the title, however long either is.
        name_w = self.content_width - self.get_string_width(title) - 2 * self.c_margin - 4
        self.set_font(_FONT, "B", 17)
        self.set_text_color(*_ACCENT)
        self.multi_cell(name_w, 8, isp_name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(_FONT, "", 9)
        self.set_text_color(*_MUTED)
        if isp_address:
            self.multi_cell(half, 4.5, isp_address, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        below = self.get_y()
        self.set_xy(self.l_margin + half, top)
        self.set_font(_FONT, "B", title_size)
        self.set_text_color(*_INK)
        self.cell(half, 9, title, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return below

    def badge(self, status: str, right: float, y: float) -> None:
        """A filled, rounded status pill whose right edge sits at `right`."""
        label = status.upper() or "UNKNOWN"
        self.set_font(_FONT, "B", 9)
        width = self.get_string_width(label) + 8
        self.set_fill_color(*_BADGES.get(label, _MUTED))
        self.set_draw_color(*_BADGES.get(label, _MUTED))
        self.rect(right - width, y, width, 6.5, style="DF", round_corners=True, corner_radius=1.5)
        self.set_text_color(255, 255, 255)
        self.set_xy(right - width, y)
        self.cell(width, 6.5, label, align="C")

    def key_values(self, x: float, y: float, width: float, pairs: Sequence[tuple[str, str]]) -> float:
        """Right-hand block of "Label: value" rows; returns the y below it."""
        label_w = width * 0.45
        self.set_xy(x, y)
        for label, value in pairs:
            self.set_x(x)
            self.set_font(_FONT, "", 9)
            self.set_text_color(*_MUTED)
            self.cell(label_w, 5, label)
            self.set_font(_FONT, "B", 9)
            self.set_text_color(*_INK)
            self.cell(width - label_w, 5, value, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return self.get_y()

    # tables -----------------------------------------------------------------------------------------------

    def _widths(self, columns: Sequence[_Column]) -> list[float]:
        fixed = sum(c.width for c in columns)
        return [c.width or self.content_width - fixed for c in columns]

    def table_header(self, columns: Sequence[_Column]) -> None:
        self.set_font(_FONT, "B", 9)
        self.set_fill_color(*_ACCENT)
        self.set_text_color(255, 255, 255)
        widths = self._widths(columns)
        for column, width in zip(columns, widths, strict=True):
            self.cell(width, 7, column.title, align=column.align, fill=True)
        self.ln(7)

    def start_table(self, columns: Sequence[_Column]) -> None:
        # Keep the header with at least one row; on every later page the header comes back.
        self.ensure_room(7 + _LINE_H + 2)
        self.table_header(columns)
        self.repeat_header = lambda: self.table_header(columns)

    def end_table(self) -> None:
        self.repeat_header = None

    def ensure_room(self, height: float) -> None:
        if self.will_page_break(height):
            self.add_page()
            if self.repeat_header is not None:
                self.repeat_header()

    def row(
        self,
        columns: Sequence[_Column],
        cells: Sequence[str],
        *,
        style: str = "",
        fill: tuple[int, int, int] | None = None,
        indent: float = 0,
    ) -> None:
        """One table row; the first column wraps, the others stay on its first line."""
        widths = self._widths(columns)
        self.set_font(_FONT, style, 9)
        first_w = widths[0] - indent
        text = cells[0]
        lines = 1
        if self.get_string_width(text) > first_w - 4:
            wrapped = self.multi_cell(first_w, _LINE_H, text, dry_run=True, output=MethodReturnValue.LINES)
            lines = max(1, len(wrapped)) if isinstance(wrapped, list) else 1
        height = lines * _LINE_H + 1.5
        self.ensure_room(height)
        self.set_font(_FONT, style, 9)  # a page break resets the font via header()/footer()
        x, y = self.l_margin, self.get_y()
        if fill is not None:
            self.set_fill_color(*fill)
            self.rect(x, y, self.content_width, height, style="F")
        self.set_text_color(*_INK)
        self.set_xy(x + indent, y + 0.75)
        if lines == 1:  # cell() is several times cheaper than multi_cell(), which matters at 1000 sections
            self.cell(first_w, _LINE_H, text)
        else:
            self.multi_cell(first_w, _LINE_H, text, new_x=XPos.RIGHT, new_y=YPos.TOP)
        self.set_xy(x + widths[0], y + 0.75)
        for column, width, value in zip(columns[1:], widths[1:], cells[1:], strict=True):
            self.cell(width, _LINE_H, value, align=column.align)
        self.set_xy(x, y + height)
        self.set_draw_color(*_RULE)
        self.set_line_width(0.1)
        self.line(x, y + height, x + self.content_width, y + height)

    def total_row(self, label: str, value: str, *, strong: bool = False) -> None:
        height = 7.5 if strong else 6
        self.ensure_room(height)
        label_w = 60.0
        x = self.w - self.r_margin - label_w - _AMOUNT_W
        y = self.get_y()
        if strong:
            self.set_fill_color(*_SECTION)
            self.rect(x, y, label_w + _AMOUNT_W, height, style="F")
        self.set_xy(x, y)
        self.set_font(_FONT, "B" if strong else "", 10.5 if strong else 9.5)
        self.set_text_color(*(_ACCENT if strong else _MUTED))
        self.cell(label_w, height, label)
        self.set_text_color(*_INK)
        self.set_font(_FONT, "B", 10.5 if strong else 9.5)
        self.cell(_AMOUNT_W, height, value, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(self, text: str, room: float = 20) -> None:
        self.ensure_room(room)
        self.ln(3)
        self.set_font(_FONT, "B", 11)
        self.set_text_color(*_ACCENT)
        self.cell(self.content_width, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def note(self, text: str) -> None:
        self.set_font(_FONT, "I", 9)
        self.set_text_color(*_MUTED)
        self.cell(self.content_width, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _money(currency: str, amount: str) -> str:
    return f"{currency} {amount}".strip()


def _render(pdf: _Document) -> bytes:
    return bytes(pdf.output())


# --- invoice -----------------------------------------------------------------------------------------------


def invoice_pdf(doc: InvoiceDocument) -> bytes:
    """Render one invoice; many lines flow onto further pages with the table header repeated."""
    currency = safe_text(doc.currency, limit=8)
    number = safe_text(doc.invoice_number, limit=60)
    isp_name = safe_text(doc.isp_name, limit=80) or "Your Internet Provider"
    pdf = _Document(title="INVOICE", isp_name=isp_name, reference=number, created=doc.issued_on)
    pdf.set_subject(f"Invoice {number} for {safe_text(doc.subscriber_name, limit=80)}")
    pdf.add_page()

    below_isp = pdf.letterhead(isp_name, safe_text(doc.isp_address, limit=300, multiline=True), "INVOICE")
    right = pdf.w - pdf.r_margin
    pdf.set_font(_FONT, "", 10)
    pdf.set_text_color(*_INK)
    pdf.set_xy(pdf.l_margin + pdf.content_width / 2, pdf.get_y())
    pdf.cell(pdf.content_width / 2, 6, f"No. {number}", align="R")
    pdf.badge(safe_text(doc.status, limit=20), right, pdf.get_y() + 7)
    pdf.set_y(max(below_isp, pdf.get_y() + 15) + 4)
    pdf.rule(_ACCENT, 0.6)
    pdf.ln(5)

    block_top = pdf.get_y()
    half = pdf.content_width / 2
    pdf.set_font(_FONT, "B", 8)
    pdf.set_text_color(*_MUTED)
    pdf.cell(half, 5, "BILL TO", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FONT, "B", 11)
    pdf.set_text_color(*_INK)
    pdf.multi_cell(
        half - 5, 6, safe_text(doc.subscriber_name, limit=120), new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_font(_FONT, "", 9)
    pdf.set_text_color(*_MUTED)
    pdf.cell(
        half, 5, f"Account {safe_text(doc.account_number, limit=60)}", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_text_color(*_INK)
    address = safe_text(doc.billing_address, limit=300, multiline=True)
    if address:
        pdf.multi_cell(half - 5, 4.5, address, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    bill_to_bottom = pdf.get_y()
    dates_bottom = pdf.key_values(
        pdf.l_margin + half + 10,
        block_top,
        half - 10,
        [
            ("Issued", _fmt_date(doc.issued_on)),
            ("Due", _fmt_date(doc.due_on)),
            ("Service period", f"{_fmt_date(doc.period_start)} - {_fmt_date(doc.period_end)}"),
            ("Currency", currency or "-"),
        ],
    )
    pdf.set_y(max(bill_to_bottom, dates_bottom) + 8)

    columns = (
        _Column("Description", 0),
        _Column(f"Amount ({currency})" if currency else "Amount", _AMOUNT_W, "R"),
    )
    pdf.start_table(columns)
    if not doc.lines:
        pdf.row(columns, ("No charges this period", ""), style="I")
    for index, line in enumerate(doc.lines):
        pdf.row(
            columns,
            (safe_text(line.description), safe_text(line.amount, limit=24)),
            fill=_ZEBRA if index % 2 else None,
        )
    pdf.end_table()

    pdf.ln(3)
    pdf.total_row("Total", _money(currency, safe_text(doc.total, limit=24)))
    pdf.total_row("Amount paid", _money(currency, safe_text(doc.amount_paid, limit=24)))
    pdf.total_row("Balance due", _money(currency, safe_text(doc.balance, limit=24)), strong=True)
    pdf.ln(6)
    pdf.ensure_room(12)
    pdf.set_font(_FONT, "", 9)
    pdf.set_text_color(*_MUTED)
    pdf.multi_cell(
        pdf.content_width,
        4.5,
        f"Please pay by {_fmt_date(doc.due_on)}. Quote invoice {number} with any payment. {_FOOTER}.",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    return _render(pdf)


# --- statement ---------------------------------------------------------------------------------------------


def statement_pdf(doc: StatementDocument) -> bytes:
    """Render a consolidated statement: one section per sub-service, then open invoices and totals."""
    currency = safe_text(doc.currency, limit=8)
    isp_name = safe_text(doc.isp_name, limit=80) or "Your Internet Provider"
    account = safe_text(doc.account_number, limit=60)
    pdf = _Document(
        title="CONSOLIDATED STATEMENT", isp_name=isp_name, reference=account, created=doc.generated_on
    )
    pdf.set_subject(f"Consolidated statement for {safe_text(doc.subscriber_name, limit=80)}")
    pdf.add_page()

    below_isp = pdf.letterhead(
        isp_name, safe_text(doc.isp_address, limit=300, multiline=True), "CONSOLIDATED STATEMENT"
    )
    pdf.set_font(_FONT, "", 10)
    pdf.set_text_color(*_INK)
    pdf.set_xy(pdf.l_margin + pdf.content_width / 2, pdf.get_y())
    pdf.cell(pdf.content_width / 2, 6, f"Generated {_fmt_date(doc.generated_on)}", align="R")
    pdf.set_y(max(below_isp, pdf.get_y() + 6) + 4)
    pdf.rule(_ACCENT, 0.6)
    pdf.ln(5)

    block_top = pdf.get_y()
    half = pdf.content_width / 2
    pdf.set_font(_FONT, "B", 8)
    pdf.set_text_color(*_MUTED)
    pdf.cell(half, 5, "ACCOUNT HOLDER", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FONT, "B", 11)
    pdf.set_text_color(*_INK)
    pdf.multi_cell(
        half - 5, 6, safe_text(doc.subscriber_name, limit=120), new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_font(_FONT, "", 9)
    pdf.set_text_color(*_MUTED)
    pdf.cell(half, 5, f"Account {account}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    holder_bottom = pdf.get_y()
    outstanding = _money(currency, safe_text(doc.total_outstanding, limit=24))
    wallet = None if doc.wallet_balance is None else _money(currency, safe_text(doc.wallet_balance, limit=24))
    summary = [
        ("Services", str(len(doc.sections))),
        ("Open invoices", str(len(doc.open_invoices))),
        ("Total outstanding", outstanding),
    ]
    if wallet is not None:
        summary.append(("Wallet balance", wallet))
    summary_bottom = pdf.key_values(pdf.l_margin + half + 10, block_top, half - 10, summary)
    pdf.set_y(max(holder_bottom, summary_bottom) + 8)

    amount_title = f"Amount ({currency})" if currency else "Amount"
    columns = (_Column("Service / charge", 0), _Column(amount_title, _AMOUNT_W, "R"))
    pdf.heading("Services", room=7 + 7 + 2 * _LINE_H + 12)
    pdf.start_table(columns)
    if not doc.sections:
        pdf.row(columns, ("No services on this account", ""), style="I")
    for section in doc.sections:
        # Keep a section title together with its first charge line.
        pdf.ensure_room(2 * (_LINE_H + 1.5))
        pdf.row(columns, (safe_text(section.title, limit=200), ""), style="B", fill=_SECTION)
        for line in section.lines:
            pdf.row(columns, (safe_text(line.description), safe_text(line.amount, limit=24)), indent=4)
        pdf.row(columns, ("Subtotal", safe_text(section.subtotal, limit=24)), style="B", indent=4)
    pdf.end_table()

    invoice_columns = (
        _Column("Invoice", 0),
        _Column("Due date", 45, "L"),
        _Column(amount_title, _AMOUNT_W, "R"),
    )
    pdf.heading("Open invoices")
    if doc.open_invoices:
        pdf.start_table(invoice_columns)
        for index, (number, due_on, balance) in enumerate(doc.open_invoices):
            pdf.row(
                invoice_columns,
                (safe_text(number, limit=60), _fmt_date(due_on), safe_text(balance, limit=24)),
                fill=_ZEBRA if index % 2 else None,
            )
        pdf.end_table()
    else:
        pdf.note("No open invoices - thank you.")

    pdf.ln(3)
    pdf.total_row("Total outstanding", outstanding, strong=True)
    if wallet is not None:
        pdf.total_row("Wallet balance", wallet)
    pdf.ln(6)
    pdf.ensure_room(8)
    pdf.set_font(_FONT, "", 9)
    pdf.set_text_color(*_MUTED)
    pdf.cell(pdf.content_width, 5, f"{_FOOTER}.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return _render(pdf)
