"""A backend down, in the browser: with Billing refusing every connection, the dashboard still lists the
services with their status and devices, and says in a small notice what is missing; when Billing is back,
a reload shows everything again. With the CRM refusing, a signed-in subscriber's dashboard still lists the
services (Billing's list of them) with their status, and the balance.

Runs its own portal (`wispgate serve` + `wispgate sandbox`, with a fault proxy in front of Billing) instead of
the package's `wispgate demo`, whose backends cannot be put behind a proxy.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.harness.faultproxy import FaultProxy, Mode
from tests.harness.portal import BASE_ENV
from tests.harness.process import REPO, free_port, product_env, served, wispgate

from .helpers import SERVICE_KEY, DemoServer, Session

pytestmark = pytest.mark.browser

BACKENDS = ("billing", "crm", "aaa", "oss")


PROXIED = ("billing", "crm")


@pytest.fixture(scope="module")
def proxies() -> Iterator[dict[str, FaultProxy]]:
    """Started before the portal, so that the portal's Billing and CRM URLs can point at them."""
    started = {name: FaultProxy("127.0.0.1", free_port()) for name in PROXIED}
    yield started
    for proxy in started.values():
        proxy.stop()


@pytest.fixture(scope="module")
def billing_proxy(proxies: dict[str, FaultProxy]) -> FaultProxy:
    return proxies["billing"]


@pytest.fixture(scope="module")
def crm_proxy(proxies: dict[str, FaultProxy]) -> FaultProxy:
    return proxies["crm"]


@pytest.fixture(scope="module")
def demo(proxies: dict[str, FaultProxy]) -> Iterator[DemoServer]:
    """The portal with its built web app, every backend in a sandbox on loopback, Billing and the CRM behind
    a proxy each."""
    web_dist = REPO / "web" / "dist"
    if not (web_dist / "index.html").is_file():
        pytest.fail(f"{web_dist / 'index.html'} is missing: run `make web` first")
    sandbox_port, portal_port = free_port(), free_port()
    sandbox = f"http://127.0.0.1:{sandbox_port}"
    base = f"http://127.0.0.1:{portal_port}"
    for proxy in proxies.values():
        proxy.target = ("127.0.0.1", sandbox_port)
        proxy.start()
    env = {
        "WISPGATE_ENV": "development",
        "WEB_DIST": str(web_dist),
        "JWT_SECRET": BASE_ENV["JWT_SECRET"],
        "FILES_SIGNING_KEY": BASE_ENV["FILES_SIGNING_KEY"],
        "CORE_EVENTS_SECRET": BASE_ENV["CORE_EVENTS_SECRET"],
        "PUBLIC_URL": base,
    }
    for system in BACKENDS:
        upper = system.upper()
        origin = proxies[system].url if system in proxies else sandbox
        env[f"{upper}_URL"] = f"{origin}/_sandbox/{system}"
        env[f"{upper}_API_KEY"] = SERVICE_KEY
        env[f"{upper}_READ_TIMEOUT_S"] = "2"
        # A breaker opens while its backend is down; short, so that the page recovers soon after it is back.
        env[f"{upper}_BREAKER_COOLDOWN_S"] = "0.5"
    with served(
        (
            "wispgate sandbox",
            wispgate("sandbox", "--host", "127.0.0.1", "--port", str(sandbox_port)),
            product_env(SANDBOX_SERVICE_KEY=SERVICE_KEY, SANDBOX_PUBLIC_URL=f"{sandbox}/_sandbox"),
            f"{sandbox}/_sandbox/",
        ),
        (
            "wispgate serve",
            wispgate("serve", "--host", "127.0.0.1", "--port", str(portal_port)),
            product_env(**env),
            f"{base}/readyz",
        ),
    ):
        yield DemoServer(base)


def test_with_billing_down_the_dashboard_shows_the_services_and_a_notice(
    session: Session, billing_proxy: FaultProxy
) -> None:
    page = session.page
    billing_proxy.set(Mode.REFUSE)
    try:
        session.login("ana@lima.example")  # signing in needs the CRM only

        # The services are the CRM's, their status AAA's, their devices OSS's: all there.
        cards = page.get_by_test_id("subservice-card")
        expect(cards).to_have_count(2)
        assert sorted(cards.evaluate_all("els => els.map(e => e.dataset.status)")) == ["ACTIVE", "ACTIVE"]
        expect(cards.first).to_contain_text("online")
        # What Billing feeds is missing, and a notice says so in words (a status, not an alarm).
        notices = page.locator('[data-testid="unavailable"][data-backend="billing"]')
        expect(notices.first).to_be_visible()
        expect(notices.first).to_have_attribute("role", "status")
        expect(notices.first).to_contain_text("Billing is temporarily unavailable")
        expect(notices.first).to_contain_text("will be back shortly")
        expect(page.get_by_test_id("financial-summary")).to_have_count(0)
        expect(page.get_by_test_id("error-banner")).to_have_count(0)
        expect(cards.first).to_contain_text("Unavailable right now")
        session.shot("billing-down")

        # The rest keeps working: a service page opens, with its status and devices.
        cards.first.get_by_role("link").click()
        expect(page.get_by_test_id("service-status")).to_contain_text("Active")
        expect(page.get_by_test_id("device-row").first).to_be_visible()
        expect(page.get_by_test_id("service-billing").get_by_test_id("unavailable")).to_contain_text(
            "Billing is temporarily unavailable"
        )
    finally:
        billing_proxy.set(Mode.PASS)

    # Billing is back: once its breaker lets a probe through, the dashboard shows the balance again, without
    # a notice (a reload a little later, as a subscriber would retry). While half-open the breaker lets one
    # call through and fails the page's other Billing reads at once, so a reload may still show the notice:
    # retry as a subscriber would, a few times.
    summary = page.get_by_test_id("financial-summary")
    billing_notice = page.locator('[data-testid="unavailable"][data-backend="billing"]')
    for _ in range(10):
        page.wait_for_timeout(1000)
        session.goto("/")
        summary.or_(billing_notice).first.wait_for()
        page.get_by_test_id("subservice-card").first.wait_for()
        if summary.count() and not page.get_by_test_id("unavailable").count():
            break
    expect(summary).to_be_visible()
    expect(page.get_by_test_id("unavailable")).to_have_count(0)
    expect(page.get_by_test_id("subservice-card").first).not_to_contain_text("Unavailable right now")
    assert session.page_errors == []


def test_with_the_crm_down_a_signed_in_dashboard_lists_the_services(
    session: Session, crm_proxy: FaultProxy
) -> None:
    page = session.page
    session.login("it@northwind.example")  # signing in asks the CRM for the password; nothing after it does
    cards = page.get_by_test_id("subservice-card")
    expect(cards.first).to_be_visible()
    titles = "els => els.map(e => e.querySelector('.svc__title').textContent)"
    labels = cards.evaluate_all(titles)
    crm_proxy.set(Mode.REFUSE)
    try:
        session.goto("/")
        # The same services (Billing bills each of them under the CRM's id and label), each with its status.
        expect(cards).to_have_count(len(labels))
        assert cards.evaluate_all(titles) == labels and len(labels) == 10
        statuses = cards.evaluate_all("els => els.map(e => e.dataset.status)")
        assert "UNKNOWN" not in statuses, statuses
        expect(page.get_by_test_id("financial-summary")).to_be_visible()
        # No notice about the services: nothing of them is missing.
        expect(
            page.locator('[data-testid="unavailable"][data-backend="crm"]').filter(has_text="your services")
        ).to_have_count(0)
        expect(page.get_by_test_id("error-banner")).to_have_count(0)
        session.shot("crm-down")
        # A service's own page too (the sub-service by id, from Billing's copy), with its AAA status.
        cards.first.get_by_role("link").click()
        expect(page.get_by_test_id("service-status")).to_be_visible()
        expect(page.get_by_role("heading", name=labels[0])).to_be_visible()
    finally:
        crm_proxy.set(Mode.PASS)
    assert session.page_errors == []
