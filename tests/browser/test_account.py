"""Account security in Chromium against a real `wispgate demo`: a session revoked from another browser lands on
the sign-in page, two-step sign-in set up with the QR page's key and used to sign in, a password reset through
the e-mail the demo's SMTP sink received, and an owner's Team page inviting someone."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pyotp
import pytest
from playwright.sync_api import expect

from .conftest import demo_server
from .helpers import PASSWORD, DemoServer, Session

pytestmark = pytest.mark.browser

OPERATOR_KEY = "sandbox-operator-key"  # the demo's default (the harness only changes the service key)
# A generous bound for a revoked browser to notice: its socket is closed at once (4401), which a busy machine
# may still take a few seconds to deliver and act on.
REVOKED_MS = 10_000


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    """This module's own demo process: it changes passwords and second factors."""
    with demo_server() as running:
        yield running


def mail_to(demo: DemoServer, address: str, subject_part: str, timeout_s: float = 20.0) -> dict[str, Any]:
    """The newest message the demo's SMTP sink received for `address` about `subject_part` — sent over real
    SMTP by the CRM's relay, so it is waited for (a generous bound for a busy machine)."""
    deadline = time.monotonic() + timeout_s
    while True:
        box = httpx.get(f"{demo.base_url}/_sandbox/mailbox", headers={"X-API-Key": OPERATOR_KEY}, timeout=15)
        assert box.status_code == 200, box.text
        found = [m for m in box.json()["items"] if address in m["rcpt_to"] and subject_part in m["subject"]]
        if found:
            newest: dict[str, Any] = found[0]  # the sink lists the newest first
            return newest
        assert time.monotonic() < deadline, f"no e-mail to {address} about {subject_part!r}"
        time.sleep(0.25)


def test_a_session_revoked_from_another_browser_is_sent_to_sign_in(open_session: Any) -> None:
    laptop: Session = open_session()
    phone: Session = open_session()
    laptop.login("ops@northwind.example")
    phone.login("ops@northwind.example")
    expect(phone.page.get_by_test_id("subscriber-name")).to_be_visible()

    laptop.goto("/account")
    rows = laptop.page.get_by_test_id("session-row")
    expect(rows).to_have_count(2)
    other = rows.filter(has_not_text="This device")
    expect(other).to_have_count(1)
    other.get_by_test_id("session-sign-out").click()
    expect(rows).to_have_count(1)

    # The phone did nothing: its open socket is closed by the server and it shows the sign-in form.
    expect(phone.page.get_by_test_id("login-email")).to_be_visible(timeout=REVOKED_MS)
    expect(phone.page.get_by_test_id("logout")).to_have_count(0)
    expect(laptop.page.get_by_test_id("logout")).to_be_visible()
    log = laptop.page.get_by_test_id("access-log")
    laptop.page.reload()
    expect(log).to_contain_text("Session ended")
    laptop.shot()
    assert laptop.page_errors == [] and phone.page_errors == []


def test_sign_out_everywhere_keeps_this_browser(open_session: Any) -> None:
    first: Session = open_session()
    second: Session = open_session()
    third: Session = open_session()
    for session in (first, second, third):
        session.login("auditor@northwind.example")
    third.goto("/account")
    expect(third.page.get_by_test_id("session-row")).to_have_count(3)
    third.page.get_by_test_id("sign-out-everywhere").click()
    third.page.get_by_test_id("confirm-ok").click()
    expect(third.page.get_by_test_id("session-row")).to_have_count(1)
    for ended in (first, second):
        expect(ended.page.get_by_test_id("login-email")).to_be_visible(timeout=REVOKED_MS)
    expect(third.page.get_by_test_id("logout")).to_be_visible()


def test_enrol_two_step_sign_in_and_sign_in_with_it(session: Session) -> None:
    page = session.page
    session.login("ana@lima.example")
    session.goto("/account")
    expect(page.get_by_test_id("second-factor-status")).to_have_text("Off")
    page.get_by_test_id("totp-begin").click()
    expect(page.get_by_test_id("totp-qr")).to_be_visible()
    assert page.get_by_test_id("totp-qr").get_attribute("src", timeout=5000).startswith("data:image/svg+xml")
    totp = pyotp.TOTP(page.get_by_test_id("totp-secret").inner_text().strip())
    page.get_by_test_id("totp-code").fill(totp.now())
    page.get_by_test_id("totp-confirm").click()
    expect(page.get_by_test_id("recovery-code")).to_have_count(10)
    expect(page.get_by_test_id("second-factor-status")).to_have_text("On")
    session.shot("recovery-codes")

    page.get_by_test_id("logout").click()
    page.get_by_test_id("login-email").fill("ana@lima.example")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("second-factor-form")).to_be_visible()
    page.get_by_test_id("second-factor-code").fill("000000" if totp.now() != "000000" else "111111")
    page.get_by_test_id("second-factor-submit").click()
    expect(page.get_by_test_id("second-factor-error")).to_be_visible()
    # The confirming code was used once already: the next time step's code is within the accepted window.
    page.get_by_test_id("second-factor-code").fill(totp.at(time.time() + totp.interval))
    page.get_by_test_id("second-factor-submit").click()
    expect(page.get_by_test_id("logout")).to_be_visible()
    expect(page.get_by_test_id("subscriber-name")).to_have_text("Ana Lima")
    assert session.page_errors == []


def test_reset_a_forgotten_password_through_the_email(session: Session, demo: DemoServer) -> None:
    page = session.page
    address = "finance@northwind.example"
    session.goto("/")
    page.get_by_test_id("forgot-password").click()
    page.get_by_test_id("forgot-email").fill(address)
    page.get_by_test_id("forgot-submit").click()
    expect(page.get_by_test_id("reset-requested")).to_be_visible()

    mail = mail_to(demo, address, "Reset your")
    link = re.search(r"https?://\S+/reset-password\?token=\S+", mail["text"])
    assert link, mail["text"]
    assert link.group(0).startswith(demo.base_url + "/reset-password?token=")
    page.goto(link.group(0))
    page.get_by_test_id("reset-password").fill("password123")
    page.get_by_test_id("reset-repeat").fill("password123")
    page.get_by_test_id("reset-submit").click()
    expect(page.get_by_test_id("reset-error")).to_contain_text("too common")
    new_password = "finance-team-passphrase"
    page.get_by_test_id("reset-password").fill(new_password)
    page.get_by_test_id("reset-repeat").fill(new_password)
    page.get_by_test_id("reset-submit").click()
    expect(page.get_by_test_id("reset-done")).to_be_visible()
    assert "token=" not in page.url  # the token left the address bar
    page.get_by_test_id("reset-sign-in").click()
    session.login(address, new_password)
    expect(page.get_by_test_id("subscriber-name")).to_be_visible()

    # The link works once.
    page.goto(link.group(0))
    page.get_by_test_id("reset-password").fill("another-passphrase")
    page.get_by_test_id("reset-repeat").fill("another-passphrase")
    page.get_by_test_id("reset-submit").click()
    expect(page.get_by_test_id("reset-error")).to_contain_text("expired or was already used")


def test_an_owner_invites_someone_from_the_team_page(session: Session, demo: DemoServer) -> None:
    page = session.page
    session.login("it@northwind.example")
    page.get_by_test_id("nav-team").click()
    expect(page.get_by_test_id("team-member")).to_have_count(5)
    # The site user's sites are named as the subscriber knows them.
    sam = page.get_by_test_id("team-member").filter(has_text="Sam Ito")
    expect(sam).to_contain_text("Internet – ")
    expect(sam).not_to_contain_text("a site")
    page.get_by_test_id("invite-email").fill("helpdesk@northwind.example")
    page.get_by_test_id("invite-name").fill("Help Desk")
    page.get_by_test_id("invite-role").select_option("FINANCE")
    page.get_by_test_id("invite-submit").click()
    expect(page.get_by_test_id("team-message")).to_contain_text("Invitation sent")
    expect(page.get_by_test_id("team-member")).to_have_count(6)
    mail = mail_to(demo, "helpdesk@northwind.example", "invited")
    assert "/reset-password?token=" in mail["text"]
    session.shot()
    assert session.page_errors == []


def test_on_a_phone_the_account_page_is_one_tap_from_the_top_bar(open_session: Any) -> None:
    phone: Session = open_session(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    page = phone.page
    phone.login("it@northwind.example")
    expect(page.get_by_test_id("nav-account")).to_be_hidden()  # the bottom bar keeps the daily pages
    page.get_by_test_id("account-link").click()
    expect(page.get_by_role("heading", name="Account & security")).to_be_visible()
    page.get_by_test_id("account-team-link").click()
    expect(page.get_by_test_id("team-member").first).to_be_visible()
    phone.shot()
