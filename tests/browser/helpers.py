"""Small helpers shared by the browser tests: dates as the portal prints them, PDFs, downloads."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Locator, Page, expect
from pypdf import PdfReader

from tests.harness.process import REPO

SCREENSHOTS = REPO / "artifacts" / "screenshots"
AXE_SCRIPT = REPO / "web" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 375, "height": 812}
PASSWORD = "wispgate-demo"
# The core sandbox inside the demo accepts this key (the BFF is given the same one); tests use it to change core
# data the way a back-office system would.
SERVICE_KEY = "browser-tests-service-key"
MONEY_RE = re.compile(r"^\$\d{1,3}(,\d{3})*\.\d{2}$")


def us_date(d: date) -> str:
    """The portal's `formatDate` in en-US: "Dec 1, 2026"."""
    return f"{d:%b} {d.day}, {d.year}"


def days_from_today(n: int) -> date:
    # The seed's dates are relative to the real today (the demo seeds at start-up).
    return date.today() + timedelta(days=n)


def no_sideways_scroll(page: Page) -> None:
    width: int = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"scrolls sideways on a phone: scrollWidth={width}"


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core (web/node_modules, a devDependency) run over the page as it is now: its violations, each
    `{"id", "impact", "help", "targets"}`. The script is evaluated through the DevTools protocol, which the
    portal's CSP (script-src 'self') does not stop."""
    if not AXE_SCRIPT.is_file():
        raise AssertionError(f"{AXE_SCRIPT} is missing: run `npm ci` in web/")
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT.read_text())
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const result = await window.axe.run(document, { resultTypes: ["violations"] });
            return result.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                targets: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
            }));
        }"""
    )
    return found


def money_value(text: str) -> str:
    """ "$1,215.00" → "1215.00" (exact, no floats)."""
    text = text.strip()
    assert MONEY_RE.match(text), f"not a dollar amount: {text!r}"
    return text.lstrip("$").replace(",", "")


def download_bytes(page: Page, link: Locator) -> tuple[str, bytes]:
    """Click a download link, wait for the browser's download and return (suggested filename, bytes)."""
    with page.expect_download() as info:
        link.click()
    download = info.value
    failure = download.failure()
    assert failure is None, f"download failed: {failure}"
    return download.suggested_filename, Path(download.path()).read_bytes()


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF"), f"not a PDF: {data[:32]!r}"
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 1
    return "\n".join(p.extract_text() or "" for p in reader.pages)


@dataclass(frozen=True)
class DemoServer:
    """A running `wispgate demo` (portal, GraphQL API and core sandbox on one port) as the browser reaches it;
    GraphQL itself goes through the page, as a subscriber's does."""

    base_url: str
    service_key: str = SERVICE_KEY

    def sandbox(self, system: str) -> str:
        return f"{self.base_url}/_sandbox/{system}"


@dataclass
class Session:
    """One test's browser context plus helpers."""

    demo: DemoServer
    context: BrowserContext
    page: Page
    name: str
    page_errors: list[str] = field(default_factory=list)

    def goto(self, path: str = "/") -> None:
        self.page.goto(self.demo.base_url + path)

    def login(self, email: str, password: str = PASSWORD) -> None:
        """Sign in through the login form and wait for the signed-in shell."""
        page = self.page
        if "login" not in page.url and page.get_by_test_id("login-email").count() == 0:
            self.goto("/")
        page.get_by_test_id("login-email").fill(email)
        page.get_by_test_id("login-password").fill(password)
        page.get_by_test_id("login-submit").click()
        expect(page.get_by_test_id("logout")).to_be_visible()

    def shot(self, step: str | None = None, page: Page | None = None) -> Path:
        """Full-page screenshot of this session's page (or of `page`, another tab of the same context)."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / (f"{self.name}-{step}.png" if step else f"{self.name}.png")
        (page or self.page).screenshot(path=str(path), full_page=True)
        return path
