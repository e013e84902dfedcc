"""GATEWAYS and PAYPAL_*: which gateways the portal offers, and PayPal's credentials when it is one."""

from __future__ import annotations

import pytest

from bff.core.settings import PAYPAL_API, SANDBOX_PAYPAL_URL, SettingsError, load_settings

PRODUCTION = {
    "WISPGATE_ENV": "production",
    "JWT_SECRET": "j" * 40,
    "FILES_SIGNING_KEY": "f" * 40,
    "CORE_EVENTS_SECRET": "c" * 40,
    "PUBLIC_URL": "https://portal.example.net",
}


def test_stripe_alone_unless_told() -> None:
    assert load_settings({}).gateways == ("stripe",)
    both = load_settings({"GATEWAYS": " PayPal , stripe "})
    assert both.gateways == ("paypal", "stripe")
    assert both.paypal.url == SANDBOX_PAYPAL_URL  # development: the sandbox's emulator


@pytest.mark.parametrize("value", ["", "square", "stripe,stripe", "stripe,,bitcoin"])
def test_unknown_duplicate_or_empty_lists_are_refused(value: str) -> None:
    if value == "":
        assert load_settings({"GATEWAYS": value}).gateways == ("stripe",)  # unset means the default
        return
    with pytest.raises(SettingsError, match="GATEWAYS"):
        load_settings({"GATEWAYS": value})


def test_production_paypal_needs_its_credentials_and_webhook_id() -> None:
    with pytest.raises(SettingsError, match="PAYPAL_WEBHOOK_ID"):
        load_settings(
            {**PRODUCTION, "GATEWAYS": "stripe,paypal", "PAYPAL_CLIENT_ID": "id", "PAYPAL_CLIENT_SECRET": "s"}
        )
    settings = load_settings(
        {
            **PRODUCTION,
            "GATEWAYS": "paypal",
            "PAYPAL_CLIENT_ID": "id",
            "PAYPAL_CLIENT_SECRET": "s",
            "PAYPAL_WEBHOOK_ID": "1JE4291016473214C",
        }
    )
    assert settings.paypal.url == PAYPAL_API
    # Without paypal in GATEWAYS nothing of PayPal's is required (and nothing of the sandbox's is used).
    stripe_only = load_settings(PRODUCTION)
    assert stripe_only.paypal.client_id == "" and stripe_only.paypal.webhook_id == ""


def test_paypal_url_must_be_http() -> None:
    with pytest.raises(SettingsError, match="PAYPAL_URL"):
        load_settings({"GATEWAYS": "stripe,paypal", "PAYPAL_URL": "ftp://paypal"})
