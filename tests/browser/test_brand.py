"""Issue 12, brand: a demo configured as "Acme Fiber" (BRAND_NAME, BRAND_PRIMARY_COLOR, BRAND_LOGO_FILE,
BRAND_SUPPORT_EMAIL, BRAND_SUPPORT_PHONE) shows that brand, and no other, on the portal (title, logo, colours,
support contacts), in the e-mails the CRM sends, on the invoice PDF and on the gateway's hosted page (which
was the gateway's purple).

The module runs its own `wispgate demo` with that configuration.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from .conftest import demo_server
from .helpers import DemoServer, Session, download_bytes, pdf_text
from .payflow import ANA, LIVE_MS, OPERATOR_KEY, on_gateway

pytestmark = pytest.mark.browser

NAME = "Acme Fiber"
COLOR = "#7a1f5c"
RGB = "rgb(122, 31, 92)"
EMAIL = "help@acme.example"
PHONE = "+1 555 0199"
LOGO_SIZE = (120, 40)


@pytest.fixture(scope="module")
def logo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("brand") / "acme.png"
    picture = Image.new("RGB", LOGO_SIZE, (122, 31, 92))
    out = io.BytesIO()
    picture.save(out, "PNG")
    path.write_bytes(out.getvalue())
    return path


@pytest.fixture(scope="module")
def demo(logo: Path) -> Iterator[DemoServer]:
    with demo_server(
        BRAND_NAME=NAME,
        BRAND_PRIMARY_COLOR=COLOR,
        BRAND_LOGO_FILE=str(logo),
        BRAND_SUPPORT_EMAIL=EMAIL,
        BRAND_SUPPORT_PHONE=PHONE,
    ) as running:
        yield running


def css(page: Page, selector: str, prop: str) -> str:
    value: str = page.locator(selector).first.evaluate(
        f"el => getComputedStyle(el).getPropertyValue('{prop}')"
    )
    return value.strip()


def logo_shown(page: Page, testid: str) -> None:
    image = page.get_by_test_id(testid).first
    expect(image).to_be_visible()
    width = image.evaluate("el => el.naturalWidth")
    assert width == LOGO_SIZE[0], f"the logo did not load: naturalWidth={width}"


def mail_to(demo: DemoServer, address: str, subject_part: str) -> dict[str, Any]:
    deadline = time.monotonic() + LIVE_MS / 1000
    with httpx.Client(base_url=demo.sandbox(""), headers={"X-API-Key": OPERATOR_KEY}, timeout=15) as http:
        while True:
            for message in http.get("/mailbox").json()["items"]:
                if address in message["rcpt_to"] and subject_part in message["subject"]:
                    found: dict[str, Any] = message
                    return found
            assert time.monotonic() < deadline, f"no e-mail to {address} about {subject_part}"
            time.sleep(0.25)


def test_the_operators_brand_everywhere(session: Session, demo: DemoServer) -> None:
    page = session.page

    # Sign-in page: the operator's name, logo and colour.
    session.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Sign in to {NAME}")
    expect(page).to_have_title(f"Sign in · {NAME}")
    logo_shown(page, "brand-logo")
    assert css(page, ":root", "--brand") == COLOR
    assert css(page, '[data-testid="login-submit"]', "background-color") == RGB
    expect(page.get_by_test_id("support-contacts")).to_contain_text(f"Write to {EMAIL} or call {PHONE}")
    session.shot("login")

    # The e-mail the CRM sends (a password reset): the operator's name, colour and contacts.
    page.get_by_test_id("forgot-password").click()
    page.get_by_test_id("forgot-email").fill(ANA)
    page.get_by_test_id("forgot-submit").click()
    expect(page.get_by_test_id("reset-requested")).to_be_visible()
    mail = mail_to(demo, ANA, "password")
    assert mail["subject"] == f"Reset your {NAME} portal password"
    assert mail["from"] == f"{NAME} Support <{EMAIL}>"
    assert f"background:{COLOR}" in mail["html"] and f"{NAME} · Questions? {EMAIL} · {PHONE}" in mail["html"]
    assert re.search(r'<img src="http://[^"]+/brand/logo"', mail["html"]), mail["html"][:400]
    assert "WISPGate" not in mail["html"] + mail["text"]

    # Signed in: the header's logo, the tab's title, the footer and the support page's contacts.
    session.login(ANA)
    logo_shown(page, "brand-logo")
    expect(page).to_have_title(re.compile(rf" · {NAME}$"))
    expect(page.locator("footer.footer")).to_contain_text(f"{NAME} customer portal")
    assert (
        "WISPGate"
        not in page.locator("header.topbar").inner_text() + page.locator("footer.footer").inner_text()
    )
    page.get_by_test_id("nav-support").click()
    contacts = page.locator("#main").get_by_test_id("support-contacts")  # the footer has them too
    expect(contacts).to_contain_text(EMAIL)
    expect(contacts.get_by_role("link", name=PHONE)).to_have_attribute("href", "tel:+15550199")

    # The invoice PDF: the operator's name and contacts, not WISPGate's.
    page.get_by_test_id("nav-invoices").click()
    row = page.get_by_test_id("invoice-row").first
    _, data = download_bytes(page, row.get_by_test_id("invoice-pdf-link"))
    text = pdf_text(data)
    assert NAME in text and f"Questions? {EMAIL} · {PHONE}" in text and "WISPGate" not in text
    assert css(page, '[data-testid="pay-invoice"]', "background-color") == RGB
    session.shot("invoices")

    # The gateway's hosted page: the operator's colour, logo and name instead of the gateway's purple.
    row.get_by_test_id("pay-invoice").click()
    on_gateway(page)
    expect(page.get_by_text(f"Pay {NAME}", exact=True)).to_be_visible()
    assert css(page, '[data-testid="pay-button"]', "background-color") == RGB
    logo_shown(page, "merchant-logo")
    assert "WISPGate" not in page.locator("body").inner_text()
    session.shot("gateway")
    assert session.page_errors == []
