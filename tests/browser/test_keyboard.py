"""Issue 12, accessibility: the payment flow with the keyboard alone (Tab, typing and Enter; never a click):
sign in → Invoices → "Pay now" → the gateway's hosted page → the card → back on the portal, confirmed. Every
control reached shows a focus frame; the page the gateway returns to moves the focus to its content without
drawing a frame around the whole page (item 8). axe-core runs on the gateway's page and on the confirmation;
their results join artifacts/look/ as the persona "keyboard".

The module runs its own `wispgate demo` (it pays an invoice).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .conftest import demo_server
from .helpers import PASSWORD, DemoServer, Session, axe_violations, money_value
from .look import BLOCKING, FOCUS_FRAME, record, summary
from .payflow import ANA, GOOD_CARD, Core, expect_confirmed, on_gateway

pytestmark = pytest.mark.browser

# The element that has the focus: its test id, and whether a focus frame is drawn around it.
ACTIVE = """() => {
    const el = document.activeElement;
    const style = el ? getComputedStyle(el) : null;
    const framed = !!style && (style.boxShadow !== "none"
        || (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0));
    return { testid: el?.dataset?.testid ?? null, tag: el?.tagName ?? null, text: (el?.textContent ?? "").trim().slice(0, 40), framed };
}"""


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    with demo_server() as running:
        yield running


def tab_to(page: Page, testid: str, limit: int = 80) -> None:
    """Press Tab until the element with `testid` has the focus; it must show a focus frame."""
    seen: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        active: dict[str, Any] = page.evaluate(ACTIVE)
        if active["testid"] == testid:
            assert active["framed"], f"{testid} has the keyboard focus but no visible focus frame"
            return
        seen.append(active["testid"] or f"{active['tag']} {active['text']!r}")
    raise AssertionError(f"{limit} Tab presses never reached {testid}: {seen}")


def type_into(page: Page, testid: str, text: str) -> None:
    tab_to(page, testid)
    page.keyboard.type(text)


def axe_blocking(page: Page, where: str) -> tuple[dict[str, Any], list[str]]:
    violations = axe_violations(page)
    problems = [
        f"{where}: {v['impact']} {v['id']}: {v['help']} {v['targets']}"
        for v in violations
        if v["impact"] in BLOCKING
    ]
    return summary(violations), problems


def test_pay_an_invoice_with_the_keyboard_alone(session: Session, demo: DemoServer) -> None:
    page = session.page
    core = Core(demo)
    try:
        session.goto("/")
        expect(page.get_by_test_id("login-email")).to_be_visible()
        type_into(page, "login-email", ANA)
        type_into(page, "login-password", PASSWORD)
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("logout")).to_be_visible()

        tab_to(page, "nav-invoices")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Invoices")
        row = page.get_by_test_id("invoice-row").first
        expect(row).to_have_attribute("data-status", "OPEN")
        number = row.locator('td[data-label="Invoice"]').inner_text().strip()
        balance = money_value(row.locator('td[data-label="Balance"]').inner_text())

        tab_to(page, "pay-invoice")
        page.keyboard.press("Enter")
        on_gateway(page)
        gateway, problems = axe_blocking(page, "gateway page")
        session.shot("gateway")
        type_into(page, "card-number", GOOD_CARD)
        type_into(page, "card-expiry", "12/34")
        type_into(page, "card-cvc", "123")
        type_into(page, "card-name", "Ana Lima")
        page.keyboard.press("Enter")  # submits the form, as a click on "Pay" would

        expect_confirmed(page, number, balance)
        assert core.invoice_by_number("SUB-1001", number)["status"] == "PAID"
        # Back from the gateway (a full page load): the focus is on the page's content, without a frame.
        assert page.evaluate("document.activeElement?.id") == "main"
        assert page.evaluate(FOCUS_FRAME) == []
        confirmed, more = axe_blocking(page, "payment confirmed")
        session.shot("confirmed")
        record("keyboard", {"gateway": {"1280": gateway}, "payment-confirmed": {"1280": confirmed}})
        assert not problems + more, "\n".join(problems + more)

        # And onwards with the keyboard: the confirmation's link to the invoices.
        tab_to(page, "nav-invoices")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Invoices")
        assert session.page_errors == []
    finally:
        core.http.close()
