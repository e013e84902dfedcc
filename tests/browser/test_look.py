"""The visual and accessibility check of issue 12: every page of the portal, for every seeded persona, at a
375 px phone and a 1366 px laptop:

- a full-page screenshot, `artifacts/look/<width>/<persona>-<page>.png`;
- no sideways scrolling at 375 px (`no_sideways_scroll`);
- axe-core (web's devDependency) with no serious or critical violation. Every page's result (violations by
  impact, with the rule and the first elements) goes to `artifacts/look/axe-<persona>.json`, and
  `artifacts/look/axe.md` sums up every persona's file present.

Read-only: the package's shared demo.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.harness.process import REPO

from .helpers import PHONE, Session, axe_violations

pytestmark = pytest.mark.browser

LOOK = REPO / "artifacts" / "look"
LAPTOP = {"width": 1366, "height": 768}
IMPACTS = ("critical", "serious", "moderate", "minor")
BLOCKING = ("critical", "serious")
PERSONAS = {
    "ana": "ana@lima.example",  # residential, an invoice due
    "ben": "ben@okafor.example",  # residential, suspended for non-payment
    "cara": "cara@jensen.example",  # residential, suspended by the provider, a prepaid line
    "northwind-owner": "it@northwind.example",  # enterprise owner: every page
    "northwind-viewer": "auditor@northwind.example",  # enterprise, read-only
    "northwind-site": "airport@northwind.example",  # enterprise SITE user: two sub-services
    "harborview-manager": "manager@harborview.example",  # MDU, 40 apartments
    "harborview-apt101": "apt101@harborview.example",  # MDU SITE user
}


def settle(page: Page) -> None:
    """The page has its heading and nothing is still loading (no skeleton, no spinner)."""
    expect(page.get_by_role("heading", level=1).first).to_be_visible()
    expect(page.locator(".skeleton, .spinner, .card--skeleton")).to_have_count(0)
    page.evaluate("document.fonts.ready.then(() => true)")


def pages_of(page: Page) -> list[tuple[str, str]]:
    """(name, path) of every page this signed-in persona can reach: the main menu's, a sub-service, a support
    ticket (when there is one), the account page, the new-ticket form, the payment-return page and the not-found
    page."""
    settle(page)
    found: list[tuple[str, str]] = []
    for link in page.locator('nav[aria-label="Main"] a').all():
        name = (link.get_attribute("data-testid") or "").removeprefix("nav-")
        found.append((name, link.get_attribute("href") or "/"))
    service = page.get_by_test_id("subservice-card").first.get_by_role("link").first
    found.append(("service", service.get_attribute("href") or ""))
    page.get_by_test_id("nav-support").click()
    settle(page)
    rows = page.get_by_test_id("ticket-row")
    expect(rows.first.or_(page.locator(".empty"))).to_be_visible()
    if rows.count():
        found.append(("ticket", rows.first.get_by_role("link").first.get_attribute("href") or ""))
    found += [
        ("account", "/account"),  # the top bar's shield icon
        ("support-new", "/support/new"),
        ("payment-return", "/payments/return"),
        ("not-found", "/no-such-page"),
    ]
    assert all(path.startswith("/") for _, path in found), found
    return found


def sideways(page: Page) -> int:
    """How far the document is wider than the viewport (0 when it fits)."""
    width: int = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    return width


# Layout checks run on every page (each returns what is wrong, [] when nothing is).
FOCUS_FRAME = """() => {
    const el = document.activeElement;
    if (!el || el === document.body || el.getAttribute("tabindex") !== "-1") return [];
    const style = getComputedStyle(el);
    const framed = style.boxShadow !== "none" || (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0);
    return framed ? [`${el.tagName.toLowerCase()}#${el.id} (focused by script) shows a focus frame`] : [];
}"""
CLIPPED_TEXT = """() => {
    const clipped = (el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 0.5;
    const found = [];
    for (const el of document.querySelectorAll(".nav__link, .nav__link span, .brand__subscriber, .brand__meta")) {
        if (clipped(el)) found.push(`"${el.textContent.trim()}" is cut off (${el.className})`);
    }
    return found;
}"""
CYCLE_ALIGNED = """() => [...document.querySelectorAll(".cycle__row")].flatMap((row) => {
    const lefts = [...row.children].map((c) => Math.round(c.getBoundingClientRect().left));
    return new Set(lefts).size > 1 ? [`billing cycle row "${row.textContent.trim()}" is not aligned: ${lefts}`] : [];
})"""
ONE_LINE_CELLS = """() => {
    const lines = (node) => {
        const range = document.createRange();
        range.selectNodeContents(node);
        return new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
    };
    const found = [];
    for (const row of document.querySelectorAll('[data-testid="invoice-row"]')) {
        for (const cell of row.querySelectorAll("td")) {
            const label = cell.dataset.label;
            if (!["Invoice", "Service", "Period", "Issued", "Due", "Total", "Balance"].includes(label)) continue;
            const text = label === "Due" ? cell.firstChild : cell;
            if (text && lines(text) > 1) found.push(`${label} "${cell.textContent.trim()}" wraps onto ${lines(text)} lines`);
        }
    }
    return found;
}"""


def layout_problems(page: Page, phone: bool) -> list[str]:
    found: list[str] = page.evaluate(FOCUS_FRAME)
    if phone:
        found += page.evaluate(CLIPPED_TEXT) + page.evaluate(CYCLE_ALIGNED)
    else:
        found += page.evaluate(ONE_LINE_CELLS)
    return found


def summary(violations: list[dict[str, Any]]) -> dict[str, Any]:
    counts = {impact: sum(1 for v in violations if v["impact"] == impact) for impact in IMPACTS}
    return {**counts, "violations": violations}


def write_summary() -> None:
    """artifacts/look/axe.md: one line per persona, page and width from every axe-<persona>.json present."""
    lines = [
        "# axe-core result per page (tests/browser/test_look.py)",
        "",
        "| persona | page | width | critical | serious | moderate | minor | rules |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for path in sorted(LOOK.glob("axe-*.json")):
        persona = path.stem.removeprefix("axe-")
        for page_name, widths in json.loads(path.read_text()).items():
            for width, result in widths.items():
                rules = ", ".join(sorted({f"{v['id']} ({v['impact']})" for v in result["violations"]})) or "—"
                counts = " | ".join(str(result[impact]) for impact in IMPACTS)
                lines.append(f"| {persona} | {page_name} | {width} | {counts} | {rules} |")
    (LOOK / "axe.md").write_text("\n".join(lines) + "\n")


def check_pages(
    open_session: Callable[..., Session],
    persona: str,
    login: Callable[[Session], None],
    anonymous: bool = False,
) -> None:
    results: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    pages: list[tuple[str, str]] | None = None
    for width, viewport in ((375, PHONE), (1366, LAPTOP)):
        phone = width == 375
        session = open_session(viewport=viewport, is_mobile=phone, has_touch=phone)
        page = session.page
        login(session)
        if pages is None:
            pages = [("login", "/"), ("reset-password", "/reset-password")] if anonymous else pages_of(page)
        folder = LOOK / str(width)
        folder.mkdir(parents=True, exist_ok=True)
        for name, path in pages:
            session.goto(path)
            settle(page)
            if extra := sideways(page):
                problems.append(f"{name} ({path}) scrolls sideways at {width} px by {extra} px")
            problems += [f"{name} ({path}) at {width} px: {p}" for p in layout_problems(page, phone)]
            page.screenshot(path=str(folder / f"{persona}-{name}.png"), full_page=True)
            violations = axe_violations(page)
            results.setdefault(name, {})[str(width)] = summary(violations)
            problems += [
                f"{name} ({path}) at {width} px: {v['impact']} {v['id']}: {v['help']} {v['targets']}"
                for v in violations
                if v["impact"] in BLOCKING
            ]
        assert session.page_errors == [], session.page_errors
    (LOOK / f"axe-{persona}.json").write_text(json.dumps(results, indent=2) + "\n")
    write_summary()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_fits_a_phone_passes_axe_and_is_photographed(
    open_session: Callable[..., Session], persona: str
) -> None:
    check_pages(open_session, persona, lambda session: session.login(PERSONAS[persona]))


def test_signed_out_pages_fit_a_phone_pass_axe_and_are_photographed(
    open_session: Callable[..., Session],
) -> None:
    def nobody(session: Session) -> None:
        session.goto("/")
        expect(session.page.get_by_test_id("login-email")).to_be_visible()

    check_pages(open_session, "signed-out", nobody, anonymous=True)
