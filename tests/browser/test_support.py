"""The seed's residential scenario end to end in Chromium, ending at the support desk: Ana logs in, sees Internet
and IPTV, pays her invoice with 4242, the service shows active, she saves a card, then opens a ticket about her
Wi-Fi with a photo; support answers through the operator API; the reply appears on the open ticket page without
a reload and in the bell; the e-mail reached the demo's SMTP sink over a real SMTP connection; the SLA shows the
first response met; support resolves and she rates it. Also: the Support pages on a 375 px phone.

The module runs its own `wispgate demo` (it changes money and ticket state). Screenshots go to
artifacts/screenshots/ (the usual place); with KEEP_SUPPORT_SCREENSHOTS=1 a few are also copied to
artifacts/support/, which the repository keeps (so an ordinary run leaves the checkout unchanged).
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.harness.process import REPO

from .conftest import demo_server
from .helpers import DemoServer, Session, money_value, no_sideways_scroll
from .payflow import (
    GOOD_CARD,
    LIVE_MS,
    OPERATOR_KEY,
    Core,
    Loads,
    Subscriptions,
    card,
    expect_confirmed,
    on_gateway,
    submit_card,
)

pytestmark = pytest.mark.browser

ANA = "ana@lima.example"
KEPT = REPO / "artifacts" / "support"


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    with demo_server() as running:
        yield running


def router_photo(path: Path) -> Path:
    """A real PNG (a 96×64 picture of blinking router lights, more or less)."""
    width, height = 96, 64
    rows = b"".join(
        b"\x00"
        + b"".join(
            bytes((20, 200, 60)) if (x // 12) % 2 == 0 and 24 < y < 40 else bytes((40, 44, 52))
            for x in range(width)
        )
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    path.write_bytes(png)
    return path


class Support:
    """The CRM's operator API (what the console calls) and the demo's SMTP sink."""

    def __init__(self, demo: DemoServer) -> None:
        self.http = httpx.Client(
            base_url=f"{demo.base_url}/_sandbox", headers={"X-API-Key": OPERATOR_KEY}, timeout=15
        )

    def reply(self, number: str, body: str) -> dict[str, Any]:
        response = self.http.post(
            f"/crm/v1/ops/tickets/{number}/reply", json={"agent_name": "Priya", "body": body}
        )
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def resolve(self, number: str) -> None:
        response = self.http.post(
            f"/crm/v1/ops/tickets/{number}/status", json={"status": "RESOLVED", "agent_name": "Priya"}
        )
        assert response.status_code == 200, response.text

    def mail_to(self, address: str, subject_part: str, timeout_s: float = LIVE_MS / 1000) -> dict[str, Any]:
        """The message the SMTP sink received (waits for the CRM's relay to send it)."""
        deadline = time.monotonic() + timeout_s
        while True:
            box = self.http.get("/mailbox")
            assert box.status_code == 200, box.text
            for message in box.json()["items"]:
                if address in message["rcpt_to"] and subject_part in message["subject"]:
                    found: dict[str, Any] = message
                    return found
            assert time.monotonic() < deadline, f"no e-mail to {address} about {subject_part}: {box.json()}"
            time.sleep(0.25)


@pytest.fixture
def support(demo: DemoServer) -> Iterator[Support]:
    client = Support(demo)
    yield client
    client.http.close()


def keep(path: Path, name: str) -> None:
    if os.environ.get("KEEP_SUPPORT_SCREENSHOTS") == "1":
        KEPT.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, KEPT / name)


def test_ana_pays_saves_a_card_opens_a_wifi_ticket_gets_an_answer_and_rates_it(
    session: Session, core: Core, support: Support, tmp_path: Path
) -> None:
    page = session.page
    session.login(ANA)

    # Internet and IPTV, both active.
    cards = page.get_by_test_id("subservice-card")
    expect(cards).to_have_count(2)
    assert sorted(cards.evaluate_all("els => els.map(e => e.dataset.kind)")) == ["INTERNET", "IPTV"]

    # Pay the open invoice with 4242 on the gateway's page; confirmed; the service shows active.
    page.get_by_test_id("nav-invoices").click()
    row = page.get_by_test_id("invoice-row").first
    expect(row).to_have_attribute("data-status", "OPEN")
    number = row.locator('td[data-label="Invoice"]').inner_text().strip()
    balance = money_value(row.locator('td[data-label="Balance"]').inner_text())
    row.get_by_test_id("pay-invoice").click()
    on_gateway(page)
    submit_card(page, GOOD_CARD, "Ana Lima")
    expect_confirmed(page, number, balance)
    assert core.invoice_by_number("SUB-1001", number)["status"] == "PAID"
    page.get_by_test_id("nav-dashboard").click()
    expect(card(page, "INTERNET")).to_have_attribute("data-status", "ACTIVE")

    # Save a card (setup mode on the gateway).
    page.get_by_test_id("nav-payment-methods").click()
    before = page.get_by_test_id("card-row").count()
    page.get_by_test_id("add-card").click()
    on_gateway(page, "setup")
    submit_card(page, GOOD_CARD, "Ana Lima")
    expect(page.get_by_test_id("confirmation-card")).to_contain_text("•••• 4242", timeout=LIVE_MS)
    page.get_by_test_id("nav-payment-methods").click()
    expect(page.get_by_test_id("card-row")).to_have_count(before + 1)

    # Support → New ticket: Wi-Fi on the Internet service, a photo attached by drag-and-drop's file picker.
    page.get_by_test_id("nav-support").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Support")
    page.get_by_test_id("new-ticket").click()
    page.get_by_test_id("ticket-category").select_option("CONNECTIVITY")
    expect(page.get_by_test_id("ticket-category-sla")).to_contain_text("Network Operations")
    page.get_by_test_id("ticket-subservice").select_option(label="Internet – Home")
    page.get_by_test_id("ticket-subject").fill("Wi-Fi drops every evening")
    page.get_by_test_id("ticket-description").fill(
        "Since Monday the Wi-Fi drops around 8 pm. Photo of the router lights."
    )
    page.get_by_test_id("file-input").set_input_files(str(router_photo(tmp_path / "router-lights.png")))
    expect(page.get_by_test_id("picked-file")).to_contain_text("router-lights.png")
    keep(session.shot("new-ticket"), "1-new-ticket.png")
    page.get_by_test_id("ticket-submit").click()

    # The ticket page: her message with the photo previewed, queued to Network Operations, SLA running.
    expect(page).to_have_url(re.compile(r"/support/TCK-\d+$"))
    ticket_number = page.url.rsplit("/", 1)[1]
    expect(page.get_by_test_id("message")).to_have_count(1)
    preview = page.get_by_test_id("attachment-preview")
    expect(preview).to_have_count(1)
    page.wait_for_function("img => img.complete && img.naturalWidth === 96", arg=preview.element_handle())
    expect(page.get_by_test_id("history")).to_contain_text("Assigned to Network Operations")
    expect(page.get_by_test_id("sla")).to_have_attribute("data-first-response", "pending")

    # Support answers through the operator API: the reply arrives live (no reload), the bell counts it.
    subscriptions = Subscriptions(page)
    page.reload()  # so the subscriptions below are recorded from their start
    subscriptions.wait_for(page, "ticketChanged")
    subscriptions.wait_for(page, "notificationReceived")
    loads = Loads(page)
    support.reply(
        ticket_number,
        "Thanks for the photo. We pushed a channel change to your router; please check tonight.",
    )
    expect(page.get_by_test_id("message")).to_have_count(2, timeout=LIVE_MS)
    expect(page.get_by_test_id("message").nth(1)).to_have_attribute("data-from", "support")
    expect(page.get_by_test_id("message").nth(1)).to_contain_text("channel change")
    expect(page.get_by_test_id("sla")).to_have_attribute("data-first-response", "met")
    expect(page.get_by_test_id("sla-first-response")).to_have_text("First response: met")
    expect(page.get_by_test_id("notifications-count")).to_be_visible(timeout=LIVE_MS)
    assert loads.urls == [], f"the page reloaded: {loads.urls}"
    keep(session.shot("reply-live"), "2-reply-live.png")

    # The bell lists it and opens the ticket.
    page.get_by_test_id("notifications-bell").click()
    item = page.get_by_test_id("notification-item").filter(has_text=f"New reply on ticket {ticket_number}")
    expect(item).to_have_count(1)
    keep(session.shot("bell"), "3-bell.png")
    page.get_by_test_id("nav-dashboard").click()
    page.get_by_test_id("notifications-bell").click()
    page.get_by_test_id("notification-link").filter(has_text=f"New reply on ticket {ticket_number}").click()
    expect(page).to_have_url(re.compile(rf"/support/{ticket_number}$"))
    expect(page.get_by_test_id("message")).to_have_count(2)

    # The e-mail went over real SMTP to the demo's sink: MIME text + HTML, ticket number, link to the ticket.
    mail = support.mail_to(ANA, f"[{ticket_number}]")
    assert mail["content_type"] == "multipart/alternative"
    assert "channel change" in mail["text"] and f"/support/{ticket_number}" in mail["text"]
    assert f'/support/{ticket_number}"' in mail["html"]

    # Support resolves; she rates it (the rating form appears live).
    support.resolve(ticket_number)
    expect(page.get_by_test_id("ticket-status")).to_have_text("Resolved", timeout=LIVE_MS)
    page.get_by_test_id("rate-5").click()
    page.get_by_test_id("rating-comment").fill("Fixed the same evening, thank you!")
    page.get_by_test_id("rating-submit").click()
    expect(page.get_by_test_id("rating-shown")).to_contain_text("Fixed the same evening")
    expect(page.get_by_test_id("history")).to_contain_text("rated the help 5/5")
    keep(session.shot("rated"), "4-rated.png")
    assert session.page_errors == []


def test_support_pages_fit_a_phone(open_session: Callable[..., Session]) -> None:
    session = open_session(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    page = session.page
    session.login("ben@okafor.example")
    nav = page.get_by_test_id("nav-support")
    expect(nav).to_be_in_viewport()
    nav.tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Support")
    no_sideways_scroll(page)
    # From the Internet service's page, "Report a problem" opens the form with that service chosen.
    page.get_by_test_id("nav-dashboard").tap()
    card(page, "INTERNET").get_by_role("link").first.tap()
    page.get_by_test_id("report-problem").tap()
    expect(page.get_by_test_id("ticket-subservice").locator("option:checked")).to_have_text("Internet – Home")
    page.get_by_test_id("ticket-category").select_option("BILLING")
    page.get_by_test_id("ticket-subject").fill("Question about my last invoice")
    page.get_by_test_id("ticket-description").fill("Why is the amount higher than last month?")
    no_sideways_scroll(page)
    page.get_by_test_id("ticket-submit").tap()
    expect(page).to_have_url(re.compile(r"/support/TCK-\d+$"))
    expect(page.get_by_test_id("message")).to_have_count(1)
    no_sideways_scroll(page)
    keep(session.shot("phone-ticket"), "5-phone-ticket.png")
    assert session.page_errors == []


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def test_support_answers_from_the_console_with_a_file_and_the_mail_is_in_the_sink(
    open_session: Callable[..., Session], tmp_path: Path
) -> None:
    session = open_session()
    portal = session.page
    session.login("cara@jensen.example")
    portal.get_by_test_id("nav-support").click()
    portal.get_by_test_id("new-ticket").click()
    portal.get_by_test_id("ticket-category").select_option("DEVICE")
    portal.get_by_test_id("ticket-subject").fill("Set-top box restarts")
    portal.get_by_test_id("ticket-description").fill("The IPTV box restarts every few hours.")
    portal.get_by_test_id("ticket-submit").click()
    expect(portal).to_have_url(re.compile(r"/support/TCK-\d+$"))
    number = portal.url.rsplit("/", 1)[1]

    # The operator console: the queue counts per team, a reply with a PDF, then resolve.
    console = session.context.new_page()
    console.goto(session.demo.base_url + "/_sandbox/")
    expect(console.locator("#queue-counts")).to_contain_text("Field Service")
    console.locator("#ticket-queue").select_option("Field Service")
    expect(console.locator("#ticket-rows")).to_have_attribute("data-shown", "|Field Service")
    expect(console.locator(f'[data-reply="{number}"]')).to_be_visible()
    console.locator(f'[data-reply="{number}"]').fill(
        "Please install the firmware update in the attached guide."
    )
    guide = tmp_path / "firmware-guide.pdf"
    guide.write_bytes(PDF)
    console.locator(f'[data-file="{number}"]').set_input_files(str(guide))
    console.locator(f'[data-send="{number}"]').click()
    expect(console.locator("#toast")).to_contain_text("Reply sent")
    console.locator(f'[data-resolve="{number}"]').click()
    expect(console.locator("#toast")).to_contain_text("resolved")
    session.shot("console", page=console)

    # The subscriber's page shows the answer with its file (a download, never rendered inline) and the status.
    support = portal.get_by_test_id("message").filter(has_text="firmware update")
    expect(support).to_have_count(1, timeout=LIVE_MS)
    link = support.get_by_role("link", name="firmware-guide.pdf")
    expect(link).to_be_visible(timeout=LIVE_MS)
    expect(portal.get_by_test_id("ticket-status")).to_have_text("Resolved", timeout=LIVE_MS)
    href = link.get_attribute("href")
    assert href is not None and "/files/attachments/" in href, href
    response = portal.request.get(href if href.startswith("http") else session.demo.base_url + href)
    assert response.status == 200 and response.body() == PDF
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["x-content-type-options"] == "nosniff"

    # The console's SMTP tab shows both e-mails (reply and resolution) as the sink received them.
    console.get_by_role("tab", name="Mail received (SMTP)").click()
    rows = console.get_by_test_id("mailbox-row").filter(has_text=f"[{number}]")
    deadline = time.monotonic() + LIVE_MS / 1000
    while rows.count() < 2 and time.monotonic() < deadline:  # the relay sends within a second or so
        console.wait_for_timeout(300)
        console.locator('[data-reload="mailbox"]').click()
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Resolved")).to_contain_text("cara@jensen.example")
    keep(session.shot("console-mailbox", page=console), "6-console-mailbox.png")
    assert session.page_errors == []
