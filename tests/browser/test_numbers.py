"""Numbers a subscriber can trust at a glance (issue 12, items 2–6 and 11), in Chromium against `wispgate demo`:
invoice dates that make sense, a SITE user shown only what they may use and an amount due that the invoices
page explains, usage that agrees with the live session and says which days it covers, each service's share of
a household invoice, a prepaid period shown as the last day paid, and counts, messages and buttons worded for
what is there.

The last test changes money (Cara's invoice is settled and her wallet topped up): this module runs its own demo.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, datetime

import pytest
from playwright.sync_api import Locator, Page, expect

from .conftest import demo_server
from .helpers import DemoServer, Session, days_from_today, money_value, us_date
from .payflow import GOOD_CARD, Core, card, on_gateway, submit_card

pytestmark = pytest.mark.browser

ANA, BEN, CARA = "ana@lima.example", "ben@okafor.example", "cara@jensen.example"
AIRPORT_SITE = "airport@northwind.example"
GB_RE = re.compile(r"([\d.,]+)\s*(GB|MB|TB)")


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    """This module's own demo process (overrides the package-wide one): its last test moves money."""
    with demo_server() as running:
        yield running


def parse_us_date(text: str) -> date:
    return datetime.strptime(text.strip(), "%b %d, %Y").date()


def gigabytes(text: str) -> float:
    match = GB_RE.search(text)
    assert match, f"no data amount in {text!r}"
    value = float(match.group(1).replace(",", ""))
    return value * {"MB": 1e-3, "GB": 1.0, "TB": 1e3}[match.group(2)]


def open_service(page: Page, kind: str) -> None:
    page.get_by_test_id("nav-dashboard").click()
    card(page, kind).get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/services/"))


# ------------------------------------------------------------------------------------------------ item 2


def test_every_invoice_is_issued_before_it_falls_due(session: Session) -> None:
    page = session.page
    session.login(BEN)
    page.get_by_test_id("nav-invoices").click()
    page.get_by_test_id("invoice-tab-all").click()
    rows = page.get_by_test_id("invoice-row")
    # The "all" tab replaces the open invoices' rows: wait for its fourth row, not for the first row of either.
    expect(rows.nth(3)).to_be_visible()
    for i in range(rows.count()):
        row = rows.nth(i)
        issued = parse_us_date(row.locator('td[data-label="Issued"]').inner_text())
        due = parse_us_date(row.locator('td[data-label="Due"]').inner_text().split("(")[0].split("\n")[0])
        number = row.locator('td[data-label="Invoice"]').inner_text().strip()
        assert issued < due, f"{number}: issued {issued}, due {due}"
        assert number.startswith(f"INV-{issued:%Y%m}-"), f"{number} issued {issued}"
    # The overdue one (12 days past due) was issued in an earlier period than today's.
    overdue = rows.filter(has=page.locator('[data-label="Status"]', has_text="Overdue"))
    expect(overdue).to_have_count(1)
    assert parse_us_date(overdue.locator('td[data-label="Issued"]').inner_text()) < days_from_today(-12)
    session.shot()
    assert session.page_errors == []


# ------------------------------------------------------------------------------------------------ item 3


def test_a_site_user_sees_what_they_may_use_and_an_amount_the_invoices_page_explains(
    session: Session,
) -> None:
    page = session.page
    session.login(AIRPORT_SITE)
    # No wallet in their menu: the graph says SITE users cannot see it.
    expect(page.get_by_test_id("nav-invoices")).to_be_visible()
    expect(page.get_by_test_id("nav-wallet")).to_have_count(0)
    strip = page.get_by_test_id("financial-summary")
    due = strip.get_by_test_id("due-on-account")
    expect(due).to_contain_text("for your sites")
    expect(due).to_contain_text("consolidated invoice")
    expect(page.get_by_test_id("cta-invoices")).to_have_count(0)  # no link to a list that would be empty
    outstanding = money_value(
        strip.locator(".stat")
        .filter(has=page.locator("dt", has_text="Outstanding"))
        .locator(".stat__value")
        .inner_text()
    )
    assert float(outstanding) > 0
    session.shot("dashboard")

    page.get_by_test_id("nav-invoices").click()
    explained = page.get_by_test_id("invoices-on-account")
    expect(explained).to_contain_text(f"${outstanding}")
    expect(page.locator("#invoice-panel")).not_to_contain_text("you're all set")
    session.shot("invoices")

    # The overview and each service page say where their amounts are billed, not "0 open invoices".
    page.get_by_test_id("nav-overview").click()
    rows = page.get_by_test_id("breakdown-row")
    expect(rows).to_have_count(2)
    for i in range(2):
        expect(rows.nth(i).locator('td[data-label="Open invoices"]')).to_have_text("on the account's invoice")
    open_service(page, "INTERNET")
    share = page.get_by_test_id("invoice-share")
    expect(share).to_have_count(1)
    expect(share).to_contain_text("Account invoice")
    expect(share.get_by_test_id("invoice-share-note")).to_contain_text("covers 10 services; this service:")
    expect(page.get_by_test_id("service-billing")).not_to_contain_text("you're all set")
    session.shot("service")
    assert session.page_errors == []


def test_a_household_owner_still_has_the_wallet_and_the_invoice_link(session: Session) -> None:
    page = session.page
    session.login(ANA)
    expect(page.get_by_test_id("nav-wallet")).to_be_visible()
    expect(page.get_by_test_id("cta-invoices")).to_be_visible()
    expect(page.get_by_test_id("due-on-account")).to_have_count(0)


# ------------------------------------------------------------------------------------------------ item 4


def test_usage_agrees_with_the_live_session_and_names_its_days(session: Session) -> None:
    page = session.page
    session.login(ANA)
    open_service(page, "IPTV")
    title = page.get_by_test_id("usage-title")
    start, end = days_from_today(-29), days_from_today(0)
    expect(title).to_contain_text(str(end.year))
    expect(title).to_contain_text(f"{start:%b} {start.day}")
    expect(page.get_by_test_id("usage-note")).to_contain_text("current session")
    chart = page.get_by_test_id("usage-chart")
    expect(chart).not_to_contain_text("No usage recorded")
    download = gigabytes(chart.locator(".usage__totals > div").first.inner_text())
    session_text = page.get_by_test_id("session-usage").inner_text()
    assert "since" in session_text
    this_session = gigabytes(session_text.split("down")[0])
    assert download >= this_session > 0, (download, this_session)
    session.shot()
    assert session.page_errors == []


def test_a_suspended_service_records_no_usage_while_down(session: Session) -> None:
    page = session.page
    session.login(CARA)
    open_service(page, "INTERNET")
    since_text = page.get_by_test_id("service-status").locator(".muted.small").first.inner_text()
    since = re.search(r"[A-Z][a-z]{2} \d{1,2}, \d{4}", since_text)
    assert since, since_text
    down_days = (date.today() - parse_us_date(since.group(0))).days
    assert down_days > 1
    # Two bars per recorded day, and none for the days since the suspension.
    bars = page.get_by_test_id("usage-chart").locator("svg rect")
    assert bars.count() <= 2 * (30 - down_days), (bars.count(), down_days)
    session.shot()
    assert session.page_errors == []


# ------------------------------------------------------------------------------------------------ item 5


def test_a_service_shows_its_share_of_the_household_invoice(session: Session) -> None:
    page = session.page
    session.login(ANA)
    open_service(page, "INTERNET")
    billing = page.get_by_test_id("service-billing")
    outstanding = (
        billing.locator("dt", has_text="Outstanding").locator("xpath=following-sibling::dd").inner_text()
    )
    note = billing.get_by_test_id("invoice-share-note")
    expect(note).to_have_text(
        re.compile(r"^Invoice INV-\d{6}-\d+ \(\$92\.97\) covers 2 services; this service: \$64\.99\.$")
    )
    assert outstanding.strip() == "$64.99"
    expect(billing.get_by_test_id("invoice-share").locator(".plain-list__end > .strong")).to_have_text(
        "$64.99"
    )
    session.shot()
    assert session.page_errors == []


# ------------------------------------------------------------------------------------------------ item 6


def test_prepaid_service_shows_the_last_day_paid_in_any_timezone(
    open_session: Callable[..., Session],
) -> None:
    session = open_session(timezone_id="Pacific/Honolulu")
    page = session.page
    session.login(CARA)
    last_day = us_date(days_from_today(9))  # prepaid until the start of today + 10 (UTC)
    expect(card(page, "VOIP")).to_contain_text(f"Prepaid through{last_day}")
    open_service(page, "VOIP")
    expect(page.get_by_test_id("service-expires")).to_have_text(last_day)
    cycle = page.get_by_test_id("billing-cycle")
    # "Prepaid from the wallet · Paid through …" (the catalog capitalises it after the dot): the date is the point.
    expect(cycle).to_contain_text(re.compile(f"paid through {re.escape(last_day)}", re.IGNORECASE))
    expect(cycle).not_to_contain_text("current period")
    page.get_by_test_id("nav-invoices").click()
    cycles = page.get_by_test_id("billing-cycle")
    expect(cycles).to_contain_text(f"Prepaid from the walletPaid through {last_day}")
    expect(cycles.locator(".cycle__row").filter(has_text="Prepaid")).not_to_contain_text("Next invoice")
    page.go_back()
    # The instant (midnight UTC) would read "Dec 11, 2:00 PM" in Honolulu: the plan shows the date alone.
    expect(page.locator('section[aria-labelledby="profile-title"]')).not_to_contain_text(
        re.compile(r"\d:\d\d [AP]M")
    )
    session.shot()
    assert session.page_errors == []


# ----------------------------------------------------------------------------------------------- item 11


def test_counts_are_worded_for_their_number_and_facts_are_separate(session: Session) -> None:
    page = session.page
    session.login(ANA)
    devices: Locator = (
        card(page, "IPTV").locator("dt", has_text="Devices").locator("xpath=following-sibling::dd")
    )
    expect(devices).to_have_text("1 device · 1 online")
    expect(card(page, "IPTV").get_by_test_id("connection-state")).to_have_text("Connected")
    page.get_by_test_id("nav-invoices").click()
    expect(page.get_by_test_id("invoice-row")).to_have_count(1)
    expect(page.get_by_text("1 invoice shown")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("All 1 invoices")
    page.get_by_test_id("invoice-tab-all").click()
    expect(page.get_by_text("All 4 invoices shown")).to_be_visible()
    assert session.page_errors == []


def test_a_used_gift_card_is_refused_in_a_proper_sentence(session: Session) -> None:
    page = session.page
    session.login(ANA)
    page.get_by_test_id("nav-wallet").click()
    page.get_by_test_id("giftcard-code").fill("WG-GIFT-USED")  # redeemed by Ben in the seed
    page.get_by_test_id("giftcard-submit").click()
    result = page.get_by_test_id("giftcard-result")
    expect(result).to_have_attribute("data-outcome", "error")
    expect(result).to_contain_text("This gift card has already been redeemed.")
    expect(result).not_to_contain_text("this gift card was already redeemed")
    session.shot()


def test_no_pay_an_invoice_button_after_a_top_up_when_nothing_is_open(session: Session, core: Core) -> None:
    # Cara's open invoice is settled by a bank transfer Billing records; then she tops up her wallet.
    for invoice in core.invoices("SUB-1003"):
        if invoice["status"] in ("OPEN", "OVERDUE"):
            paid = core.http.post(
                "/billing/v1/payments",
                json={
                    "external_ref": f"test-transfer-{invoice['id']}",
                    "invoice_id": invoice["id"],
                    "amount": invoice["balance"]["amount"],
                    "currency": invoice["balance"]["currency"],
                    "method": "BANK_TRANSFER",
                },
            )
            assert paid.status_code in (200, 201), paid.text
    assert all(i["status"] == "PAID" for i in core.invoices("SUB-1003"))
    page = session.page
    session.login(CARA)
    page.get_by_test_id("nav-wallet").click()
    page.get_by_test_id("topup-amount").fill("15.00")
    page.get_by_test_id("topup-submit").click()
    on_gateway(page)
    submit_card(page, GOOD_CARD, "Cara Jensen")
    confirmation = page.get_by_test_id("payment-confirmation")
    expect(confirmation).to_be_visible(timeout=20_000)
    expect(confirmation).to_have_attribute("data-kind", "topup")
    expect(confirmation.get_by_role("link", name="Go to your wallet")).to_be_visible()
    # The outstanding amount is read after the confirmation: give it the time of one read.
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("confirmation-pay-invoice")).to_have_count(0)
    expect(confirmation).not_to_contain_text("Pay an invoice")
    session.shot()
    assert session.page_errors == []
