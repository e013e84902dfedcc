"""Receipts, the statement's activity and CSV exports in the browser: a subscriber downloads a payment's receipt
and reads the statement's charges, payments and credits; a finance user downloads the invoices and wallet
CSVs; a read-only viewer gets no export button. Screenshots go to artifacts/receipts/."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.harness.process import REPO

from .helpers import Session, download_bytes, pdf_text, us_date

pytestmark = pytest.mark.browser

ARTIFACTS = REPO / "artifacts" / "receipts"


def _shot(session: Session, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    session.page.evaluate("window.scrollTo(0, 0)")  # the sticky header stays where a reader sees it
    session.page.screenshot(path=str(path), full_page=True)
    return path


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_a_subscriber_downloads_a_receipt_and_reads_the_statement(session: Session) -> None:
    page = session.page
    session.login("ana@lima.example")
    page.get_by_test_id("nav-invoices").click()
    receipts = page.get_by_test_id("receipts")
    expect(receipts).to_be_visible()
    first = receipts.get_by_test_id("receipt-link").first
    expect(first).to_be_visible()
    row = receipts.locator("tbody tr").first
    expect(row).to_contain_text("VISA •••• 4242")
    expect(row.locator("td").first).to_have_text(re.compile(r"^[A-Z][a-z]{2} \d{1,2}, \d{4}$"))
    number = row.locator("td").nth(1).inner_text()
    assert re.fullmatch(r"RCT-\d{7}", number), number
    filename, data = download_bytes(page, first)
    assert filename == f"receipt-{number}.pdf"
    text = pdf_text(data)
    for fact in ("RECEIPT", number, "Ana Lima", "WG-100101", "VISA **** 4242", "Total paid"):
        assert fact in text, fact

    statement = page.get_by_test_id("statement")
    expect(statement).to_be_visible()
    for kind in ("CHARGE", "PAYMENT", "CREDIT"):
        expect(statement.locator(f'tr[data-kind="{kind}"]').first).to_be_visible()
    expect(statement).to_contain_text("Credit: Welcome credit")
    expect(page.get_by_test_id("export-invoices-csv")).to_be_visible()  # an OWNER keeps the books
    _shot(session, "invoices-receipts-statement")
    _, pdf = download_bytes(page, statement.get_by_test_id("statement-pdf"))
    assert "Account activity" in pdf_text(pdf)

    # Last month: its invoice and the card payment that settled it (the seed is dated from the real today);
    # the heading, the lines and the payments follow the period; a backwards period is refused.
    last = date.today().replace(day=1) - timedelta(days=1)
    first = last.replace(day=1)
    page.get_by_test_id("statement-from").fill(first.isoformat())
    page.get_by_test_id("statement-to").fill(last.isoformat())
    expect(statement.get_by_role("heading")).to_have_text(f"Statement {us_date(first)} – {us_date(last)}")
    expect(statement.locator('tr[data-kind="CHARGE"]')).to_have_count(1)
    expect(statement.locator('tr[data-kind="PAYMENT"]')).to_have_count(1)
    expect(receipts.locator("tbody tr")).to_have_count(1)
    page.get_by_test_id("statement-from").fill((last + timedelta(days=1)).isoformat())
    expect(page.get_by_test_id("statement-period-error")).to_contain_text("after")

    # A paid invoice carries its receipt beside its PDF.
    page.get_by_role("tab", name="Paid").click()
    link = page.get_by_test_id("invoice-receipt-link").first
    expect(link).to_be_visible()
    _shot(session, "paid-invoices-with-receipts")
    _, data = download_bytes(page, link)
    assert "RECEIPT" in pdf_text(data)
    assert session.page_errors == []


def test_a_finance_user_exports_invoices_and_wallet_history_as_csv(session: Session) -> None:
    page = session.page
    session.login("finance@northwind.example")
    page.get_by_test_id("nav-invoices").click()
    button = page.get_by_test_id("export-invoices-csv")
    expect(button).to_be_visible()
    expect(page.get_by_test_id("receipt-link").first).to_be_visible()  # the page has loaded
    expect(page.get_by_test_id("closing-balance")).to_be_visible()
    _shot(session, "invoices-export-button")
    filename, data = download_bytes(page, button)
    assert filename.startswith("invoices-") and filename.endswith(".csv"), filename
    rows = _csv_rows(data)
    assert rows and all(r["currency"] == "USD" for r in rows)
    assert all(re.fullmatch(r"INV-\d{6}-\d{5}", r["invoice_number"]) for r in rows)
    assert all(re.fullmatch(r"-?\d+\.\d{2}", r["total"]) for r in rows)

    page.get_by_test_id("nav-wallet").click()
    button = page.get_by_test_id("export-wallet-csv")
    expect(button).to_be_visible()
    expect(page.get_by_test_id("wallet-balance")).to_have_text("$250.00")
    _shot(session, "wallet-export-button")
    _, data = download_bytes(page, button)
    rows = _csv_rows(data)
    [overpayment] = [r for r in rows if r["kind"] == "OVERPAYMENT"]
    assert overpayment["amount"] == "250.00" and overpayment["currency"] == "USD"
    assert session.page_errors == []


def test_a_read_only_viewer_sees_receipts_but_no_export(session: Session) -> None:
    page = session.page
    session.login("auditor@northwind.example")
    page.get_by_test_id("nav-invoices").click()
    expect(page.get_by_test_id("receipts")).to_be_visible()
    expect(page.get_by_test_id("export-invoices-csv")).to_have_count(0)
    assert session.page_errors == []
