"""The pay flow in the browser, shared by the money tests and the support scenario: the core's back-office view
(`Core`), the gateway's hosted page, the portal's cards and invoice rows, and what the page's sockets subscribed to."""

from __future__ import annotations

import base64
import json
import re
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Locator, Page, WebSocket, expect

from .helpers import DemoServer, Session, money_value

OPERATOR_KEY = "sandbox-operator-key"  # the demo's default (the harness only changes the service key)
ANA, BEN, CARA = "ana@lima.example", "ben@okafor.example", "cara@jensen.example"
NORTHWIND_FINANCE = "finance@northwind.example"
HARBOR_MANAGER = "manager@harborview.example"  # MDU: one open invoice per apartment

GOOD_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"
NO_FUNDS_CARD = "4000 0000 0000 9995"
THREE_DS_CARD = "4000 0025 0000 3155"
LIVE_MS = 20_000  # the brief's bound for anything that arrives by webhook / subscription

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
