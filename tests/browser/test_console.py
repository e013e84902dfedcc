"""The sandbox operator console, used as the ISP's staff would, and what the subscriber then sees."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .helpers import Session

pytestmark = pytest.mark.browser

REPLY = "We replaced the access point on your floor; speeds should be back to normal tonight."


def _tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def test_operator_replies_and_suspends_and_the_subscriber_sees_it(session: Session) -> None:
    page = session.page
    session.goto("/_sandbox/")

    # Support queue: reply to the MDU's ticket and mark it resolved.
    expect(page.locator('[data-reply="TCK-4"]')).to_be_visible()
    page.locator('[data-reply="TCK-4"]').fill(REPLY)
    page.locator('[data-next="TCK-4"]').select_option("RESOLVED")
    page.locator('[data-send="TCK-4"]').click()
    expect(page.locator("#toast")).to_contain_text("Reply sent")
    session.shot("queue")

    # The reply went out by e-mail too (the seed's "portal + e-mail notification").
    _tab(page, "E-mail outbox")
    expect(page.locator("#email-rows")).to_contain_text("speeds should be back to normal")

    # Service status: suspend one apartment administratively.
    _tab(page, "Service status")
    page.locator('[data-reason="SS-3001-110"]').select_option("ADMINISTRATIVE")
    page.locator('[data-suspend="SS-3001-110"]').click()
    expect(page.locator("#toast")).to_contain_text("Status changed")
    expect(page.locator('[data-reactivate="SS-3001-110"]')).to_be_visible()

    # Both changes left as signed events and were delivered to the portal's /hooks/core.
    _tab(page, "Event deliveries")
    rows = page.locator("#event-rows tr")
    expect(rows.filter(has_text="ticket.updated").first).to_contain_text("DELIVERED", timeout=15_000)
    expect(rows.filter(has_text="service.status_changed").first).to_contain_text("DELIVERED", timeout=15_000)
    session.shot("events")

    # The building manager sees the suspension and the ticket notification in the portal.
    portal = session.context.new_page()
    portal.goto(session.demo.base_url + "/")
    portal.get_by_test_id("login-email").fill("manager@harborview.example")
    portal.get_by_test_id("login-password").fill("wispgate-demo")
    portal.get_by_test_id("login-submit").click()
    portal.get_by_test_id("subservice-search").fill("Apt 110")
    card = portal.get_by_test_id("subservice-card").filter(has_text="Apt 110")
    expect(card).to_have_attribute("data-status", "SUSPENDED")
    portal.get_by_test_id("notifications-bell").click()
    expect(portal.get_by_test_id("notification-item").first).to_be_visible()
    expect(portal.get_by_test_id("notification-item").filter(has_text="Slow Wi-Fi in Apt 101")).to_have_count(
        1
    )
    session.shot("portal", page=portal)

    # Reactivating from the console brings it back.
    _tab(page, "Service status")
    page.locator('[data-reactivate="SS-3001-110"]').click()
    expect(page.locator('[data-suspend="SS-3001-110"]')).to_be_visible()
    portal.reload()
    portal.get_by_test_id("subservice-search").fill("Apt 110")
    expect(portal.get_by_test_id("subservice-card").filter(has_text="Apt 110")).to_have_attribute(
        "data-status", "ACTIVE"
    )
    assert session.page_errors == []
