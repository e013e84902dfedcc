"""Residential subscribers in the browser: dashboard, invoices and PDFs, a sub-service page, a suspended service and
the phone layout."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from .helpers import Session, days_from_today, download_bytes, money_value, pdf_text, us_date

pytestmark = pytest.mark.browser


def stat(page: Page, name: str) -> Locator:
    """The value of one figure in the dashboard's financial strip ("Outstanding", "Next due date", …)."""
    strip = page.get_by_test_id("financial-summary")
    return strip.locator(".stat").filter(has=page.locator("dt", has_text=name)).locator(".stat__value")


def card(page: Page, kind: str) -> Locator:
    return page.locator(f'[data-testid="subservice-card"][data-kind="{kind}"]')


def test_residential_dashboard_invoices_pdf_and_service_page(session: Session) -> None:
    page = session.page
    session.goto("/")
    expect(page.get_by_test_id("login-email")).to_be_visible()
    session.login("ana@lima.example")

    # Dashboard: exactly Internet + IPTV, both active; the Internet card shows its speed.
    cards = page.get_by_test_id("subservice-card")
    expect(cards).to_have_count(2)
    assert sorted(cards.evaluate_all("els => els.map(e => e.dataset.kind)")) == ["INTERNET", "IPTV"]
    expect(card(page, "INTERNET")).to_have_attribute("data-status", "ACTIVE")
    expect(card(page, "IPTV")).to_have_attribute("data-status", "ACTIVE")
    expect(card(page, "INTERNET")).to_contain_text("300/50")
    expect(card(page, "IPTV")).not_to_contain_text("300/50")

    # Financial strip: a positive outstanding amount, and the open invoice's due date (today + 5).
    due = days_from_today(5)
    expect(stat(page, "Outstanding")).to_have_text(re.compile(r"^\$\d"))
    outstanding = money_value(stat(page, "Outstanding").inner_text())
    assert float(outstanding) > 0, f"nothing outstanding on the dashboard: {outstanding}"
    expect(stat(page, "Next due date")).to_have_text(us_date(due))
    expect(page.get_by_test_id("financial-summary")).to_contain_text("due in 5 days")
    session.shot("dashboard")
    session.shot()

    # Invoices: the Open tab lists one OPEN invoice due today + 5, whose balance is the dashboard's outstanding.
    page.get_by_test_id("nav-invoices").click()
    expect(page).to_have_url(re.compile(r"/invoices"))
    rows = page.get_by_test_id("invoice-row")
    expect(rows).to_have_count(1)
    open_row = rows.first
    expect(open_row).to_have_attribute("data-status", "OPEN")
    expect(open_row.locator('td[data-label="Due"]')).to_contain_text(us_date(due))
    expect(open_row.locator('td[data-label="Due"]')).to_contain_text("due in 5 days")
    assert money_value(open_row.locator('td[data-label="Balance"]').inner_text()) == outstanding
    number = open_row.locator('td[data-label="Invoice"]').inner_text().strip()
    assert re.fullmatch(r"INV-\d{6}-\d+", number), number
    session.shot("invoices")

    # The open invoice's PDF: a real PDF naming this invoice and this subscriber.
    filename, data = download_bytes(page, open_row.get_by_test_id("invoice-pdf-link"))
    assert data[:4] == b"%PDF"
    assert filename == f"{number}.pdf"
    text = pdf_text(data)
    assert number in text
    assert "Ana Lima" in text

    # Paid tab: three PAID invoices, none of them the open one; All: four.
    page.get_by_test_id("invoice-tab-paid").click()
    expect(page).to_have_url(re.compile(r"tab=paid"))
    expect(page.get_by_test_id("invoice-tab-paid")).to_have_attribute("aria-selected", "true")
    expect(rows).to_have_count(3)
    assert rows.evaluate_all("els => els.map(e => e.dataset.status)") == ["PAID"] * 3
    expect(page.locator("#invoice-panel")).not_to_contain_text(number)
    session.shot("invoices-paid")
    page.get_by_test_id("invoice-tab-all").click()
    expect(rows).to_have_count(4)

    # The Internet sub-service page: usage chart with bars, and its two devices.
    page.get_by_test_id("nav-dashboard").click()
    card(page, "INTERNET").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/services/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Internet – Home")
    chart = page.get_by_test_id("usage-chart")
    expect(chart).to_be_visible()
    assert chart.locator("svg rect").count() > 0, "usage chart drew no bars"
    expect(page.get_by_test_id("device-row")).to_have_count(2)
    expect(page.get_by_test_id("service-status")).to_contain_text("Active")
    expect(page.get_by_text("300/50 Mbps")).to_be_visible()
    session.shot("service")
    assert session.page_errors == []


def test_suspended_service_and_overdue_invoice(session: Session) -> None:
    page = session.page
    session.login("ben@okafor.example")

    internet = card(page, "INTERNET")
    expect(internet).to_have_count(1)
    expect(internet).to_have_attribute("data-status", "SUSPENDED")
    expect(internet).to_contain_text("unpaid invoice")
    expect(internet).to_contain_text("Paying the overdue invoice reactivates this service")

    # The strip shows money overdue, not merely outstanding.
    overdue = money_value(stat(page, "Overdue").inner_text())
    assert float(overdue) > 0, f"nothing overdue on the dashboard: {overdue}"
    expect(page.get_by_test_id("financial-summary")).to_contain_text("overdue")
    session.shot()

    # Invoices: the overdue invoice (12 days past its due date in the seed) comes first; when its period has
    # ended, the current period's invoice follows, open.
    page.get_by_test_id("cta-invoices").click()
    rows = page.get_by_test_id("invoice-row")
    expect(rows.first).to_be_visible()
    assert rows.count() in (1, 2)
    assert rows.evaluate_all("els => els.map(e => e.dataset.status)")[1:] in ([], ["OPEN"])
    row = rows.first
    expect(row).to_have_attribute("data-status", "OVERDUE")
    expect(row.locator('td[data-label="Status"]')).to_have_text("Overdue")
    due_cell = row.locator('td[data-label="Due"]')
    expect(due_cell).to_contain_text(us_date(days_from_today(-12)))
    expect(due_cell).to_contain_text("12 days overdue")
    assert money_value(row.locator('td[data-label="Balance"]').inner_text()) == overdue
    session.shot("invoices")

    # The service page says the same and links to the open invoices.
    page.get_by_test_id("nav-dashboard").click()
    internet.get_by_role("link").click()
    status = page.get_by_test_id("service-status")
    expect(status).to_contain_text("Suspended — unpaid invoice")
    expect(status.get_by_role("link", name="View open invoices")).to_be_visible()
    assert session.page_errors == []


def test_phone_viewport_dashboard_fits_and_nav_reachable(open_session: Callable[..., Session]) -> None:
    session = open_session(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    page = session.page
    session.login("ana@lima.example")
    expect(page.get_by_test_id("subservice-card")).to_have_count(2)
    expect(page.get_by_test_id("financial-summary")).to_be_visible()

    def scroll_width() -> int:
        width: int = page.evaluate("document.documentElement.scrollWidth")
        return width

    assert scroll_width() <= 375, f"dashboard scrolls sideways on a phone: scrollWidth={scroll_width()}"
    session.shot()

    # Every main navigation entry is on screen (inside the 375 px width) and works.
    for name in ("dashboard", "invoices", "wallet", "installments"):
        link = page.get_by_test_id(f"nav-{name}")
        expect(link).to_be_visible()
        expect(link).to_be_in_viewport()
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375 + 0.5, (name, box)

    page.get_by_test_id("nav-invoices").tap()
    expect(page).to_have_url(re.compile(r"/invoices"))
    expect(page.get_by_test_id("invoice-row")).to_have_count(1)
    assert scroll_width() <= 375, f"invoices page scrolls sideways on a phone: scrollWidth={scroll_width()}"
    session.shot("invoices")

    page.get_by_test_id("nav-wallet").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wallet")
    expect(page.get_by_test_id("wallet-balance")).to_have_text("$5.00")
    assert scroll_width() <= 375
    assert session.page_errors == []
