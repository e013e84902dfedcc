"""One source of truth for money, status and counts: after a payment settles, every place that shows an amount or a
status agrees — without a reload — because the live events update the web's normalized cache (web/src/api/cache.ts)
and every card reads from it. And the notifications that tell about it open what they are about.

The module runs its own demo (it pays an invoice)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import expect

from .conftest import demo_server
from .helpers import DemoServer, Session, money_value
from .payflow import (
    ANA,
    BEN,
    LIVE_MS,
    Core,
    Loads,
    Subscriptions,
    card,
    expect_confirmed,
    open_invoice_row,
    pay_invoice_on_gateway,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    with demo_server() as running:
        yield running


def test_after_paying_the_summary_the_service_cards_and_the_invoice_list_agree_without_a_reload(
    session: Session, core: Core
) -> None:
    dashboard = session.page
    watched = Subscriptions(dashboard)
    session.login(ANA)
    strip = dashboard.get_by_test_id("financial-summary")
    expect(strip).to_contain_text("is due")
    outstanding = strip.locator(".stat").filter(has_text="Outstanding").locator(".stat__value")
    owed = money_value(outstanding.inner_text())
    assert owed != "0.00"
    internet, iptv = card(dashboard, "INTERNET"), card(dashboard, "IPTV")
    # Each card shows what its service owes; at least one of them owes something before the payment.
    card_amounts = [re.findall(r"\$([\d,]+\.\d{2}) outstanding", c.inner_text()) for c in (internet, iptv)]
    assert all(len(a) == 1 for a in card_amounts) and any(a != ["0.00"] for a in card_amounts), card_amounts
    watched.wait_for(dashboard, "paymentSettled")
    dashboard_loads = Loads(dashboard)

    # A second tab shows the open invoices list, and stays open.
    invoices = session.context.new_page()
    invoices_watched = Subscriptions(invoices)
    invoices.goto(session.demo.base_url + "/invoices")
    listed = open_invoice_row(invoices)
    expect(listed).to_have_attribute("data-status", "OPEN")
    number = listed.locator('td[data-label="Invoice"]').inner_text().strip()
    invoices_watched.wait_for(invoices, "invoiceChanged")
    invoices_loads = Loads(invoices)

    # A third tab pays it on the gateway's page.
    payer = session.context.new_page()
    payer.goto(session.demo.base_url + "/invoices")
    row = open_invoice_row(payer, number)
    balance = money_value(row.locator('td[data-label="Balance"]').inner_text())
    assert balance == owed
    pay_invoice_on_gateway(payer, row, number, balance, "Ana Lima")
    expect_confirmed(payer, number, balance)
    assert core.invoice_by_number("SUB-1001", number)["status"] == "PAID"

    # The dashboard, untouched: the strip and both service cards say nothing is owed.
    expect(strip).to_contain_text("No payment due", timeout=LIVE_MS)
    expect(outstanding).to_have_text("$0.00")
    expect(strip.locator(".stat").filter(has_text="Overdue").locator(".stat__value")).to_have_text("$0.00")
    for service in (internet, iptv):
        expect(service).to_contain_text("$0.00 outstanding", timeout=LIVE_MS)
        expect(service.locator(".text-due")).to_have_count(0)
    session.shot("dashboard")

    # The invoices tab, untouched: the row says PAID with nothing left to pay.
    paid = invoices.get_by_test_id("invoice-row").filter(has_text=number)
    expect(paid).to_have_attribute("data-status", "PAID", timeout=LIVE_MS)
    expect(paid.locator('td[data-label="Balance"]')).to_have_text("$0.00")
    expect(paid.get_by_test_id("pay-invoice")).to_have_count(0)
    session.shot("invoices", invoices)

    assert dashboard_loads.urls == [], f"the dashboard was reloaded: {dashboard_loads.urls}"
    assert invoices_loads.urls == [], f"the invoices tab was reloaded: {invoices_loads.urls}"
    assert session.page_errors == []


def test_a_notification_opens_what_it_is_about_and_is_marked_read_by_keyboard_or_click(
    open_session: Callable[..., Session],
) -> None:
    # Ben, by keyboard only: the bell, Tab to the suspension notice, Enter.
    ben = open_session()
    page = ben.page
    ben.login(BEN)
    count = page.get_by_test_id("notifications-count")
    expect(count).to_be_visible()
    unread = int(count.inner_text())
    page.get_by_test_id("notifications-bell").focus()
    page.keyboard.press("Enter")
    notice = page.get_by_test_id("notification-item").filter(has_text="Service suspended")
    expect(notice).to_have_attribute("data-read", "false")
    for _ in range(12):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement?.textContent ?? ''")
        if "Service suspended" in focused:
            break
    else:
        raise AssertionError("the suspension notice never took the keyboard focus")
    ben.shot("bell-focused")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/services/[^/]+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Internet")
    if unread > 1:
        expect(count).to_have_text(str(unread - 1))
    else:
        expect(count).to_have_count(0)
    # Read on the server too: still read after a reload.
    page.reload()
    page.get_by_test_id("notifications-bell").click()
    expect(page.get_by_test_id("notification-item").filter(has_text="Service suspended")).to_have_attribute(
        "data-read", "true"
    )
    assert ben.page_errors == []

    # Ana, with the mouse: a click anywhere on the notice (here its text, not its title) opens the invoices.
    ana = open_session()
    ana.login(ANA)
    ana.page.get_by_test_id("notifications-bell").click()
    issued = ana.page.get_by_test_id("notification-item").filter(has_text="Invoice issued")
    expect(issued).to_have_attribute("data-read", "false")
    issued.locator(".bell__item-body").click()
    expect(ana.page).to_have_url(re.compile(r"/invoices\?tab=all$"))
    expect(ana.page.get_by_test_id("invoice-row").first).to_be_visible()
    ana.page.get_by_test_id("notifications-bell").click()
    expect(ana.page.get_by_test_id("notification-item").filter(has_text="Invoice issued")).to_have_attribute(
        "data-read", "true"
    )
    assert ana.page_errors == []


def test_a_redeemed_gift_card_arrives_in_the_bell_once_and_opens_the_wallet(session: Session) -> None:
    page = session.page
    watched = Subscriptions(page)
    session.login(ANA)
    page.get_by_test_id("nav-wallet").click()
    watched.wait_for(page, "notificationReceived")
    count = page.get_by_test_id("notifications-count")
    bell = page.get_by_test_id("notifications-bell")
    expect(bell).to_have_attribute("data-unread", re.compile(r"^\d+$"))  # the bell has loaded
    unread = int(bell.get_attribute("data-unread") or "0")

    page.get_by_test_id("giftcard-code").fill("WG-GIFT-25")
    page.get_by_test_id("giftcard-submit").click()
    expect(page.get_by_test_id("giftcard-result")).to_have_attribute("data-outcome", "success")
    # Billing's event → /hooks/core → a notification in the CRM → its event → the bell, live.
    expect(count).to_have_text(str(unread + 1), timeout=LIVE_MS)
    page.get_by_test_id("nav-dashboard").click()
    page.get_by_test_id("notifications-bell").click()
    gift = page.get_by_test_id("notification-item").filter(has_text="Gift card redeemed")
    expect(gift).to_have_count(1)
    expect(gift).to_contain_text("$25.00")
    # Its text states a date; only its stamp is relative ("now", "2 days ago").
    expect(gift.locator(".bell__item-body")).not_to_contain_text(re.compile(r"\bnow\b|\bin \d+ days\b"))
    session.shot("bell")
    gift.get_by_test_id("notification-link").click()
    expect(page).to_have_url(re.compile(r"/wallet$"))
    expect(bell).to_have_attribute("data-unread", str(unread))
    assert session.page_errors == []
