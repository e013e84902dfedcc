"""Dunning in the browser: ana's autopay card is declined by the operator's billing run; the dashboard and the
invoices page say so with the retry day and every attempt; "Update card and pay" pays the invoice on the gateway's
page with a new card, which becomes the card autopay charges, and the notice is gone. Its own demo (money state)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from .conftest import demo_server
from .helpers import DemoServer, Session, days_from_today, money_value, us_date
from .payflow import ANA, GOOD_CARD, LIVE_MS, Core, expect_confirmed, on_gateway, submit_card

pytestmark = pytest.mark.browser

DECLINES_LATER = "4000 0000 0000 0341"  # saving works; every charge is declined


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    with demo_server() as running:
        yield running


def save_declining_card_with_autopay(session: Session) -> None:
    page = session.page
    page.get_by_test_id("nav-payment-methods").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cards & autopay")
    page.get_by_test_id("add-card").click()
    on_gateway(page, "setup")
    submit_card(page, DECLINES_LATER, "Ana Lima")
    expect(page.get_by_test_id("payment-confirmation")).to_be_visible(timeout=LIVE_MS)
    page.get_by_test_id("payment-confirmation").get_by_role("link", name="Cards & autopay").click()
    expect(page.get_by_test_id("card-row").filter(has_text="•••• 0341")).to_have_count(1)
    toggle = page.get_by_test_id("autopay-toggle")
    expect(toggle).to_be_enabled()
    toggle.click()
    expect(toggle).to_be_checked()


def test_declined_autopay_is_shown_with_its_retry_and_paid_in_one_step(session: Session, core: Core) -> None:
    page = session.page
    session.login(ANA)
    save_declining_card_with_autopay(session)
    [due] = core.invoices("SUB-1001", "OPEN")
    today = days_from_today(0)

    run = core.billing_run(today, "SUB-1001")
    [charge] = [c for c in run["charged"] if c["invoice_id"] == due["id"]]
    assert charge["succeeded"] is False and charge["decline_code"] == "generic_decline"

    # The dashboard: the notice with the day of the decline and of the retry (day 1 of the schedule).
    session.goto("/")
    notice = page.get_by_test_id("dunning-notice")
    expect(notice).to_have_count(1)
    expect(notice).to_have_attribute("data-state", "RETRYING")
    expect(notice).to_contain_text(f"Your card was declined on {us_date(today)} for invoice {due['number']}")
    expect(notice).to_contain_text(f"We'll retry on {us_date(today + timedelta(days=1))}.")
    expect(notice.get_by_test_id("update-card-and-pay")).to_be_visible()
    session.shot("dashboard")

    # The invoices page: every attempt.
    page.get_by_test_id("nav-invoices").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invoices")
    attempts = page.get_by_test_id("dunning-notice").get_by_test_id("dunning-attempt")
    expect(attempts).to_have_count(1)
    expect(attempts.first).to_contain_text("charge — declined by the bank")
    expect(page.get_by_test_id("invoice-row").filter(has_text=due["number"])).to_be_visible()
    session.shot("invoices")

    # Live: the first retry (day 1), declined too, shows up on the open page by itself (the decline's notification
    # makes the notice read again): two attempts, the next retry on day 3.
    retry = core.billing_run(today + timedelta(days=1), "SUB-1001")
    assert [c["retry"] for c in retry["charged"] if c["invoice_id"] == due["id"]] == [1]
    expect(attempts).to_have_count(2, timeout=LIVE_MS)
    expect(page.get_by_test_id("dunning-notice")).to_contain_text(
        f"We'll retry on {us_date(today + timedelta(days=3))}."
    )

    # One step: the invoice's checkout with a new card, which autopay charges from now on.
    page.get_by_test_id("update-card-and-pay").click()
    on_gateway(page)
    assert money_value(page.get_by_test_id("amount").inner_text()) == due["balance"]["amount"]
    submit_card(page, GOOD_CARD, "Ana Lima")
    expect_confirmed(page, due["number"], due["balance"]["amount"])
    assert core.wait_invoice(due["id"], "PAID")["status"] == "PAID"
    page.get_by_test_id("nav-payment-methods").click()
    default = page.get_by_test_id("card-row").filter(has_text="Autopay")
    expect(default).to_have_count(1)
    expect(default).to_contain_text("•••• 4242")
    session.goto("/")
    expect(page.get_by_test_id("logout")).to_be_visible()
    expect(page.get_by_test_id("dunning-notice")).to_have_count(0)
    assert re.search(r"/$", page.url)
