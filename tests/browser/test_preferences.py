"""Contact details and notification preferences in Chromium against a real `wispgate demo`: an owner changes
their phone and turns outage e-mails off on the Account page (a kind × channel grid of checkboxes), both kept
after a reload; the CRM then posts an outage notice without an e-mail but still e-mails a payment one; SECURITY
e-mail shows on and cannot be unticked; a VIEWER reads the account's contact details without a form; a login
e-mail changes with the current password and the link the new address receives.
Screenshots: artifacts/prefs/."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.harness.process import REPO

from .conftest import demo_server
from .helpers import PASSWORD, DemoServer, Session, axe_violations, no_sideways_scroll

pytestmark = pytest.mark.browser

OPERATOR_KEY = "sandbox-operator-key"  # the demo's default (the harness only changes the service key)
SHOTS = REPO / "artifacts" / "prefs"


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    """This module's own demo process: it changes a phone and preferences."""
    with demo_server() as running:
        yield running


def notify(demo: DemoServer, kind: str, title: str) -> None:
    posted = httpx.post(
        f"{demo.base_url}/_sandbox/crm/v1/notifications",
        json={"subscriber_id": "SUB-1001", "kind": kind, "title": title, "body": "…", "email": True},
        headers={"X-API-Key": demo.service_key},
        timeout=15,
    )
    assert posted.status_code == 201, posted.text


def outbox_subjects(demo: DemoServer) -> list[str]:
    """What the CRM queued for e-mail (at notify time, in the notice's own transaction: no waiting needed)."""
    box = httpx.get(
        f"{demo.base_url}/_sandbox/crm/v1/ops/emails", headers={"X-API-Key": OPERATOR_KEY}, timeout=15
    )
    assert box.status_code == 200, box.text
    items: list[dict[str, Any]] = box.json()["items"]
    return [m["subject"] for m in items]


def test_an_owner_changes_their_phone_and_turns_off_outage_emails(session: Session, demo: DemoServer) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = session.page
    session.login("ana@lima.example")
    session.goto("/account")

    contact = page.get_by_test_id("contact-details")
    expect(contact.get_by_role("heading", name="Contact details")).to_be_visible()
    phone = page.get_by_label("Your phone (with country code)", exact=True)
    phone.fill("912 345 678")  # no country code: refused, with the reason beside the field
    page.get_by_test_id("save-my-phone").click()
    expect(page.get_by_role("alert").filter(has_text="country code")).to_be_visible()
    expect(phone).to_have_attribute("aria-invalid", "true")
    phone.fill("+351 912 345 678")
    page.get_by_test_id("save-my-phone").click()
    expect(page.get_by_test_id("my-phone-message")).to_have_text("Your phone is saved as +351912345678.")
    contact.screenshot(path=str(SHOTS / "contact-details.png"))

    grid = page.get_by_test_id("notification-preferences")
    outage_email = grid.get_by_role("checkbox", name="Outages and service: by e-mail")
    security_email = grid.get_by_role("checkbox", name="Security: by e-mail")
    expect(outage_email).to_be_checked()
    expect(security_email).to_be_checked()
    expect(security_email).to_be_disabled()
    outage_email.uncheck()
    grid.get_by_role("button", name="Save notification preferences").click()
    expect(grid.get_by_role("status")).to_have_text("Your notification preferences are saved.")
    grid.screenshot(path=str(SHOTS / "notifications.png"))

    # Kept: the CRM has them.
    page.reload()
    expect(page.get_by_label("Your phone (with country code)", exact=True)).to_have_value("+351912345678")
    expect(page.get_by_role("checkbox", name="Outages and service: by e-mail")).not_to_be_checked()
    expect(page.get_by_role("checkbox", name="Outages and service: in the portal")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Payments: by e-mail")).to_be_checked()
    serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
    page.screenshot(path=str(SHOTS / "account-page.png"), full_page=True)

    # The CRM applies them where it posts: an outage notice e-mails nothing now, a payment one still does.
    before = outbox_subjects(demo)
    notify(demo, "GENERAL", "Planned maintenance tonight")
    notify(demo, "PAYMENT_RECEIVED", "Payment received")
    after = outbox_subjects(demo)
    new = after[: len(after) - len(before)]
    assert new == ["Payment received"], new
    assert session.page_errors == []


def test_a_viewer_reads_the_accounts_contact_details_and_sets_their_own_notifications(
    session: Session,
) -> None:
    page = session.page
    session.login("auditor@northwind.example")
    session.goto("/account")
    account = page.get_by_test_id("account-contact")
    expect(account).to_contain_text("accounts@northwind.example")
    expect(page.get_by_test_id("save-account-contact")).to_have_count(0)
    expect(page.get_by_test_id("save-my-phone")).to_have_count(0)
    usage_email = page.get_by_role("checkbox", name="Usage: by e-mail")
    usage_email.uncheck()
    page.get_by_role("button", name="Save notification preferences").click()
    expect(page.get_by_test_id("preferences-message")).to_have_text(
        "Your notification preferences are saved."
    )
    page.get_by_test_id("contact-details").screenshot(path=str(SHOTS / "viewer-contact-details.png"))


def mail_to(demo: DemoServer, address: str, subject_part: str, timeout_s: float = 20.0) -> dict[str, Any]:
    """The newest message the demo's SMTP sink received for `address` about `subject_part`: sent over real
    SMTP by the CRM's relay, so it is polled for until it arrives (a generous bound for a busy machine)."""
    deadline = time.monotonic() + timeout_s
    while True:
        box = httpx.get(f"{demo.base_url}/_sandbox/mailbox", headers={"X-API-Key": OPERATOR_KEY}, timeout=15)
        assert box.status_code == 200, box.text
        found = [m for m in box.json()["items"] if address in m["rcpt_to"] and subject_part in m["subject"]]
        if found:
            newest: dict[str, Any] = found[0]
            return newest
        assert time.monotonic() < deadline, f"no e-mail to {address} about {subject_part!r}"
        time.sleep(0.25)


def test_a_login_email_changes_only_through_the_link_sent_to_the_new_address(
    session: Session, demo: DemoServer
) -> None:
    page = session.page
    session.login("cara@jensen.example")
    session.goto("/account")
    page.get_by_role("button", name="Change login e-mail").click()
    page.get_by_label("New login e-mail").fill("cara.new@jensen.example")
    page.get_by_test_id("login-email-password").fill("not-the-password")
    page.get_by_role("button", name="Send confirmation link").click()
    expect(page.get_by_test_id("login-email-message")).to_have_text("The current password is not correct.")
    page.get_by_test_id("login-email-password").fill(PASSWORD)
    page.get_by_role("button", name="Send confirmation link").click()
    expect(page.get_by_test_id("login-email-message")).to_contain_text(
        "We sent a link to cara.new@jensen.example"
    )
    page.get_by_test_id("contact-details").screenshot(path=str(SHOTS / "login-email-requested.png"))

    mail = mail_to(demo, "cara.new@jensen.example", "Confirm your new")
    link = re.search(r"https?://\S+/confirm-email\?token=\S+", mail["text"])
    assert link, mail["text"]
    page.goto(link.group(0))
    expect(page.get_by_test_id("confirm-email-outcome")).to_have_text(
        "You sign in with cara.new@jensen.example from now on."
    )
    page.screenshot(path=str(SHOTS / "login-email-confirmed.png"))
    assert "token" not in page.url  # taken out of the address bar
    mail_to(demo, "cara@jensen.example", "was changed")


def test_the_account_page_fits_a_phone(open_session: Callable[..., Session]) -> None:
    phone = open_session(viewport={"width": 375, "height": 800})
    phone.login("it@northwind.example")
    phone.goto("/account")
    expect(phone.page.get_by_role("checkbox", name="Payments: by e-mail")).to_be_visible()
    expect(phone.page.get_by_test_id("account-contact")).to_be_visible()
    no_sideways_scroll(phone.page)
    phone.page.screenshot(path=str(SHOTS / "account-page-phone.png"), full_page=True)
