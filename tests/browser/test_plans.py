"""Changing plan and buying add-ons in the browser: Ana upgrades her Internet from the sub-service page (the
plans, Billing's proration preview, the confirmation) and the new speed appears at once — in that tab and, pushed
over the subscription, in another tab that did nothing; then she buys a data top-up from her wallet."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import expect

from .conftest import demo_server
from .helpers import DemoServer, Session

pytestmark = pytest.mark.browser

ANA_INTERNET = "/services/U3ViU2VydmljZTpTUy0xMDAxLTE"  # SubService:SS-1001-1, as the dashboard links it


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    """This module's own demo process: it changes Ana's plan and wallet."""
    with demo_server() as running:
        yield running


def test_upgrade_preview_confirm_and_the_new_speed_shows_live(open_session: Callable[..., Session]) -> None:
    session = open_session()
    page = session.page
    session.login("ana@lima.example")
    # A second tab on the same service, left alone: it must follow the change without a reload.
    watcher = session.context.new_page()
    watcher.goto(session.demo.base_url + ANA_INTERNET)
    expect(watcher.get_by_test_id("service-speed")).to_have_text("300/50 Mbps")

    session.goto(ANA_INTERNET)
    expect(page.get_by_test_id("service-speed")).to_have_text("300/50 Mbps")
    page.get_by_test_id("change-plan").click()
    options = page.get_by_test_id("plan-option")
    expect(options.filter(has_text="your plan")).to_have_attribute("data-code", "fiber-300")
    expect(page.get_by_test_id("confirm-plan-change")).to_be_disabled()  # nothing chosen yet
    page.locator('[data-testid="plan-option"][data-code="fiber-1000"] input').check()

    preview = page.get_by_test_id("plan-preview")
    expect(preview).to_have_attribute("data-direction", "UPGRADE")
    expect(preview).to_contain_text("Fiber 1000 starts today")
    expect(preview).to_contain_text("credited $")
    expect(page.get_by_test_id("plan-preview-net")).to_have_text(re.compile(r"^-?\$\d+\.\d\d$"))
    expect(preview).to_contain_text("New monthly charge: $84.99")  # 79.99 + the static IP
    session.shot("preview")

    page.get_by_test_id("confirm-plan-change").click()
    expect(page.get_by_test_id("plan-change-result")).to_have_text("You are now on Fiber 1000.")
    expect(page.get_by_test_id("service-speed")).to_have_text("1000/200 Mbps")
    expect(page.get_by_test_id("service-plan")).to_have_text("Fiber 1000")
    # Pushed: the other tab shows the new speed without having been reloaded.
    expect(watcher.get_by_test_id("service-speed")).to_have_text("1000/200 Mbps")
    expect(watcher.get_by_test_id("service-plan")).to_have_text("Fiber 1000")
    # The proration waits for the next invoice, and says so.
    adjustments = page.get_by_test_id("next-invoice-adjustments")
    expect(adjustments).to_contain_text("Credit for unused Fiber 300")
    expect(adjustments).to_contain_text("-$")
    session.shot("upgraded")
    session.shot("watcher", page=watcher)

    # The plan list now marks Fiber 1000 as hers.
    page.get_by_test_id("change-plan").click()
    expect(options.filter(has_text="your plan")).to_have_attribute("data-code", "fiber-1000")
    assert session.page_errors == []


def test_a_data_top_up_from_the_wallet(open_session: Callable[..., Session]) -> None:
    session = open_session()
    page = session.page
    session.login("ana@lima.example")
    session.goto(ANA_INTERNET)
    offer = page.locator('[data-testid="addon-offer"][data-code="data-topup-10"]')
    expect(offer).to_contain_text("$3.00")
    expect(page.locator('[data-testid="addon-offer"][data-code="static-ip"]')).to_contain_text("Active")
    offer.get_by_test_id("buy-addon-wallet").click()
    dialog = page.get_by_test_id("addon-confirm")
    expect(dialog).to_contain_text("$3.00 from your wallet")
    dialog.get_by_test_id("confirm-ok").click()
    expect(page.get_by_test_id("addon-result")).to_have_text(
        "Data top-up 10 GB added for $3.00. Wallet balance: $2.00."
    )
    # 50 GB costs more than is left: refused with the reason, nothing taken.
    page.locator('[data-testid="addon-offer"][data-code="extra-data-50"]').get_by_test_id(
        "buy-addon-wallet"
    ).click()
    dialog.get_by_test_id("confirm-ok").click()
    expect(dialog).to_contain_text("Your wallet balance is not enough for this")
    session.shot()
    assert session.page_errors == []
