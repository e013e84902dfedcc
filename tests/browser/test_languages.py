"""The portal in Spanish and Portuguese, in Chromium against a real `wispgate demo`. An owner walks every page of
the router (web/src/App.tsx) in English, switches the language on the account page (kept by the CRM), and walks
them again. On each page, no visible text — text nodes, whole blocks, aria-label, placeholder, title, alt, the
document title — may be

- the English catalog's text of a message that reads differently in that language (web/src/i18n/en.json,
  {placeholders} matching anything): a component that bypasses the catalog, or a message left untranslated; or
- the same as in the English walk while it is not the server's data (every string the page's GraphQL answers
  carried is data: names, addresses, ticket subjects), a word both languages share (a message whose text is the
  same in both), or a brand or unit: English that is in no catalog at all.

The sign-in page, before anyone is known, follows the browser's language. Pages whose components are not
translated yet are listed in PENDING_ROUTES (the unit test's PENDING list, seen by route): they must still fail,
so the list only shrinks. Screenshots: artifacts/languages/.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.harness.process import REPO

from .conftest import demo_server
from .helpers import DemoServer, Session

pytestmark = pytest.mark.browser

CATALOGS = REPO / "web" / "src" / "i18n"
APP = REPO / "web" / "src" / "App.tsx"
SHOTS = REPO / "artifacts" / "languages"
OWNER = "it@northwind.example"  # an enterprise owner: every page of the portal is theirs to see
# Routes whose page still has English in its components (web/src/i18n/i18n.test.ts: PENDING).
PENDING_ROUTES: set[str] = set()


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    """This module's own demo: it changes the owner's language in the CRM."""
    with demo_server() as running:
        yield running


def routes() -> list[str]:
    """Every route of the signed-in portal, from the router itself (a new page is walked without editing this
    test): "/" for the index, and "*" as a page that does not exist."""
    source = APP.read_text(encoding="utf-8")
    found = ["/"] if "<Route index" in source else []
    for path in re.findall(r'<Route\s+path="([^"]+)"', source):
        if path == "login":
            continue  # redirects to "/" once signed in
        found.append("/no-such-page" if path == "*" else f"/{path}")
    return found


def _texts(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value.values())


def english_patterns(locale: str) -> list[tuple[str, re.Pattern[str]]]:
    """The English text of every message that reads differently in `locale`, as a whole-text pattern
    ({placeholders} match anything). English sentences that are also some message's text in `locale` (a word
    both languages share) are left out."""
    en = json.loads((CATALOGS / "en.json").read_text(encoding="utf-8"))
    other = json.loads((CATALOGS / f"{locale}.json").read_text(encoding="utf-8"))
    theirs = {text for value in other.values() for text in _texts(value)}
    patterns = []
    for key, value in en.items():
        if value == other.get(key):
            continue
        for text in _texts(value):
            literal = re.sub(r"\{\w+\}", "", text)
            if text in theirs or len(re.findall(r"[A-Za-z]", literal)) < 3:
                continue
            parts = [re.escape(p) for p in re.split(r"\{\w+\}", text)]
            patterns.append((key, re.compile("^" + ".+?".join(parts) + "$", re.S)))
    return patterns


VISIBLE_TEXT = """() => {
  const out = [document.title];
  const visible = (el) => el && el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.replace(/\\s+/g, " ").trim();
    if (text && visible(n.parentElement)) out.push(text);
  }
  for (const el of document.body.querySelectorAll("[aria-label],[placeholder],[title],img[alt]")) {
    if (!visible(el) && !el.matches("[aria-label]")) continue;
    for (const name of ["aria-label", "placeholder", "title", "alt"]) {
      const value = el.getAttribute(name);
      if (value && value.trim()) out.push(value.replace(/\\s+/g, " ").trim());
    }
  }
  // Whole blocks too: a sentence split by a link or <strong> is whole in its block's innerText.
  for (const el of document.body.querySelectorAll("p, li, dt, dd, th, td, label, button, h1, h2, h3, strong")) {
    if (visible(el)) out.push(el.innerText.replace(/\\s+/g, " ").trim());
  }
  return [...new Set(out)];
}"""


def untranslated(page: Page, patterns: list[tuple[str, re.Pattern[str]]]) -> list[str]:
    texts: list[str] = page.evaluate(VISIBLE_TEXT)
    return sorted({f"{text!r} (en: {key})" for text in texts for key, p in patterns if p.match(text)})


SCAN = REPO / "web" / "src" / "i18n" / "scan.ts"


def shared_terms() -> tuple[str, ...]:
    """What reads the same in every language (brands, units, formats): the unit test's allowlist, ALLOWED in
    web/src/i18n/scan.ts, so both tests agree; plus words the catalogs do not hold but every language uses."""
    block = SCAN.read_text(encoding="utf-8").split("export const ALLOWED", 1)[1].split("]);", 1)[0]
    return (
        *re.findall(r'"([^"]+)"', block),
        "Internet",
        "Online",
        "Offline",
        "Status",
        "E-mail",
        "Email",
        "GHz",
    )


SHARED_TERMS = shared_terms()
WORD = re.compile(r"[A-Za-z]{3,}")
EMAIL = re.compile(r"\S+@\S+")


class DataSeen:
    """Every string the page's GraphQL answers carried: what the server says is data, not the portal's words."""

    def __init__(self, page: Page) -> None:
        self.strings: set[str] = set()
        page.on("response", self._response)

    def _response(self, response: Any) -> None:
        if "/graphql" not in response.url or response.request.method != "POST":
            return
        try:
            self._walk(response.json())
        except Exception:  # a body that is gone or not JSON carries no data for us
            return

    def _walk(self, value: Any) -> None:
        if isinstance(value, str):
            if len(value) >= 2:
                self.strings.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                self._walk(item)
        elif isinstance(value, list):
            for item in value:
                self._walk(item)


def still_english(texts: set[str], english: set[str], data: set[str], shared: set[str]) -> list[str]:
    """Texts shown identically in English that are neither data, nor a word both languages share, nor a brand."""
    found = []
    shared = {s.casefold() for s in shared}
    for text in texts & english:
        if text.casefold() in shared or text in data:  # CSS may upper-case a heading
            continue
        rest = EMAIL.sub(" ", text)
        for piece in sorted(data | set(SHARED_TERMS), key=len, reverse=True):
            if len(piece) >= 3 and piece in rest:
                rest = rest.replace(piece, " ")
        if WORD.search(rest):
            found.append(text)
    return sorted(found)


def shared_words(locale: str) -> set[str]:
    """Texts that are the same in English and `locale` for some message (a word both languages share)."""
    en = json.loads((CATALOGS / "en.json").read_text(encoding="utf-8"))
    other = json.loads((CATALOGS / f"{locale}.json").read_text(encoding="utf-8"))
    return {text for key, value in other.items() if value == en.get(key) for text in _texts(value)}


def settle(page: Page) -> None:
    """Wait until the page has loaded what it shows: no spinner or skeleton left."""
    page.wait_for_load_state("networkidle")
    expect(page.locator(".spinner, .skeleton")).to_have_count(0, timeout=15_000)


def concrete(session: Session, route: str) -> str | None:
    """A real address for a route with a parameter (the first service, the first ticket); None if none."""
    page = session.page
    if ":id" in route:
        session.goto("/")
        link = page.locator('a[href^="/services/"]').first
        link.wait_for()
        return link.get_attribute("href")
    if ":number" in route:
        session.goto("/support")
        settle(page)
        link = page.locator('a[href^="/support/TCK"]').first
        return link.get_attribute("href") if link.count() else None
    return route


def choose_language(session: Session, value: str) -> None:
    session.goto("/account")
    picker = session.page.get_by_test_id("language-picker")
    picker.select_option(value)
    expect(session.page.locator("html")).to_have_attribute("lang", "pt-BR" if value == "pt" else value)


def walk(session: Session) -> dict[str, set[str]]:
    """Every route's visible texts, after it has loaded."""
    seen: dict[str, set[str]] = {}
    for route in routes():
        path = concrete(session, route)
        if path is None:
            continue
        session.goto(path)
        settle(session.page)
        seen[route] = set(session.page.evaluate(VISIBLE_TEXT))
    return seen


@pytest.mark.parametrize("locale", ["es", "pt"])
def test_every_page_is_in_the_chosen_language(open_session: Any, locale: str) -> None:
    session: Session = open_session()
    data = DataSeen(session.page)
    session.login(OWNER)
    choose_language(session, "en")
    # The operator's brand name (BRAND_NAME) is theirs, in no catalog and no GraphQL answer.
    brand = session.page.get_by_test_id("brand-logo").first.get_attribute("aria-label") or ""
    data.strings.add(brand)
    english = walk(session)
    choose_language(session, locale)
    # Kept by the CRM, not the browser: a fresh browser in English shows the owner's language once signed in.
    other: Session = open_session()
    other.login(OWNER)
    expect(other.page.get_by_test_id("nav-invoices")).to_have_text(
        re.compile({"es": "Facturas", "pt": "Faturas"}[locale])
    )
    patterns = english_patterns(locale)
    shared = shared_words(locale)
    failures: dict[str, list[str]] = {}
    for route in routes():
        path = concrete(session, route)
        if path is None:
            continue
        session.goto(path)
        settle(session.page)
        texts = set(session.page.evaluate(VISIBLE_TEXT))
        found = untranslated(session.page, patterns) + still_english(
            texts, english.get(route, set()), data.strings, shared
        )
        if route in PENDING_ROUTES:
            assert found, f"{route} has no English left in {locale}: remove it from PENDING_ROUTES"
            continue
        if found:
            failures[route] = found
        if route in ("/", "/invoices", "/account"):
            SHOTS.mkdir(parents=True, exist_ok=True)
            name = route.strip("/") or "dashboard"
            session.page.screenshot(path=str(SHOTS / f"{locale}-{name}.png"), full_page=True)
    assert not failures, f"English left in {locale}:\n" + "\n".join(
        f"{route}: {texts}" for route, texts in failures.items()
    )
    assert not session.page_errors


@pytest.mark.parametrize(("browser_locale", "sign_in"), [("es-MX", "Iniciar sesión"), ("pt-BR", "Entrar")])
def test_the_sign_in_page_follows_the_browser(open_session: Any, browser_locale: str, sign_in: str) -> None:
    session: Session = open_session(locale=browser_locale)
    session.goto("/")
    expect(session.page.get_by_test_id("login-submit")).to_have_text(sign_in)
    locale = browser_locale[:2]
    assert untranslated(session.page, english_patterns(locale)) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    session.page.screenshot(path=str(SHOTS / f"sign-in-{locale}.png"))
    # The picker changes it at once, before anyone signs in.
    session.page.get_by_test_id("language-picker").select_option("en")
    expect(session.page.get_by_test_id("login-submit")).to_have_text("Sign in")
