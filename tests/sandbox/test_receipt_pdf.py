"""The receipt and the statement's activity section as rendered PDFs, read back with pypdf."""

from __future__ import annotations

import dataclasses
import io
from datetime import date, timedelta
from typing import Any

import pytest
from pypdf import PdfReader

from sandbox.billing.pdf import (
    ActivityLine,
    PdfLine,
    ReceiptDocument,
    StatementActivity,
    receipt_pdf,
    statement_pdf,
)
from tests.sandbox.test_billing_pdf import ODD, _statement


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _receipt(**changes: Any) -> ReceiptDocument:
    doc = ReceiptDocument(
        isp_name="Skyline Wireless",
        isp_address="12 Tower Road\nSpringfield, IL 62701",
        receipt_number="RCT-0000042",
        subscriber_name="Maria Gonzalez",
        account_number="ACC-000042",
        billing_address="101 Main Street\nSpringfield, IL 62704",
        paid_on=date(2026, 11, 12),
        currency="KWD",
        amount="12.345",
        method="MASTERCARD **** 5454",
        invoices=(PdfLine("INV-2026-000123", "10.000"),),
        wallet_credit="2.345",
        reference="pay_0000042",
    )
    return dataclasses.replace(doc, **changes)


def _activity(count: int) -> StatementActivity:
    start = date(2026, 1, 1)
    return StatementActivity(
        period_start=start,
        period_end=start + timedelta(days=count),
        opening_balance="10.00",
        charges=f"{count}.00",
        payments="0.00",
        credits="0.00",
        closing_balance=f"{10 + count}.00",
        lines=tuple(
            ActivityLine(start + timedelta(days=i), "CHARGE", f"Invoice INV-{i:05d}", "1.00", f"{11 + i}.00")
            for i in range(count)
        ),
    )


def test_a_receipt_shows_the_payment_in_the_currencys_own_decimals() -> None:
    [text] = _pages(receipt_pdf(_receipt()))
    for fact in (
        "RECEIPT",
        "No. RCT-0000042",
        "PAID",
        "Maria Gonzalez",
        "Account ACC-000042",
        "Nov 12, 2026",
        "MASTERCARD **** 5454",
        "INV-2026-000123 10.000",
        "Credited to wallet 2.345",
        "Total paid KWD 12.345",
    ):
        assert fact in text, fact


def test_a_receipt_is_deterministic() -> None:
    assert receipt_pdf(_receipt()) == receipt_pdf(_receipt())


@pytest.mark.parametrize("odd", ODD)
def test_odd_text_on_a_receipt_never_crashes(odd: str) -> None:
    doc = _receipt(
        subscriber_name=odd,
        billing_address=odd,
        method=odd,
        reference=odd,
        invoices=(PdfLine(odd, odd),),
        receipt_number=odd,
    )
    assert receipt_pdf(doc).startswith(b"%PDF")


def test_a_long_activity_flows_onto_more_pages_with_its_header_repeated() -> None:
    pages = _pages(statement_pdf(_statement(2, activity=_activity(150))))
    assert len(pages) >= 4
    text = "\n".join(pages)
    assert "Opening balance 10.00" in text and "Closing balance 160.00" in text
    assert all(f"Invoice INV-{i:05d}" in text for i in range(150))
    # The table header comes back on each page the activity continues on.
    assert sum("Description Date Amount Balance" in page for page in pages) >= 3


def test_an_empty_period_says_so() -> None:
    text = "\n".join(_pages(statement_pdf(_statement(1, activity=_activity(0)))))
    assert "No charges, payments or credits in this period" in text
