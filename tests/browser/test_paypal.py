"""PayPal in the browser: the demo offers both gateways (`GATEWAYS=stripe,paypal`), so the invoice payment screen
asks "Pay with"; Ben chooses PayPal, approves on the sandbox emulator's PayPal page, comes back through the BFF's
return endpoint (which captures) and sees his overdue invoice paid and his Internet back. The module runs its own
demo: it changes money state."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import demo_server
from .helpers import DemoServer, Session, money_value
from .payflow import ANA, BEN, LIVE_MS, Core, expect_confirmed, open_invoice_row, raw_invoice_id

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "paypal"


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    with demo_server() as running:
        yield running


def test_ben_pays_his_overdue_invoice_with_paypal(session: Session, core: Core) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = session.page
    session.login(BEN)
    page.get_by_test_id("nav-invoices").click()
    row = open_invoice_row(page)
    expect(row).to_have_attribute("data-status", "OVERDUE")
    number = row.locator('td[data-label="Invoice"]').inner_text().strip()
    balance = money_value(row.locator('td[data-label="Balance"]').inner_text())

    # Two gateways configured: the choice is there, the card (Stripe) first.
    choice = row.get_by_test_id("pay-gateway")
    expect(choice).to_have_value("STRIPE")
    assert choice.locator("option").all_inner_texts() == ["Card", "PayPal"]
    choice.select_option("PAYPAL")
    page.screenshot(path=str(ARTIFACTS / "invoices-pay-with-paypal.png"), full_page=True)
    row.get_by_test_id("pay-invoice").click()

    # PayPal's approval page (the sandbox emulator), for exactly that amount.
    expect(page).to_have_url(re.compile(r"/_sandbox/paypal/checkoutnow\?token=[A-Z0-9]+$"))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_be_visible()
    assert money_value(heading.inner_text()) == balance
    expect(page.get_by_text(f"Invoice {number}")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "paypal-approval-page.png"), full_page=True)
    page.get_by_role("button", name="Pay", exact=True).click()

    # Back on the portal: confirmed, the invoice paid and the service back (captured on the way back).
    confirmation = expect_confirmed(page, number, balance)
    expect(confirmation).to_be_visible()
    expect(page.get_by_test_id("reactivated-service")).to_contain_text(
        "Internet – Home is active again", timeout=LIVE_MS
    )
    page.screenshot(path=str(ARTIFACTS / "return-page-paid.png"), full_page=True)
    invoice = core.invoice(raw_invoice_id(page))
    assert invoice["status"] == "PAID"
    assert core.service("SS-1002-1") == ("ACTIVE", None)
    assert session.page_errors == []


def test_ana_tops_up_her_wallet_with_paypal(session: Session, core: Core) -> None:
    page = session.page
    session.login(ANA)
    page.get_by_test_id("nav-wallet").click()
    balance = page.get_by_test_id("wallet-balance")
    expect(balance).to_have_text(re.compile(r"^\$"))
    before = Decimal(money_value(balance.inner_text()))

    page.get_by_test_id("topup-amount").fill("15.00")
    page.get_by_test_id("topup-gateway").select_option("PAYPAL")
    page.screenshot(path=str(ARTIFACTS / "wallet-top-up-with-paypal.png"), full_page=True)
    page.get_by_test_id("topup-submit").click()
    expect(page).to_have_url(re.compile(r"/_sandbox/paypal/checkoutnow\?token=[A-Z0-9]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("$15.00")
    page.get_by_role("button", name="Pay", exact=True).click()

    expect(page).to_have_url(re.compile(r"/payments/return\?kind=topup"))
    confirmation = page.get_by_test_id("payment-confirmation")
    expect(confirmation).to_be_visible(timeout=LIVE_MS)
    assert core.wallet("SUB-1001") == before + 15
    assert session.page_errors == []
