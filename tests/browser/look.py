"""What the look check (test_look.py) and the keyboard test (test_keyboard.py) share: where the artifacts go,
the layout checks run on every page, and the axe-core result files with their summary table."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import Page, expect

from tests.harness.process import REPO

LOOK = REPO / "artifacts" / "look"
LAPTOP = {"width": 1366, "height": 768}
IMPACTS = ("critical", "serious", "moderate", "minor")
BLOCKING = ("critical", "serious")


def settle(page: Page) -> None:
    """The page has its heading and nothing is still loading (no skeleton, no spinner)."""
    expect(page.get_by_role("heading", level=1).first).to_be_visible()
    expect(page.locator(".skeleton, .spinner, .card--skeleton")).to_have_count(0)
    page.evaluate("document.fonts.ready.then(() => true)")


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


def record(persona: str, results: dict[str, dict[str, Any]]) -> None:
    """Write `artifacts/look/axe-<persona>.json` ({page: {width: summary}}) and refresh the summary table."""
    LOOK.mkdir(parents=True, exist_ok=True)
    (LOOK / f"axe-{persona}.json").write_text(json.dumps(results, indent=2) + "\n")
    write_summary()
