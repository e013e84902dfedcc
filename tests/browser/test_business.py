"""Multi-site accounts in the browser: an enterprise with five branches, and an MDU building seen by a SITE user (two
apartments) and by the building manager (forty)."""

from __future__ import annotations

import json
import re
import urllib.request
import uuid

import pytest
from playwright.sync_api import Page, expect

from .helpers import DemoServer, Session, download_bytes, money_value, pdf_text

pytestmark = pytest.mark.browser

BRANCHES = ("Downtown", "Harbor Point", "Airport", "Riverside", "Hillcrest")
APARTMENTS = [f"Internet – Apt {floor * 100 + unit}" for floor in range(1, 5) for unit in range(1, 11)]


def card_labels(page: Page) -> list[str]:
    titles = page.get_by_test_id("subservice-card").locator("h3")
    return [t.strip() for t in titles.all_inner_texts()]


def test_enterprise_branches_overview_statement_and_wallet(session: Session) -> None:
    page = session.page
    session.login("it@northwind.example")

    # Dashboard: ten sub-services, five branches each with Internet and VoIP.
    cards = page.get_by_test_id("subservice-card")
    expect(cards).to_have_count(10)
    expect(page.locator("#services-title .count")).to_have_text("10")
    labels = card_labels(page)
    assert sorted(labels) == sorted(f"{kind} – {b} Branch" for b in BRANCHES for kind in ("Internet", "VoIP"))
    for branch in BRANCHES:
        of_branch = cards.filter(has_text=f"{branch} Branch")
        expect(of_branch).to_have_count(2)
        kinds = sorted(of_branch.evaluate_all("els => els.map(e => e.dataset.kind)"))
        assert kinds == ["INTERNET", "VOIP"], (branch, kinds)
    session.shot()

    # Overview: the financial summary and one breakdown row per sub-service.
    page.get_by_test_id("nav-overview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Account overview")
    summary = page.get_by_test_id("financial-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Outstanding")
    expect(summary.get_by_test_id("wallet-balance")).to_have_text("$250.00")
    rows = page.get_by_test_id("breakdown-row")
    expect(rows).to_have_count(10)
    for branch in BRANCHES:
        expect(rows.filter(has_text=f"{branch} Branch")).to_have_count(2)
    # The rows add up to the total the table states.
    row_amounts = rows.evaluate_all("els => els.map(e => e.dataset.outstanding)")
    total = page.get_by_test_id("breakdown-table").locator('tfoot td[data-label="Outstanding"]').inner_text()
    assert sum(round(float(a) * 100) for a in row_amounts) == round(float(money_value(total)) * 100)
    session.shot("overview")

    # The consolidated statement: a real PDF covering every branch's services.
    link = page.get_by_test_id("statement-link")
    expect(link).to_be_visible()
    filename, data = download_bytes(page, link)
    assert filename.endswith(".pdf"), filename
    text = pdf_text(data)
    assert "CONSOLIDATED STATEMENT" in text
    assert "Northwind Logistics" in text
    missing = [
        f"{kind} – {b} Branch"
        for b in BRANCHES
        for kind in ("Internet", "VoIP")
        if f"{kind} – {b} Branch" not in text
    ]
    assert missing == [], f"statement does not mention: {missing}"

    # Wallet: 250.00 of credit from an overpayment.
    page.get_by_test_id("nav-wallet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wallet")
    expect(page.get_by_test_id("wallet-balance")).to_have_text("$250.00")
    overpayment = page.locator('[data-testid="wallet-transaction"][data-kind="OVERPAYMENT"]')
    expect(overpayment).to_have_count(1)
    expect(overpayment).to_contain_text("Overpayment credit")
    expect(overpayment).to_contain_text("+$250.00")
    session.shot("wallet")
    assert session.page_errors == []


def _credit_building_wallet(demo: DemoServer, amount: str) -> str:
    """Top up the MDU building's wallet in the core (Billing), as the payment gateway would; returns the new
    balance ("77.70")."""
    body = {
        "subscriber_id": "SUB-3001",
        "kind": "TOPUP",
        "amount": amount,
        "currency": "USD",
        "description": "Building reserve",
        "external_ref": f"browser-tests-{uuid.uuid4()}",
    }
    request = urllib.request.Request(  # noqa: S310 - the local sandbox
        f"{demo.sandbox('billing')}/v1/wallet/credits",
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json", "x-api-key": demo.service_key},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the local sandbox
        assert response.status in (200, 201)
        balance: str = json.load(response)["wallet_balance"]["amount"]
    assert float(balance) > 0, balance
    return balance


def test_mdu_site_user_sees_only_own_apartments_and_manager_sees_all(session: Session) -> None:
    # Give the building's wallet a recognisable balance, so a leak to the SITE user would be visible.
    balance = _credit_building_wallet(session.demo, "77.70")
    page = session.page

    session.login("apt101@harborview.example")
    cards = page.get_by_test_id("subservice-card")
    expect(cards).to_have_count(2)
    assert card_labels(page) == ["Internet – Apt 101", "Internet – Apt 102"]
    expect(page.get_by_text("All 2 services shown")).to_be_visible()
    apartments = set(re.findall(r"Apt\s+(\d+)", page.locator("body").inner_text()))
    assert apartments == {"101", "102"}, f"other apartments on the SITE user's dashboard: {apartments}"
    expect(page.locator("body")).not_to_contain_text(balance)
    session.shot()

    # No wallet in a SITE user's menu; its address still explains whose it is.
    expect(page.get_by_test_id("nav-wallet")).to_have_count(0)
    session.goto("/wallet")
    expect(page.get_by_role("heading", level=1)).to_have_text("Wallet")
    expect(page.get_by_text("The wallet is managed by the account owner")).to_be_visible()
    expect(page.get_by_test_id("wallet-balance")).to_have_count(0)
    expect(page.get_by_test_id("wallet-transaction")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text(balance)
    session.shot("wallet")

    # The overview and the consolidated statement are scoped to the two apartments too.
    page.get_by_test_id("nav-overview").click()
    expect(page.get_by_test_id("breakdown-row")).to_have_count(2)
    apartments = set(re.findall(r"Apt\s+(\d+)", page.locator("body").inner_text()))
    assert apartments == {"101", "102"}, f"other apartments on the SITE user's overview: {apartments}"
    _, data = download_bytes(page, page.get_by_test_id("statement-link"))
    text = pdf_text(data)
    assert "CONSOLIDATED STATEMENT" in text
    apartments = set(re.findall(r"Apt\s+(\d+)", text))
    assert apartments == {"101", "102"}, f"other apartments in the SITE user's statement: {apartments}"

    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("login-email")).to_be_visible()

    # The manager sees the whole building: 40 apartments (24 at first, then "Show more"), and the wallet.
    session.login("manager@harborview.example")
    # (The login form is shown at the URL the SITE user left from, /wallet; go to the dashboard.)
    page.get_by_test_id("nav-dashboard").click()
    expect(page.locator("#services-title .count")).to_have_text("40")
    expect(cards).to_have_count(24)
    expect(page.get_by_text("Showing 24 of 40 services")).to_be_visible()
    while page.get_by_test_id("show-more").count() > 0:
        before = cards.count()
        page.get_by_test_id("show-more").click()
        expect(cards).not_to_have_count(before)
    expect(cards).to_have_count(40)
    expect(page.get_by_text("All 40 services shown")).to_be_visible()
    assert sorted(card_labels(page)) == sorted(APARTMENTS)
    session.shot("manager")

    # Search narrows to one floor.
    page.get_by_test_id("subservice-search").fill("Apt 3")
    expect(cards).to_have_count(10)
    assert all(label.startswith("Internet – Apt 3") for label in card_labels(page))
    expect(page.get_by_text("10 of 40 services match")).to_be_visible()

    page.get_by_test_id("nav-wallet").click()
    expect(page.get_by_test_id("wallet-balance")).to_have_text(f"${balance}")
    expect(
        page.get_by_test_id("wallet-transaction").filter(has_text="Building reserve").first
    ).to_be_visible()
    assert session.page_errors == []


def test_mdu_site_user_statement_does_not_show_building_wallet(session: Session) -> None:
    _credit_building_wallet(session.demo, "13.57")
    page = session.page
    session.login("apt101@harborview.example")
    page.get_by_test_id("nav-overview").click()
    expect(page.get_by_test_id("breakdown-row")).to_have_count(2)
    _, data = download_bytes(page, page.get_by_test_id("statement-link"))
    text = pdf_text(data)
    assert "Harbor View Apartments" in text
    session.shot()
    # Either no wallet line at all, or one that does not reveal the building's (non-zero) balance.
    leaked = re.findall(r"Wallet balance\s+USD\s+([\d.,]+)", text)
    assert all(amount in ("0.00", "0") for amount in leaked), f"building wallet in SITE statement: {leaked}"
