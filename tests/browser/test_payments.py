"""Money in the browser: paying invoices on the gateway's hosted page, declines and 3-D Secure, a
suspended service coming back live in another tab, wallet credit and gift cards, saving a card, autopay and a
billing run that charges it with nobody at the keyboard.

These tests change money state, so the module runs its own `wispgate demo` (the package's shared one keeps the
seed the read-only tests expect). Within the module each test uses subscribers no other test here pays for, or
asserts relative changes; the only deliberate hand-over is ana's saved card and autopay from the first test to
the last (which sets them up again when run alone). What the browser shows is cross-checked against the core's
own APIs (Billing, AAA) with the sandbox's service and operator keys, as a back office would see it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from .conftest import demo_server
from .helpers import DemoServer, Session, money_value
from .payflow import (
    ANA,
    BEN,
    CARA,
    DECLINED_CARD,
    GOOD_CARD,
    HARBOR_MANAGER,
    LIVE_MS,
    NO_FUNDS_CARD,
    NORTHWIND_FINANCE,
    THREE_DS_CARD,
    Core,
    Loads,
    Subscriptions,
    card,
    expect_confirmed,
    not_reloaded,
    on_gateway,
    open_invoice_row,
    pay_invoice_on_gateway,
    raw_invoice_id,
    save_card_and_enable_autopay,
    submit_card,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    """This module's own demo process (overrides the package-wide one)."""
    with demo_server() as running:
        yield running


# ----------------------------------------------------------------------------------------------- tests


def test_ana_pays_her_invoice_saves_a_card_and_turns_on_autopay(session: Session, core: Core) -> None:
    page = session.page
    session.login(ANA)

    # Dashboard: Internet and IPTV, and the invoice due.
    cards = page.get_by_test_id("subservice-card")
    expect(cards).to_have_count(2)
    assert sorted(cards.evaluate_all("els => els.map(e => e.dataset.kind)")) == ["INTERNET", "IPTV"]
    expect(page.get_by_test_id("financial-summary")).to_contain_text("due in 5 days")
    session.shot("dashboard")

    page.get_by_test_id("nav-invoices").click()
    row = open_invoice_row(page)
    expect(page.get_by_test_id("invoice-row")).to_have_count(1)
    expect(row).to_have_attribute("data-status", "OPEN")
    number = row.locator('td[data-label="Invoice"]').inner_text().strip()
    balance = money_value(row.locator('td[data-label="Balance"]').inner_text())
    before = core.invoice_by_number("SUB-1001", number)
    assert before["balance"]["amount"] == balance

    # Pay now → the gateway's page → 4242 → back on the portal, confirmed without a reload.
    row.get_by_test_id("pay-invoice").click()
    on_gateway(page)
    assert money_value(page.get_by_test_id("amount").inner_text()) == balance
    session.shot("gateway")
    loads = Loads(page)
    submit_card(page, GOOD_CARD, "Ana Lima")
    confirmation = expect_confirmed(page, number, balance)
    not_reloaded(page, loads, "/payments/return")
    expect(page.get_by_test_id("reactivated-service")).to_have_count(0)
    session.shot("confirmation")
    paid = core.invoice(raw_invoice_id(page))
    assert (paid["number"], paid["status"], paid["balance"]["amount"]) == (number, "PAID", "0.00")

    # The invoices page shows it PAID.
    confirmation.get_by_role("link", name="View paid invoices").click()
    paid_row = page.get_by_test_id("invoice-row").filter(has_text=number)
    expect(paid_row).to_have_attribute("data-status", "PAID")
    page.get_by_test_id("invoice-tab-open").click()
    expect(page.get_by_test_id("invoice-row").filter(has_text=number)).to_have_count(0)
    session.shot("invoices")

    # Cards & autopay.
    save_card_and_enable_autopay(session, "Ana Lima")
    account = core.account("SUB-1001")
    assert account["autopay"] is True and account["default_payment_method_id"], account
    assert session.page_errors == []


def test_paying_ben_overdue_invoice_brings_internet_back_live_in_the_other_tab(
    session: Session, core: Core
) -> None:
    dashboard = session.page
    subscriptions = Subscriptions(dashboard)
    session.login(BEN)
    internet = card(dashboard, "INTERNET")
    expect(internet).to_have_attribute("data-status", "SUSPENDED")
    subscriptions.wait_for(dashboard, "serviceStatusChanged")
    dashboard_loads = Loads(dashboard)
    session.shot("dashboard-suspended")

    # A second tab of the same browser session pays the overdue invoice.
    payer = session.context.new_page()
    payer.goto(session.demo.base_url + "/invoices")
    row = open_invoice_row(payer)
    expect(row).to_have_attribute("data-status", "OVERDUE")
    number = row.locator('td[data-label="Invoice"]').inner_text().strip()
    balance = money_value(row.locator('td[data-label="Balance"]').inner_text())
    pay_invoice_on_gateway(payer, row, number, balance, "Ben Okafor")
    expect_confirmed(payer, number, balance)
    reactivated = payer.get_by_test_id("reactivated-service")
    expect(reactivated).to_have_count(1)
    expect(reactivated).to_contain_text("Internet – Home is active again")
    session.shot("return-page", payer)

    # The first tab, untouched: its Internet card turns ACTIVE by itself.
    expect(internet).to_have_attribute("data-status", "ACTIVE", timeout=LIVE_MS)
    expect(internet).not_to_contain_text("Paying the overdue invoice")
    assert dashboard_loads.urls == [], f"the dashboard tab was reloaded: {dashboard_loads.urls}"
    session.shot("dashboard-active")
    assert core.service("SS-1002-1") == ("ACTIVE", None)
    assert core.invoice(raw_invoice_id(payer))["status"] == "PAID"
    assert session.page_errors == []


def test_declined_cards_say_why_and_change_nothing(session: Session, core: Core) -> None:
    page = session.page
    session.login(HARBOR_MANAGER)
    page.get_by_test_id("nav-invoices").click()
    row = open_invoice_row(page)
    expect(row).to_have_attribute("data-status", "OPEN")
    number = row.locator('td[data-label="Invoice"]').inner_text().strip()
    before = core.invoice_by_number("SUB-3001", number)
    wallet_before = core.wallet("SUB-3001")

    row.get_by_test_id("pay-invoice").click()
    on_gateway(page)
    submit_card(page, DECLINED_CARD, "Maya Chen")
    error = page.get_by_test_id("card-error")
    expect(error).to_have_text("Your card was declined.")
    on_gateway(page)  # still on the gateway's page, the form offered again
    expect(page.get_by_test_id("card-number")).to_have_value("")
    session.shot("declined")

    submit_card(page, NO_FUNDS_CARD, "Maya Chen")
    expect(error).to_have_text("Your card has insufficient funds.")
    session.shot("insufficient-funds")

    # Cancel back to the portal: nothing was charged, the invoice is still open with the same balance.
    page.get_by_test_id("cancel-link").click()
    expect(page).to_have_url(re.compile(r"/invoices\?cancelled=1"))
    expect(page.get_by_test_id("payment-cancelled")).to_contain_text("nothing was charged")
    expect(page.get_by_test_id("invoice-row").filter(has_text=number)).to_have_attribute(
        "data-status", "OPEN"
    )
    session.shot("cancelled")
    after = core.invoice(before["id"])
    assert after["status"] == before["status"] == "OPEN"
    assert after["balance"] == before["balance"]
    assert after["amount_paid"] == before["amount_paid"] == {"amount": "0.00", "currency": "USD"}
    assert core.wallet("SUB-3001") == wallet_before
    assert session.page_errors == []


def test_three_d_secure_card_authenticates_then_pays(session: Session, core: Core) -> None:
    page = session.page
    session.login(HARBOR_MANAGER)
    page.get_by_test_id("nav-invoices").click()
    row = page.get_by_test_id("invoice-row").nth(1)  # not the one the decline test used
    expect(row).to_have_attribute("data-status", "OPEN")
    number = row.locator('td[data-label="Invoice"]').inner_text().strip()
    balance = money_value(row.locator('td[data-label="Balance"]').inner_text())

    row.get_by_test_id("pay-invoice").click()
    on_gateway(page)
    submit_card(page, THREE_DS_CARD, "Maya Chen")
    expect(page).to_have_url(re.compile(r"/_sandbox/gateway/pay/[^/]+/authenticate$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it's you")
    assert core.invoice_by_number("SUB-3001", number)["status"] == "OPEN"  # nothing before authentication
    session.shot("authenticate")
    page.get_by_test_id("3ds-complete").click()

    expect_confirmed(page, number, balance)
    session.shot("confirmation")
    paid = core.invoice(raw_invoice_id(page))
    assert (paid["number"], paid["status"]) == (number, "PAID")
    assert session.page_errors == []


def test_paying_does_not_lift_an_administrative_suspension(session: Session, core: Core) -> None:
    page = session.page
    session.login(CARA)
    internet = card(page, "INTERNET")
    expect(internet).to_have_attribute("data-status", "SUSPENDED")
    expect(internet).to_contain_text("Please contact your provider")

    page.get_by_test_id("nav-invoices").click()
    row = open_invoice_row(page)
    expect(row).to_have_attribute("data-status", "OPEN")
    number = row.locator('td[data-label="Invoice"]').inner_text().strip()
    balance = money_value(row.locator('td[data-label="Balance"]').inner_text())
    pay_invoice_on_gateway(page, row, number, balance, "Cara Jensen")
    expect_confirmed(page, number, balance)
    paid_id = raw_invoice_id(page)
    expect(page.get_by_test_id("reactivated-service")).to_have_count(0)
    session.shot("confirmation")

    # The webhook's work is done once the payment notification exists (it is written after any reactivation).
    bell = page.get_by_test_id("notifications-bell")
    expect(page.get_by_test_id("notifications-count")).to_be_visible(timeout=LIVE_MS)
    bell.click()
    expect(page.get_by_test_id("notification-item").filter(has_text=number)).to_have_attribute(
        "data-kind", "PAYMENT_RECEIVED"
    )
    page.keyboard.press("Escape")
    assert core.service("SS-1003-1") == ("SUSPENDED", "ADMINISTRATIVE")

    page.get_by_test_id("nav-dashboard").click()
    expect(internet).to_have_attribute("data-status", "SUSPENDED")
    expect(internet).to_contain_text("Please contact your provider")
    session.shot("dashboard-still-suspended")
    assert core.invoice(paid_id)["status"] == "PAID"
    assert session.page_errors == []


def test_wallet_credit_pays_part_of_an_invoice(session: Session, core: Core) -> None:
    page = session.page
    session.login(NORTHWIND_FINANCE)
    page.get_by_test_id("nav-wallet").click()
    wallet_before = Decimal(money_value(page.get_by_test_id("wallet-balance").inner_text()))
    assert wallet_before > 0 and wallet_before == core.wallet("SUB-2001")

    page.get_by_test_id("nav-invoices").click()
    row = open_invoice_row(page)
    expect(row).to_have_attribute("data-status", "OPEN")
    number = row.locator('td[data-label="Invoice"]').inner_text().strip()
    balance_before = Decimal(money_value(row.locator('td[data-label="Balance"]').inner_text()))
    applied = min(wallet_before, balance_before)

    row.get_by_test_id("pay-from-wallet").click()
    dialog = page.get_by_test_id("wallet-confirm")
    expect(dialog).to_be_visible()
    assert Decimal(money_value(page.get_by_test_id("wallet-apply-amount").inner_text())) == applied
    session.shot("confirm")
    dialog.get_by_test_id("confirm-ok").click()
    expect(page.get_by_test_id("pay-wallet-result")).to_contain_text(f"${applied:,.2f} paid from your wallet")
    row = page.get_by_test_id("invoice-row").filter(has_text=number)
    expect(row.locator('td[data-label="Balance"]')).to_have_text(f"${balance_before - applied:,.2f}")
    session.shot("applied")

    invoice = core.invoice_by_number("SUB-2001", number)
    assert Decimal(invoice["balance"]["amount"]) == balance_before - applied
    assert core.wallet("SUB-2001") == wallet_before - applied
    page.get_by_test_id("nav-wallet").click()
    expect(page.get_by_test_id("wallet-balance")).to_have_text(f"${wallet_before - applied:,.2f}")
    session.shot("wallet")
    assert session.page_errors == []


def test_gift_card_credits_the_wallet_once(session: Session, core: Core) -> None:
    page = session.page
    session.login(ANA)
    page.get_by_test_id("nav-wallet").click()
    balance = page.get_by_test_id("wallet-balance")
    expect(balance).to_have_text(re.compile(r"^\$"))
    before = Decimal(money_value(balance.inner_text()))

    page.get_by_test_id("giftcard-code").fill("WG-GIFT-25")
    page.get_by_test_id("giftcard-submit").click()
    result = page.get_by_test_id("giftcard-result")
    expect(result).to_have_attribute("data-outcome", "success")
    expect(result).to_contain_text("$25.00")
    expect(balance).to_have_text(f"${before + 25:,.2f}")
    session.shot("redeemed")
    assert core.wallet("SUB-1001") == before + 25

    page.get_by_test_id("giftcard-code").fill("WG-GIFT-25")
    page.get_by_test_id("giftcard-submit").click()
    expect(result).to_have_attribute("data-outcome", "error")
    expect(result).to_contain_text("This gift card has already been redeemed.")
    expect(balance).to_have_text(f"${before + 25:,.2f}")
    session.shot("again")
    assert core.wallet("SUB-1001") == before + 25
    assert session.page_errors == []


def test_billing_run_charges_autopay_and_notifies_with_no_human_step(session: Session, core: Core) -> None:
    page = session.page
    subscriptions = Subscriptions(page)
    session.login(ANA)
    account = core.account("SUB-1001")
    if not (account["autopay"] and account["default_payment_method_id"]):
        save_card_and_enable_autopay(session, "Ana Lima")  # this test run alone
        page.get_by_test_id("nav-dashboard").click()
    subscriptions.wait_for(page, "notificationReceived")
    count = page.get_by_test_id("notifications-count")
    unread_before = int(count.inner_text()) if count.count() else 0
    session.shot("before")

    # The operator's billing run for the next period: the new invoice is charged to the saved card.
    as_of = date.fromisoformat(core.account("SUB-1001")["cycle"]["next_invoice_on"])
    run = core.billing_run(as_of, "SUB-1001")
    assert len(run["invoices_issued"]) == 1, run
    assert run["autopay"] == "RAN" and len(run["charged"]) >= 1, run
    new_id = run["invoices_issued"][0]
    invoice = core.wait_invoice(new_id, "PAID")
    assert invoice["status"] == "PAID", f"autopay did not settle {invoice['number']}: {invoice}"

    # The bell counts it live, and lists the payment.
    expect(count).to_have_text(re.compile(r"^\d+$"), timeout=LIVE_MS)
    deadline = time.monotonic() + LIVE_MS / 1000
    while int(count.inner_text()) <= unread_before:
        assert time.monotonic() < deadline, "no new notification arrived in the bell"
        page.wait_for_timeout(200)
    page.get_by_test_id("notifications-bell").click()
    item = page.get_by_test_id("notification-item").filter(has_text=invoice["number"])
    expect(item).to_have_count(1)
    expect(item).to_have_attribute("data-kind", "PAYMENT_RECEIVED")
    session.shot("bell")
    page.keyboard.press("Escape")

    page.get_by_test_id("nav-invoices").click()
    page.get_by_test_id("invoice-tab-all").click()
    expect(page.get_by_test_id("invoice-row").filter(has_text=invoice["number"])).to_have_attribute(
        "data-status", "PAID"
    )
    session.shot("invoices")
    assert session.page_errors == []
