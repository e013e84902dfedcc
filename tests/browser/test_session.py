"""Signing in and out in the browser: a wrong password, and a logout that survives a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import Session

pytestmark = pytest.mark.browser


def test_wrong_password_then_logout_survives_reload(session: Session) -> None:
    page = session.page
    session.goto("/")

    # A wrong password: an error on the form, still on the form, no session.
    page.get_by_test_id("login-email").fill("ana@lima.example")
    page.get_by_test_id("login-password").fill("not-the-password")
    page.get_by_test_id("login-submit").click()
    error = page.get_by_test_id("login-error")
    expect(error).to_be_visible()
    expect(error).not_to_be_empty()
    expect(page.get_by_test_id("login-email")).to_be_visible()
    expect(page.get_by_test_id("login-email")).to_have_value("ana@lima.example")
    expect(page.get_by_test_id("login-submit")).to_be_enabled()
    expect(page.get_by_test_id("logout")).to_have_count(0)
    expect(page.get_by_test_id("subscriber-name")).to_have_count(0)
    session.shot()
    page.reload()
    expect(page.get_by_test_id("login-email")).to_be_visible()
    expect(page.get_by_test_id("logout")).to_have_count(0)

    # The right password signs in; logout returns to the form, and a reload stays signed out.
    session.login("ana@lima.example")
    expect(page.get_by_test_id("subscriber-name")).to_have_text("Ana Lima")
    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("login-email")).to_be_visible()
    expect(page.get_by_test_id("logout")).to_have_count(0)
    session.shot("signed-out")
    page.reload()
    expect(page.get_by_test_id("login-email")).to_be_visible()
    expect(page.get_by_test_id("logout")).to_have_count(0)
    expect(page.get_by_test_id("subscriber-name")).to_have_count(0)
    # A deep link after logout also lands on the login form, with nothing of the account rendered.
    session.goto("/invoices")
    expect(page.get_by_test_id("login-email")).to_be_visible()
    expect(page.get_by_test_id("invoice-row")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("Ana Lima")
    assert session.page_errors == []
