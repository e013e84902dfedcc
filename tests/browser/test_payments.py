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

import base64
import json
import re
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, WebSocket, expect

from .conftest import demo_server
from .helpers import DemoServer, Session, money_value

pytestmark = pytest.mark.browser

OPERATOR_KEY = "sandbox-operator-key"  # the demo's default (the harness only changes the service key)
ANA, BEN, CARA = "ana@lima.example", "ben@okafor.example", "cara@jensen.example"
NORTHWIND_FINANCE = "finance@northwind.example"
HARBOR_MANAGER = "manager@harborview.example"  # MDU: one open invoice per apartment

GOOD_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"
NO_FUNDS_CARD = "4000 0000 0000 9995"
THREE_DS_CARD = "4000 0025 0000 3155"
LIVE_MS = 20_000  # the brief's bound for anything that arrives by webhook / subscription


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    """This module's own demo process (overrides the package-wide one)."""
    with demo_server() as running:
        yield running


# ------------------------------------------------------------------------------------ the core's view


class Core:
    """Billing and AAA as a back office reads them (service key), plus the operator's billing run."""

    def __init__(self, demo: DemoServer) -> None:
        self.http = httpx.Client(
            base_url=f"{demo.base_url}/_sandbox", headers={"X-API-Key": demo.service_key}, timeout=15
        )

    def _post(self, path: str, body: dict[str, Any], **kw: Any) -> Any:
        response = self.http.post(path, json=body, **kw)
        assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:300]}"
        return response.json()

    def invoice(self, invoice_id: str) -> dict[str, Any]:
        response = self.http.get(f"/billing/v1/invoices/{invoice_id}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def invoices(self, subscriber_id: str, status: str | None = None) -> list[dict[str, Any]]:
        body: dict[str, Any] = {"ids": [subscriber_id]}
        if status:
            body["status"] = status
        items: list[dict[str, Any]] = self._post("/billing/v1/invoices:by-subscriber", body)["items"]
        return items

    def invoice_by_number(self, subscriber_id: str, number: str) -> dict[str, Any]:
        found = [i for i in self.invoices(subscriber_id) if i["number"] == number]
        assert len(found) == 1, f"{number} not found for {subscriber_id}"
        return found[0]

    def account(self, subscriber_id: str) -> dict[str, Any]:
        item: dict[str, Any] = self._post("/billing/v1/accounts:batch", {"ids": [subscriber_id]})["items"][0]
        return item

    def wallet(self, subscriber_id: str) -> Decimal:
        items = self._post("/billing/v1/wallets:batch", {"ids": [subscriber_id]})["items"]
        return Decimal(items[0]["balance"]["amount"])

    def service(self, subservice_id: str) -> tuple[str, str | None]:
        item = self._post("/aaa/v1/status:batch", {"ids": [subservice_id]})["items"][0]
        return item["status"], item["reason"]

    def billing_run(self, as_of: date, subscriber_id: str) -> dict[str, Any]:
        body: dict[str, Any] = self._post(
            "/billing/v1/ops/billing-runs",
            {"as_of": as_of.isoformat(), "subscriber_id": subscriber_id},
            headers={"X-API-Key": OPERATOR_KEY},
        )
        return body

    def wait_invoice(self, invoice_id: str, status: str, timeout_s: float = LIVE_MS / 1000) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while True:
            invoice = self.invoice(invoice_id)
            if invoice["status"] == status or time.monotonic() > deadline:
                return invoice
            time.sleep(0.25)


@pytest.fixture
def core(demo: DemoServer) -> Iterator[Core]:
    client = Core(demo)
    yield client
    client.http.close()


# --------------------------------------------------------------------------------------- page helpers


def card(page: Page, kind: str) -> Locator:
    return page.locator(f'[data-testid="subservice-card"][data-kind="{kind}"]')


def raw_invoice_id(page: Page) -> str:
    """Billing's invoice id from the return page's `invoice=<global ID>` (base64 of "Invoice:<id>")."""
    match = re.search(r"[?&]invoice=([^&]+)", page.url)
    assert match, f"no invoice in the return URL {page.url}"
    token = match.group(1)
    decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    kind, _, raw = decoded.partition(":")
    assert kind == "Invoice", decoded
    return raw


def on_gateway(page: Page, mode: str = "payment") -> None:
    """The browser is on the gateway's hosted page (not the portal), in payment or setup mode."""
    expect(page).to_have_url(re.compile(r"/_sandbox/gateway/pay/[^/?]+$"))
    heading = "Save a card" if mode == "setup" else re.compile(r"^\$[\d,]+\.\d{2}$")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)


def submit_card(page: Page, number: str, name: str) -> None:
    page.get_by_test_id("card-number").fill(number)
    page.get_by_test_id("card-expiry").fill("12/34")
    page.get_by_test_id("card-cvc").fill("123")
    page.get_by_test_id("card-name").fill(name)
    page.get_by_test_id("pay-button").click()


class Loads:
    """Every full page load of one page from now on (a reload shows up here; SPA navigation does not)."""

    def __init__(self, page: Page) -> None:
        self.urls: list[str] = []
        page.on("load", lambda p: self.urls.append(p.url))


# The web's trusted documents by id: a production build subscribes by hash, without the document's text.
TRUSTED = json.loads((Path(__file__).parents[2] / "schema" / "trusted-documents.json").read_text())


def subscribed_document(message: dict[str, Any]) -> str:
    """The document a `subscribe` message runs: its text, or the trusted document its hash names."""
    payload = message.get("payload") or {}
    persisted = (payload.get("extensions") or {}).get("persistedQuery") or {}
    document_id = payload.get("documentId") or (
        f"sha256:{persisted['sha256Hash']}" if persisted.get("sha256Hash") else None
    )
    return str(payload.get("query") or TRUSTED.get(document_id or "", ""))


class Subscriptions:
    """The documents of the graphql-transport-ws `subscribe` messages the page's sockets have sent."""

    def __init__(self, page: Page) -> None:
        self.sent: list[str] = []
        page.on("websocket", self._socket)

    def _socket(self, ws: WebSocket) -> None:
        def sent(payload: str | bytes) -> None:
            message = json.loads(payload)
            if isinstance(message, dict) and message.get("type") == "subscribe":
                self.sent.append(subscribed_document(message))

        ws.on("framesent", sent)

    def wait_for(self, page: Page, field: str, timeout_s: float = 15.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not any(field in text for text in self.sent):
            assert time.monotonic() < deadline, f"the page never subscribed to {field}: {self.sent}"
            page.wait_for_timeout(100)
        # The server registers the listener as it starts the subscription: give it that moment.
        page.wait_for_timeout(300)


def not_reloaded(page: Page, loads: Loads, path: str) -> None:
    page.wait_for_load_state("load")
    hits = [u for u in loads.urls if path in u]
    assert len(hits) == 1, f"{path} was loaded {len(hits)} times: {loads.urls}"
    kind = page.evaluate("performance.getEntriesByType('navigation')[0].type")
    assert kind == "navigate", f"the return page was reloaded ({kind})"


def open_invoice_row(page: Page, number: str | None = None) -> Locator:
    rows = page.get_by_test_id("invoice-row")
    return rows.filter(has_text=number) if number else rows.first


def pay_invoice_on_gateway(page: Page, row: Locator, number: str, balance: str, name: str) -> None:
    """Pay now on `row` → the gateway's page for exactly that invoice and amount → pay with the good card."""
    row.get_by_test_id("pay-invoice").click()
    on_gateway(page)
    assert money_value(page.get_by_test_id("amount").inner_text()) == balance
    expect(page.locator("table")).to_contain_text(number)
    submit_card(page, GOOD_CARD, name)


def expect_confirmed(page: Page, number: str, balance: str) -> Locator:
    expect(page).to_have_url(re.compile(r"/payments/return\?kind=invoice&invoice="))
    confirmation = page.get_by_test_id("payment-confirmation")
    expect(confirmation).to_be_visible(timeout=LIVE_MS)
    expect(confirmation).to_have_attribute("data-kind", "invoice")
    assert money_value(page.get_by_test_id("confirmation-amount").inner_text()) == balance
    expect(page.get_by_test_id("confirmation-invoice")).to_have_text(number)
    return confirmation


def save_card_and_enable_autopay(session: Session, name: str) -> None:
    """Cards & autopay → Add a card → gateway (setup) → 4242 → back: saved; autopay on; still on after a reload."""
    page = session.page
    page.get_by_test_id("nav-payment-methods").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cards & autopay")
    before = page.get_by_test_id("card-row").count()
    page.get_by_test_id("add-card").click()
    on_gateway(page, "setup")
    expect(page.get_by_test_id("pay-button")).to_have_text("Save card")
    session.shot("gateway-setup")
    submit_card(page, GOOD_CARD, name)

    expect(page).to_have_url(re.compile(r"/payments/return\?kind=card"))
    confirmation = page.get_by_test_id("payment-confirmation")
    expect(confirmation).to_be_visible(timeout=LIVE_MS)
    expect(page.get_by_role("heading", level=1)).to_have_text("Card saved")
    expect(page.get_by_test_id("confirmation-card")).to_contain_text("•••• 4242")
    session.shot("card-saved")

    confirmation.get_by_role("link", name="Cards & autopay").click()
    rows = page.get_by_test_id("card-row")
    expect(rows).to_have_count(before + 1)
    expect(rows.filter(has_text="•••• 4242")).to_have_count(1 if before == 0 else before + 1)
    toggle = page.get_by_test_id("autopay-toggle")
    expect(toggle).to_be_enabled()
    if not toggle.is_checked():
        toggle.click()  # a controlled switch: it turns on when the server says so, not on the click itself
        expect(page.get_by_test_id("cards-message")).to_have_text("Autopay is on.")
    expect(toggle).to_be_checked()
    page.reload()
    expect(page.get_by_test_id("card-row").first).to_be_visible()
    expect(page.get_by_test_id("autopay-toggle")).to_be_checked()
    expect(page.get_by_test_id("card-row").filter(has_text="Autopay")).to_have_count(1)
    session.shot("autopay-on")


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
    expect(result).to_contain_text(re.compile(r"already redeemed", re.I))
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
