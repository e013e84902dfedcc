"""The page every billing document is printed on: A4, the letterhead, a running header on continuation
pages, the payment footer, and tables whose header comes back on every page."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

from adapters.brand import DEFAULT_BRAND, Brand
from sandbox.billing.pdf.text import ENCODING
from sandbox.billing.pdf.words import Words

FONT = "Helvetica"
INK = (33, 37, 41)
MUTED = (108, 117, 125)
ACCENT = (13, 71, 161)
RULE = (206, 212, 218)
ZEBRA = (245, 247, 250)
SECTION = (227, 236, 250)
BADGES = {
    "PAID": (25, 135, 84),
    "OPEN": (13, 110, 253),
    "OVERDUE": (220, 53, 69),
    "VOID": (108, 117, 125),
}
FOOTER = "Pay online in your portal"
LOGO_H = 12.0  # mm
LINE_H = 5.5
AMOUNT_W = 38.0


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # 0 = take the remaining width
    align: str = "L"


class BillingPdf(FPDF):
    """An A4 page with a running header on continuation pages and the payment footer on every page."""

    def __init__(
        self,
        *,
        title: str,
        isp_name: str,
        reference: str,
        created: date,
        brand: Brand = DEFAULT_BRAND,
        words: Words | None = None,
    ) -> None:
        """`brand`: the operator's colour (headings, rules, table headers), logo (the letterhead) and support
        contacts (the footer)."""
        super().__init__(orientation="P", unit="mm", format="A4")
        self.core_fonts_encoding = ENCODING
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
        self.brand = brand
        self.accent = brand.rgb
        self.words = words or Words()

    @property
    def content_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def header(self) -> None:
        if self.page_no() == 1:
            return  # the first page carries the full letterhead, drawn by the caller
        self.set_font(FONT, "B", 9)
        self.set_text_color(*self.accent)
        self.cell(self.content_width / 2, 6, self.isp_name)
        self.set_font(FONT, "", 9)
        self.set_text_color(*MUTED)
        label = self.words(
            "{title} {reference} (continued)", title=self.doc_title.title(), reference=self.reference
        ).strip()
        self.cell(self.content_width / 2, 6, label, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.rule()
        self.ln(4)

    def footer(self) -> None:
        self.set_y(-16)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(2)
        self.set_font(FONT, "", 8.5)
        self.set_text_color(*MUTED)
        footer = self.words(FOOTER)
        note = f"{footer}  -  {self.words('Questions?')} {self.brand.contacts}"
        if self.get_string_width(note) > self.content_width * 0.7 - 4:
            note = footer
        self.cell(self.content_width * 0.7, 5, note)
        page = self.words("Page {page} of {pages}", page=str(self.page_no()), pages="{nb}")
        self.cell(self.content_width * 0.3, 5, page, align="R")

    def rule(self, color: tuple[int, int, int] = RULE, width: float = 0.2) -> None:
        self.set_draw_color(*color)
        self.set_line_width(width)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())

    # letterhead -------------------------------------------------------------------------------------------

    def letterhead(self, isp_name: str, isp_address: str, title: str) -> float:
        """Draw the ISP block (left) and the document title (right); return the y below the ISP block."""
        top = self.get_y()
        half = self.content_width / 2
        if self._logo(self.l_margin, top):
            self.set_y(top + LOGO_H + 2)
        title_size = 20 if len(title) < 12 else 15
        self.set_font(FONT, "B", title_size)
        # The ISP name wraps before it could run into the title, however long either is.
        name_w = self.content_width - self.get_string_width(title) - 2 * self.c_margin - 4
        self.set_font(FONT, "B", 17)
        self.set_text_color(*self.accent)
        self.multi_cell(name_w, 8, isp_name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, "", 9)
        self.set_text_color(*MUTED)
        if isp_address:
            self.multi_cell(half, 4.5, isp_address, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        below = self.get_y()
        self.set_xy(self.l_margin + half, top)
        self.set_font(FONT, "B", title_size)
        self.set_text_color(*INK)
        self.cell(half, 9, title, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return below

    def _logo(self, x: float, y: float) -> bool:
        """The operator's logo (or the default mark), LOGO_H high at (x, y); False if it cannot be drawn (the
        document is printed without it rather than not at all)."""
        data = self.brand.logo if self.brand.logo is not None else self.brand.logo_svg()
        try:
            self.image(io.BytesIO(data), x=x, y=y, h=LOGO_H)
        except Exception:
            return False
        return True

    def badge(self, status: str, right: float, y: float) -> None:
        """A filled, rounded status pill whose right edge sits at `right`."""
        code = status.upper() or "UNKNOWN"
        label = self.words(code)
        self.set_font(FONT, "B", 9)
        width = self.get_string_width(label) + 8
        self.set_fill_color(*BADGES.get(code, MUTED))
        self.set_draw_color(*BADGES.get(code, MUTED))
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
            self.set_font(FONT, "", 9)
            self.set_text_color(*MUTED)
            self.cell(label_w, 5, label)
            self.set_font(FONT, "B", 9)
            self.set_text_color(*INK)
            self.cell(width - label_w, 5, value, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return self.get_y()

    # tables -----------------------------------------------------------------------------------------------

    def _widths(self, columns: Sequence[Column]) -> list[float]:
        fixed = sum(c.width for c in columns)
        return [c.width or self.content_width - fixed for c in columns]

    def table_header(self, columns: Sequence[Column]) -> None:
        self.set_font(FONT, "B", 9)
        self.set_fill_color(*self.accent)
        self.set_text_color(255, 255, 255)
        widths = self._widths(columns)
        for column, width in zip(columns, widths, strict=True):
            self.cell(width, 7, column.title, align=column.align, fill=True)
        self.ln(7)

    def start_table(self, columns: Sequence[Column]) -> None:
        # Keep the header with at least one row; on every later page the header comes back.
        self.ensure_room(7 + LINE_H + 2)
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
        columns: Sequence[Column],
        cells: Sequence[str],
        *,
        style: str = "",
        fill: tuple[int, int, int] | None = None,
        indent: float = 0,
    ) -> None:
        """One table row; the first column wraps, the others stay on its first line."""
        widths = self._widths(columns)
        self.set_font(FONT, style, 9)
        first_w = widths[0] - indent
        text = cells[0]
        lines = 1
        if self.get_string_width(text) > first_w - 4:
            wrapped = self.multi_cell(first_w, LINE_H, text, dry_run=True, output=MethodReturnValue.LINES)
            lines = max(1, len(wrapped)) if isinstance(wrapped, list) else 1
        height = lines * LINE_H + 1.5
        self.ensure_room(height)
        self.set_font(FONT, style, 9)  # a page break resets the font via header()/footer()
        x, y = self.l_margin, self.get_y()
        if fill is not None:
            self.set_fill_color(*fill)
            self.rect(x, y, self.content_width, height, style="F")
        self.set_text_color(*INK)
        self.set_xy(x + indent, y + 0.75)
        if lines == 1:  # cell() is several times cheaper than multi_cell(), which matters at 1000 sections
            self.cell(first_w, LINE_H, text)
        else:
            self.multi_cell(first_w, LINE_H, text, new_x=XPos.RIGHT, new_y=YPos.TOP)
        self.set_xy(x + widths[0], y + 0.75)
        for column, width, value in zip(columns[1:], widths[1:], cells[1:], strict=True):
            self.cell(width, LINE_H, value, align=column.align)
        self.set_xy(x, y + height)
        self.set_draw_color(*RULE)
        self.set_line_width(0.1)
        self.line(x, y + height, x + self.content_width, y + height)

    def total_row(self, label: str, value: str, *, strong: bool = False) -> None:
        height = 7.5 if strong else 6
        self.ensure_room(height)
        label_w = 60.0
        x = self.w - self.r_margin - label_w - AMOUNT_W
        y = self.get_y()
        if strong:
            self.set_fill_color(*SECTION)
            self.rect(x, y, label_w + AMOUNT_W, height, style="F")
        self.set_xy(x, y)
        self.set_font(FONT, "B" if strong else "", 10.5 if strong else 9.5)
        self.set_text_color(*(self.accent if strong else MUTED))
        self.cell(label_w, height, label)
        self.set_text_color(*INK)
        self.set_font(FONT, "B", 10.5 if strong else 9.5)
        self.cell(AMOUNT_W, height, value, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(self, text: str, room: float = 20) -> None:
        self.ensure_room(room)
        self.ln(3)
        self.set_font(FONT, "B", 11)
        self.set_text_color(*self.accent)
        self.cell(self.content_width, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def note(self, text: str) -> None:
        self.set_font(FONT, "I", 9)
        self.set_text_color(*MUTED)
        self.cell(self.content_width, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def with_currency(currency: str, amount: str) -> str:
    return f"{currency} {amount}".strip()


def render(pdf: BillingPdf) -> bytes:
    return bytes(pdf.output())
