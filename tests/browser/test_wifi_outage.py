"""Wi-Fi and router, and network incidents, in Chromium against `wispgate demo`:

- Ana changes her router's Wi-Fi password on the sub-service page: a bad password is refused in words; a good
  one is sent as a task shown PENDING (her router is offline, so it waits), and when the router is back the
  page shows it DONE without a reload, pushed over the WebSocket from OSS's `device.task_changed` event.
- The building manager's dashboard: the operator opens an outage on the Harbor area in the sandbox console,
  the banner appears without a reload, with the estimate; the operator resolves it and the banner goes.

The module runs its own demo (it changes router and incident state)."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import expect

from .conftest import demo_server
from .helpers import DemoServer, Session
from .payflow import LIVE_MS, OPERATOR_KEY, Loads, Subscriptions

pytestmark = pytest.mark.browser

ROUTER = "DEV-1001-1-2"
NEW_PASSWORD = "orchard lane 2026"


def gid(type_name: str, raw: str) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{raw}".encode()).decode().rstrip("=")


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    with demo_server() as running:
        yield running


@pytest.fixture
def ops(demo: DemoServer) -> Iterator[httpx.Client]:
    """OSS's operator API, as the console calls it."""
    with httpx.Client(
        base_url=demo.sandbox("oss"), headers={"X-API-Key": OPERATOR_KEY}, timeout=15
    ) as client:
        yield client


def test_a_wifi_password_change_is_shown_pending_then_done_live(
    open_session: type[Session], ops: httpx.Client
) -> None:
    session = open_session()
    page = session.page
    subscriptions = Subscriptions(page)
    session.login("ana@lima.example")
    session.goto(f"/services/{gid('SubService', 'SS-1001-1')}")
    section = page.get_by_test_id("wifi-router")
    router = section.locator(f'[data-device="{gid("Device", ROUTER)}"]')
    expect(router.get_by_test_id("wifi-network")).to_have_count(2)
    expect(router.get_by_test_id("connected-hosts")).to_be_visible()
    loads = Loads(page)

    # The router drops off the network: what is sent now waits for it.
    assert ops.post(f"/v1/ops/devices/{ROUTER}/state", json={"online": False}).status_code == 200

    network = router.locator('[data-testid="wifi-network"][data-index="1"]')
    network.get_by_role("button", name="Change").click()
    form = network.get_by_test_id("wifi-form")
    form.get_by_label("New password").fill("short")
    form.get_by_role("button", name="Save Wi-Fi settings").click()
    expect(form.get_by_test_id("wifi-error")).to_contain_text("8 to 63 printable ASCII characters")
    expect(form.get_by_test_id("wifi-error")).to_have_attribute("data-field", "password")

    form.get_by_label("Network name").fill("Lima Home")
    form.get_by_label("New password").fill(NEW_PASSWORD)
    form.get_by_role("button", name="Save Wi-Fi settings").click()
    status = router.get_by_test_id("task-status")
    expect(status).to_have_attribute("data-status", "PENDING")
    expect(status).to_contain_text("waiting for the device")
    session.shot("pending")

    # Back online: the CPE's session applies the task; OSS's event reaches the page over the socket.
    assert ops.post(f"/v1/ops/devices/{ROUTER}/state", json={"online": True}).status_code == 200
    expect(status).to_have_attribute("data-status", "DONE", timeout=LIVE_MS)
    expect(status).to_contain_text("Wi-Fi change applied")
    expect(network.get_by_test_id("wifi-ssid")).to_have_text("Lima Home", timeout=LIVE_MS)
    assert loads.urls == [], "the page reloaded"
    assert any("deviceTaskChanged" in d for d in subscriptions.sent)
    assert NEW_PASSWORD not in page.content()
    session.shot("done")
    assert session.page_errors == []


def test_a_viewer_sees_the_router_but_cannot_change_or_restart_it(open_session: type[Session]) -> None:
    session = open_session()
    session.login("auditor@northwind.example")
    session.goto(f"/services/{gid('SubService', 'SS-2001-1')}")
    section = session.page.get_by_test_id("wifi-router")
    expect(section.get_by_test_id("wifi-device")).to_have_count(1)
    expect(section.get_by_test_id("connected-hosts")).to_be_visible()
    expect(section.get_by_test_id("reboot")).to_have_count(0)


def test_the_outage_banner_follows_the_operator_console(open_session: type[Session]) -> None:
    session = open_session()
    page = session.page
    session.login("manager@harborview.example")
    expect(page.get_by_test_id("logout")).to_be_visible()
    expect(page.get_by_test_id("outage-banner")).to_have_count(0)
    loads = Loads(page)

    console = session.context.new_page()
    console.goto(session.demo.base_url + "/_sandbox/")
    console.get_by_role("tab", name="Network incidents").click()
    console.locator("#incident-scope").select_option("area:Harbor")
    console.locator("#incident-kind").select_option("OUTAGE")
    console.locator("#incident-title").fill("Fibre cut on Harbor View Drive")
    console.locator("#incident-message").fill("A crew is splicing the cable.")
    console.locator("#incident-end").fill("2030-01-01T18:00")
    console.locator("#open-incident").click()
    expect(console.locator("#toast")).to_contain_text("40 services affected")
    row = console.get_by_test_id("incident-row").first
    expect(row).to_contain_text("Fibre cut on Harbor View Drive")
    session.shot("console", page=console)

    banner = page.get_by_test_id("outage-banner")
    expect(banner).to_have_count(1, timeout=LIVE_MS)
    expect(banner).to_contain_text("Outage: Fibre cut on Harbor View Drive")
    expect(banner).to_contain_text("A crew is splicing the cable.")
    expect(banner).to_contain_text("Service should be back by about")
    expect(banner).to_contain_text("and 35 more")  # 40 apartments: five named, the rest counted
    session.shot("banner")

    row.get_by_role("button", name="Resolve").click()
    expect(console.locator("#toast")).to_contain_text("Incident resolved")
    expect(banner).to_have_count(0, timeout=LIVE_MS)
    assert loads.urls == [], "the dashboard reloaded"
    assert session.page_errors == []
