"""Several invoices in one payment, in the browser: the MDU's manager ticks two overdue apartment invoices on the
invoices page (by keyboard and by mouse), sees their total in the sticky summary, pays "Pay 2 invoices" on the
sandbox gateway's hosted page, and the return page confirms both; Billing has both paid and AAA has both
apartments back. "Select all overdue" ticks every overdue one. Screenshots in artifacts/multipay/.

The module runs its own demo (it moves money and runs the operator's billing run)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from tests.harness.process import REPO

from .conftest import demo_server
from .helpers import PHONE, DemoServer, Session, axe_violations, money_value
from .look import BLOCKING
from .payflow import GOOD_CARD, HARBOR_MANAGER, LIVE_MS, Core, on_gateway, submit_card

pytestmark = pytest.mark.browser

SHOTS = REPO / "artifacts" / "multipay"


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    with demo_server() as running:
        yield running


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def blocking_axe(page: Page, where: str) -> list[str]:
    """axe-core's critical and serious violations on the page as it is now (none is expected)."""
    return [
        f"{where}: {v['impact']} {v['id']}: {v['help']} {v['targets']}"
        for v in axe_violations(page)
        if v["impact"] in BLOCKING
    ]


def fall_behind(core: Core) -> tuple[int, bool]:
    """The operator's billing run after the apartments' invoices fell due: every one OVERDUE and, when the run can
    be dated past the grace period before the next invoices are issued, suspended for non-payment."""
    invoices = core.invoices("SUB-3001", "OPEN")
    account = core.account("SUB-3001")
    due = max(date.fromisoformat(i["due_on"]) for i in invoices)
    beyond_grace = due + timedelta(days=int(account["grace_days"]) + 1)
    next_invoice = date.fromisoformat(account["cycle"]["next_invoice_on"])
    suspend = beyond_grace < next_invoice
    run = core.billing_run(beyond_grace if suspend else due + timedelta(days=1), "SUB-3001")
    assert run["invoices_issued"] == [], run
    return len(core.invoices("SUB-3001", "OVERDUE")), suspend


def test_the_mdu_manager_pays_two_overdue_invoices_in_one_checkout(session: Session, core: Core) -> None:
    page = session.page
    overdue, suspended = fall_behind(core)
    assert 2 <= overdue <= 50
    session.login(HARBOR_MANAGER)
    page.get_by_test_id("nav-invoices").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invoices")
    rows = page.get_by_test_id("invoice-row")
    expect(rows.first).to_have_attribute("data-status", "OVERDUE")

    # "Select all overdue" ticks every overdue invoice listed; clearing empties the selection.
    select_all = page.get_by_test_id("select-all-overdue")
    expect(page.get_by_test_id("select-all-overdue-label")).to_have_text(f"Select all overdue ({overdue})")
    select_all.check()
    # Every overdue invoice, also those beyond the first page (the page loads the rest of the overdue list).
    expect(page.get_by_test_id("multipay-count")).to_have_text(f"{overdue} invoices selected")
    expect(page.locator('[data-testid="invoice-row"][data-status="OVERDUE"]')).to_have_count(overdue)
    shot(page, "all-overdue-selected")
    page.get_by_role("button", name="Clear selection").click()
    expect(page.get_by_test_id("multipay-bar")).to_have_count(0)
    expect(select_all).not_to_be_checked()

    # Two apartments: the first ticked from the keyboard (Space on its labelled checkbox), the second by mouse.
    first, second = rows.nth(0), rows.nth(1)
    numbers = [r.locator('td[data-label="Invoice"]').inner_text().strip() for r in (first, second)]
    balances = [money_value(r.locator('td[data-label="Balance"]').inner_text()) for r in (first, second)]
    box = page.get_by_role("checkbox", name=re.compile(f"^Select invoice {numbers[0]}, "))
    box.focus()
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    second.get_by_test_id("invoice-select").check()
    total = sum((Decimal(b) for b in balances), Decimal(0))
    bar = page.get_by_test_id("multipay-bar")
    expect(page.get_by_test_id("multipay-count")).to_have_text("2 invoices selected")
    assert money_value(page.get_by_test_id("multipay-total").inner_text()) == f"{total:.2f}"
    expect(bar.get_by_test_id("pay-selected")).to_have_text("Pay 2 invoices")
    shot(page, "two-selected")
    problems = blocking_axe(page, "invoices with two selected")

    before = [core.invoice_by_number("SUB-3001", n) for n in numbers]
    assert [i["status"] for i in before] == ["OVERDUE", "OVERDUE"]
    bar.get_by_test_id("pay-selected").click()

    # One hosted page for the sum, naming both invoices.
    on_gateway(page)
    assert money_value(page.get_by_test_id("amount").inner_text()) == f"{total:.2f}"
    for number in numbers:
        expect(page.locator("table")).to_contain_text(number)
    shot(page, "gateway")
    submit_card(page, GOOD_CARD, "Maya Chen")

    expect(page).to_have_url(re.compile(r"/payments/return\?kind=invoices&count=2"))
    confirmation = page.get_by_test_id("payment-confirmation")
    expect(confirmation).to_be_visible(timeout=LIVE_MS)
    expect(confirmation).to_have_attribute("data-kind", "invoices")
    assert money_value(page.get_by_test_id("confirmation-amount").inner_text()) == f"{total:.2f}"
    paid_list = page.get_by_test_id("confirmation-invoice")
    expect(paid_list).to_have_count(2)
    for number in numbers:
        expect(page.get_by_test_id("confirmation-invoices")).to_contain_text(f"{number} is paid")
    shot(page, "confirmed")
    problems += blocking_axe(page, "return page")
    assert problems == []

    # The core agrees: both paid once, both apartments back (when the run had suspended them).
    after = [core.invoice_by_number("SUB-3001", n) for n in numbers]
    assert [i["status"] for i in after] == ["PAID", "PAID"]
    if suspended:
        for invoice in after:
            assert core.service(invoice["subservice_id"]) == ("ACTIVE", None)

    # And the invoice list shows them paid.
    page.get_by_role("link", name="View paid invoices").click()
    for number in numbers:
        row = page.get_by_test_id("invoice-row").filter(has_text=number)
        expect(row).to_have_attribute("data-status", "PAID")

    # On a phone the summary stays in view above the bottom navigation while the list scrolls under it.
    page.set_viewport_size(PHONE)
    page.get_by_test_id("nav-invoices").click()
    expect(page.get_by_test_id("invoice-tab-open")).to_have_attribute("aria-selected", "true")
    for n in (0, 1):
        page.get_by_test_id("invoice-row").nth(n).get_by_test_id("invoice-select").check()
    bar = page.get_by_test_id("multipay-bar")
    expect(page.get_by_test_id("multipay-count")).to_have_text("2 invoices selected")
    page.mouse.wheel(0, 1500)
    expect(bar).to_be_in_viewport(ratio=1)
    nav_top = page.locator(".nav").bounding_box()
    bar_box = bar.bounding_box()
    assert nav_top is not None and bar_box is not None
    assert bar_box["y"] + bar_box["height"] <= nav_top["y"] + 0.5, (bar_box, nav_top)
    page.screenshot(path=str(SHOTS / "phone-two-selected.png"))


@pytest.mark.parametrize("locale", ["es", "pt"])
def test_the_selection_and_its_summary_speak_the_chosen_language(session: Session, locale: str) -> None:
    """The checkboxes, "Select all overdue", the sticky summary and its button in Spanish and Portuguese, with
    no English catalog text left on the page (the languages test's check; its owner has no overdue invoices)."""
    from .test_languages import choose_language, english_patterns, settle, untranslated

    page = session.page
    session.login(HARBOR_MANAGER)
    choose_language(session, locale)
    try:
        page.get_by_test_id("nav-invoices").click()
        settle(page)
        words = {
            "es": (
                "Seleccionar todas las vencidas",
                "facturas seleccionadas",
                "Pagar 2 facturas",
                "Seleccionar la factura",
            ),
            "pt": (
                "Selecionar todas as vencidas",
                "faturas selecionadas",
                "Pagar 2 faturas",
                "Selecionar a fatura",
            ),
        }[locale]
        expect(page.get_by_test_id("select-all-overdue-label")).to_contain_text(words[0])
        rows = page.get_by_test_id("invoice-row")
        for n in (0, 1):
            rows.nth(n).get_by_test_id("invoice-select").check()
        expect(page.get_by_test_id("multipay-count")).to_have_text(f"2 {words[1]}")
        expect(page.get_by_test_id("pay-selected")).to_have_text(words[2])
        expect(rows.first.get_by_test_id("invoice-select")).to_have_attribute(
            "aria-label", re.compile(f"^{words[3]} ")
        )
        assert untranslated(page, english_patterns(locale)) == []
        shot(page, f"{locale}-two-selected")
    finally:
        choose_language(session, "en")
