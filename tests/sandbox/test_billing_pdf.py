import dataclasses
import io
from datetime import date
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from adapters.brand import Brand
from sandbox.billing.pdf import (
    InvoiceDocument,
    PdfLine,
    StatementDocument,
    StatementSection,
    invoice_pdf,
    safe_text,
    statement_pdf,
)


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _invoice(count: int = 3, **changes: Any) -> InvoiceDocument:
    doc = InvoiceDocument(
        isp_name="Skyline Wireless",
        isp_address="12 Tower Road\nSpringfield, IL 62701",
        invoice_number="INV-2026-000123",
        status="OPEN",
        subscriber_name="Maria Gonzalez",
        account_number="ACC-000042",
        billing_address="101 Main Street\nApt 4\nSpringfield, IL 62704",
        issued_on=date(2026, 11, 1),
        due_on=date(2026, 11, 15),
        period_start=date(2026, 11, 1),
        period_end=date(2026, 11, 30),
        currency="USD",
        lines=tuple(PdfLine(f"Internet – Apt {101 + i} plan 100/20", f"{40 + i}.99") for i in range(count)),
        total="137.97",
        amount_paid="20.00",
        balance="117.97",
    )
    return dataclasses.replace(doc, **changes)


def _statement(count: int = 40, **changes: Any) -> StatementDocument:
    doc = StatementDocument(
        isp_name="Skyline Wireless",
        isp_address="12 Tower Road\nSpringfield, IL 62701",
        subscriber_name="Maple Court Apartments LLC",
        account_number="ACC-000777",
        generated_on=date(2026, 11, 25),
        currency="USD",
        sections=tuple(
            StatementSection(
                title=f"Internet – Apt {100 + i}",
                lines=(PdfLine("Residential 100/20 Mbps", "49.99"), PdfLine("Static IP add-on", "5.00")),
                subtotal="54.99",
            )
            for i in range(count)
        ),
        open_invoices=(
            ("INV-2026-000501", date(2026, 12, 1), "54.99"),
            ("INV-2026-000502", date(2026, 12, 5), "9.50"),
        ),
        total_outstanding="64.49",
        wallet_balance="12.50",
    )
    return dataclasses.replace(doc, **changes)


# --- invoice -----------------------------------------------------------------------------------------------


def _png(color: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 24), color).save(out, "PNG")
    return out.getvalue()


def test_invoice_and_statement_carry_the_operators_brand() -> None:
    """Issue 12: the operator's name, logo, colour and support contacts (BRAND_*) are on both documents."""
    brand = Brand(
        name="Acme Fiber",
        primary_color="#7a1f5c",
        support_email="help@acme.example",
        support_phone="+1 555 0199",
        logo=_png((122, 31, 92)),
        logo_type="image/png",
    )
    documents = {
        "invoice": invoice_pdf(_invoice(isp_name=brand.name, brand=brand)),
        "statement": statement_pdf(_statement(count=2, isp_name=brand.name, brand=brand)),
    }
    for kind, data in documents.items():
        reader = PdfReader(io.BytesIO(data))
        first = reader.pages[0]
        text = "\n".join(page.extract_text() for page in reader.pages)
        assert "Acme Fiber" in text, kind
        assert "Questions? help@acme.example · +1 555 0199" in text, kind
        assert "WISPGate" not in text, kind
        # The logo is on the letterhead, as the very PNG configured.
        assert [image.image.size for image in first.images] == [(60, 24)], kind
        # Headings, rules and the table header are in the brand's colour (fpdf2 writes "r g b rg" / "RG").
        content = first.get_contents().get_data()  # type: ignore[union-attr]
        assert b"0.4784 0.1216 0.3608 rg" in content, kind
        assert b"0.051 0.2784 0.6314" not in content, kind  # the colour the documents were printed in before


def test_a_logo_the_pdf_library_cannot_read_leaves_it_out() -> None:
    broken = Brand(logo=b"\x89PNG not really", logo_type="image/png")
    text = "\n".join(_pages(invoice_pdf(_invoice(brand=broken))))
    assert "INV-2026-000123" in text and "Pay online in your portal" in text


def test_invoice_is_a_pdf_with_the_billing_facts() -> None:
    data = invoice_pdf(_invoice())

    assert data.startswith(b"%PDF")
    assert data.rstrip().endswith(b"%%EOF")
    (text,) = _pages(data)
    for expected in (
        "INVOICE",
        "INV-2026-000123",
        "OPEN",
        "Maria Gonzalez",
        "ACC-000042",
        "101 Main Street",
        "Skyline Wireless",
        "Nov 15, 2026",
        "Nov 1, 2026 - Nov 30, 2026",
        "USD 137.97",
        "USD 20.00",
        "USD 117.97",
        "Pay online in your portal",
        "Questions? support@wispgate.example",
    ):
        assert expected in text
    for i in range(3):
        assert f"Internet – Apt {101 + i} plan 100/20" in text
        assert f"{40 + i}.99" in text


@pytest.mark.parametrize("status", ["PAID", "OPEN", "OVERDUE", "VOID", "refunded", ""])
def test_invoice_shows_any_status_as_a_badge(status: str) -> None:
    (text,) = _pages(invoice_pdf(_invoice(status=status)))

    assert (status.upper() or "UNKNOWN") in text


def test_sixty_lines_flow_onto_more_pages_with_the_table_header_repeated() -> None:
    pages = _pages(invoice_pdf(_invoice(60)))

    assert len(pages) >= 2
    for page in pages[1:]:
        assert "Description" in page
        assert "INV-2026-000123 (continued)" in page
    everything = "\n".join(pages)
    for i in range(60):
        assert f"Internet – Apt {101 + i} plan 100/20" in everything
    assert "Balance due" in pages[-1]
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]


def test_long_descriptions_wrap_instead_of_being_cut_off() -> None:
    long = "Fiber installation including outdoor unit mounting, cable run and router setup. " * 3
    doc = _invoice(lines=(PdfLine(long, "250.00"), PdfLine("Monthly plan", "49.99")))
    (text,) = _pages(invoice_pdf(doc))
    flowing = " ".join(text.split())  # wrapped lines come back as separate lines

    assert (
        flowing.count("Fiber installation including outdoor unit mounting, cable run and router setup.") == 3
    )
    assert "Monthly plan" in text


def test_invoice_without_lines_says_so() -> None:
    (text,) = _pages(invoice_pdf(_invoice(lines=())))

    assert "No charges this period" in text


def test_output_is_deterministic() -> None:
    assert invoice_pdf(_invoice()) == invoice_pdf(_invoice())
    assert statement_pdf(_statement(5)) == statement_pdf(_statement(5))
    assert invoice_pdf(_invoice()) != invoice_pdf(_invoice(total="1.00"))


# --- statement ---------------------------------------------------------------------------------------------


def test_statement_lists_every_section_then_open_invoices_and_totals() -> None:
    data = statement_pdf(_statement(40))

    assert data.startswith(b"%PDF")
    pages = _pages(data)
    text = "\n".join(pages)
    assert "CONSOLIDATED STATEMENT" in pages[0]
    assert "Maple Court Apartments LLC" in pages[0]
    assert "Generated Nov 25, 2026" in pages[0]
    for i in range(40):
        assert f"Internet – Apt {100 + i}" in text
    assert text.count("Subtotal") == 40
    assert "INV-2026-000501" in text
    assert "Dec 5, 2026" in text
    assert "USD 64.49" in pages[-1]
    assert "USD 12.50" in pages[-1]
    assert len(pages) >= 2
    assert all("Pay online in your portal" in page for page in pages)


def test_statement_without_sections_or_open_invoices() -> None:
    (text,) = _pages(statement_pdf(_statement(0, open_invoices=())))

    assert "No services on this account" in text
    assert "No open invoices" in text


def test_thousand_section_statement_renders_every_section() -> None:
    # How long it takes is measured by bench/pdf_render.py (bench/RESULTS.md), not asserted here.
    data = statement_pdf(_statement(1000))

    pages = _pages(data)
    assert len(pages) > 20
    assert "Internet – Apt 1099" in pages[-1] or "Internet – Apt 1099" in pages[-2]
    text = "\n".join(pages)
    assert text.count("Subtotal") == 1000
    assert all(f"Internet – Apt {100 + i}" in text for i in range(1000))


# --- odd text ----------------------------------------------------------------------------------------------

ODD = [
    "Internet – Apt 101 — “quoted” ‘single’ … €5",
    "Emoji 🚀📶🙂 and flags 🇺🇸",
    "日本語のサービス 中文 한국어",
    "Łódź Straße Ærø ﬁber",
    "RTL مرحبا עברית",
    "control\x00chars\x07\x1b[31m\ttab\r\nnewline",
    "lone surrogate \ud800 here",
    "zero\u200bwidth\u200djoiner\ufeff",
    "",
    "x" * 5000,
    " ".join(["word"] * 3000),
]


@pytest.mark.parametrize("odd", ODD)
def test_odd_text_never_crashes(odd: str) -> None:
    line = PdfLine(odd, odd)
    invoice = _invoice(
        isp_name=odd,
        isp_address=odd,
        invoice_number=odd,
        status=odd,
        subscriber_name=odd,
        account_number=odd,
        billing_address=odd,
        currency=odd,
        lines=(line, line),
        total=odd,
        amount_paid=odd,
        balance=odd,
    )
    statement = _statement(
        3,
        isp_name=odd,
        isp_address=odd,
        subscriber_name=odd,
        account_number=odd,
        currency=odd,
        sections=(StatementSection(odd, (line,), odd),) * 3,
        open_invoices=((odd, date(2026, 12, 1), odd),),
        total_outstanding=odd,
        wallet_balance=odd,
    )

    assert invoice_pdf(invoice).startswith(b"%PDF")
    assert statement_pdf(statement).startswith(b"%PDF")


def test_odd_characters_are_kept_or_transliterated_readably() -> None:
    doc = _invoice(
        subscriber_name="Zoë O’Brien 🙂",
        lines=(PdfLine("Internet – Apt 101 — Łódź 日本", "10.00"),),
    )
    (text,) = _pages(invoice_pdf(doc))

    assert "Zoë O’Brien ?" in text
    assert "Internet – Apt 101 — Lódz ??" in text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Internet – Apt 101", "Internet – Apt 101"),
        ("café €5 “x”", "café €5 “x”"),
        ("Łódź", "Lódz"),
        ("ﬁber", "fiber"),
        ("a → b ≥ c", "a -> b >= c"),
        ("🚀 up", "? up"),
        ("☎️", "?"),
        ("a\x00b\tc\nd", "ab c d"),
        ("  spaced   out  ", "spaced out"),
        (None, "None"),
        (42, "42"),
    ],
)
def test_safe_text(raw: object, expected: str) -> None:
    assert safe_text(raw) == expected


def test_safe_text_keeps_line_breaks_when_asked_and_bounds_length() -> None:
    assert safe_text("1 Main St\r\n\n  Springfield ", multiline=True) == "1 Main St\nSpringfield"
    assert safe_text("y" * 1000, limit=50) == "y" * 47 + "..."
