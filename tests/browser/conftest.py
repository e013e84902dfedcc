"""Browser harness: the real product (`wispgate demo`) in a subprocess, driven by Debian's Chromium via Playwright.

Once for the tests/browser package: one demo server (BFF + built portal + core sandbox on one port) and one Chromium. Per test: a fresh
browser context (own cookies, 1280×800 unless a test asks otherwise), a screenshot helper writing to
`artifacts/screenshots/<test-name>[-<step>].png`, and an automatic `<test-name>-failure.png` when a test fails.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from tests.harness.process import REPO, free_port, product_env, served, wispgate

from .helpers import SCREENSHOTS, SERVICE_KEY, DemoServer, Session
from .payflow import Core

WEB_DIST = REPO / "web" / "dist"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}


@contextlib.contextmanager
def demo_server(**env: str) -> Iterator[DemoServer]:
    """`wispgate demo` on a free port, ready (GET /readyz → 200), stopped on exit. A module that changes money
    state runs its own (`demo` overridden at module scope) so the package's shared demo keeps the seed.
    `env`: configuration of the product's own (BRAND_NAME=…)."""
    if not (WEB_DIST / "index.html").is_file():
        pytest.fail(f"{WEB_DIST / 'index.html'} is missing: run `make web` first")
    host, port = "127.0.0.1", free_port()
    base_url = f"http://{host}:{port}"
    command = wispgate("demo", "--host", host, "--port", str(port))
    env = product_env(WEB_DIST=str(WEB_DIST), SANDBOX_SERVICE_KEY=SERVICE_KEY, **env)
    with served(("wispgate demo", command, env, f"{base_url}/readyz")):
        yield DemoServer(base_url)


@pytest.fixture(scope="package")
def demo() -> Iterator[DemoServer]:
    """One demo for the package's read-mostly tests."""
    with demo_server() as running:
        yield running


# Package scope, not session: while the sync API is active it leaves an asyncio loop marked as running in this
# thread, which would break every pytest-asyncio test collected after tests/browser in a full run.
@pytest.fixture
def core(demo: DemoServer) -> Iterator[Core]:
    """The core systems' operator API of whichever demo the test runs against (a module's own `demo`, when it
    overrides it)."""
    client = Core(demo)
    yield client
    client.http.close()


@pytest.fixture(scope="package")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium` (never `playwright install`)")
    chromium = playwright_instance.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _test_name(request: pytest.FixtureRequest) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)


@pytest.fixture
def open_session(
    demo: DemoServer, browser: Browser, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Session]]:
    """Factory: a fresh context and page (`viewport` defaults to desktop 1280×800)."""
    sessions: list[Session] = []
    (SCREENSHOTS / f"{_test_name(request)}-failure.png").unlink(missing_ok=True)  # from an earlier run

    def factory(viewport: dict[str, int] | None = None, **options: Any) -> Session:
        options.setdefault("locale", "en-US")  # a test may ask for another browser language
        context = browser.new_context(
            viewport=viewport or DESKTOP,
            accept_downloads=True,
            **options,
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        session = Session(demo, context, page, _test_name(request))
        page.on("pageerror", lambda exc: session.page_errors.append(str(exc)))
        sessions.append(session)
        return session

    yield factory

    failed = getattr(request.node, "rep_call", None)
    for session in sessions:
        if failed is not None and failed.failed:
            try:
                session.shot("failure")
            except Exception as exc:  # the page may be gone; the failure itself is what matters
                sys.stderr.write(f"failure screenshot not saved: {exc}\n")
        session.context.close()


@pytest.fixture
def session(open_session: Callable[..., Session]) -> Session:
    """A fresh desktop (1280×800) browser context and page."""
    return open_session()
