"""Settings come from a mapping, never from import time; production is locked down by default."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bff.core.settings import SettingsError, load_settings

PROD = {
    "WISPGATE_ENV": "production",
    "JWT_SECRET": "j" * 32,
    "FILES_SIGNING_KEY": "f" * 32,
    "CORE_EVENTS_SECRET": "c" * 32,
}


def test_development_defaults_need_no_configuration() -> None:
    settings = load_settings({})
    assert settings.env == "development" and not settings.production
    assert settings.billing.url == "http://127.0.0.1:8000/_sandbox/billing"
    assert settings.crm.api_key == "sandbox-service-key"
    assert len(settings.jwt_secret) >= 32 and len(settings.files_signing_key) >= 32
    assert load_settings({}).jwt_secret != settings.jwt_secret  # generated per process start
    assert settings.access_ttl == timedelta(minutes=10) and settings.refresh_ttl == timedelta(days=30)
    assert settings.file_link_ttl == timedelta(minutes=5)
    assert (settings.limits.max_depth, settings.limits.max_aliases, settings.limits.max_tokens) == (
        12,
        30,
        5000,
    )
    assert settings.graphiql and settings.introspection and settings.field_suggestions
    assert not settings.cookie_secure and settings.redis_url is None
    assert settings.web_dist == Path("web/dist")


def test_request_limits_are_read_from_the_environment() -> None:
    limits = load_settings({}).limits
    assert (limits.max_body_bytes, limits.max_multipart_bytes) == (1024 * 1024, 25 * 1024 * 1024)
    assert (limits.max_variable_values, limits.max_variable_depth, limits.max_variable_list) == (
        10_000,
        16,
        1_000,
    )
    assert (limits.max_selections, limits.max_field_pairs) == (1_000, 1_000)
    names = {
        "GRAPHQL_MAX_BODY_BYTES": "max_body_bytes",
        "GRAPHQL_MAX_MULTIPART_BYTES": "max_multipart_bytes",
        "GRAPHQL_MAX_VARIABLE_VALUES": "max_variable_values",
        "GRAPHQL_MAX_VARIABLE_DEPTH": "max_variable_depth",
        "GRAPHQL_MAX_VARIABLE_LIST": "max_variable_list",
        "GRAPHQL_MAX_SELECTIONS": "max_selections",
        "GRAPHQL_MAX_FIELD_PAIRS": "max_field_pairs",
    }
    configured = load_settings({name: str(7 + n) for n, name in enumerate(names)}).limits
    assert [getattr(configured, field) for field in names.values()] == [7 + n for n in range(len(names))]


def test_production_is_locked_down() -> None:
    settings = load_settings(
        {
            **PROD,
            "CRM_URL": "https://crm.core.example/",
            "ALLOWED_ORIGINS": "https://a.example/, https://b.example",
        }
    )
    assert settings.production and settings.cookie_secure
    assert not settings.graphiql and not settings.introspection and not settings.field_suggestions
    assert settings.crm.url == "https://crm.core.example"
    assert settings.allowed_origins == ("https://a.example", "https://b.example")
    assert not load_settings({**PROD, "COOKIE_SECURE": "false"}).cookie_secure


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WISPGATE_ENV": "staging"}, "WISPGATE_ENV"),
        ({"FILES_SIGNING_KEY": "short"}, "FILES_SIGNING_KEY is too short"),
        ({**PROD, "FILES_SIGNING_KEY": ""}, "FILES_SIGNING_KEY is required in production"),
        ({"BILLING_URL": "ftp://x"}, "BILLING_URL"),
        ({"COOKIE_SECURE": "maybe"}, "COOKIE_SECURE"),
        ({"GRAPHQL_MAX_DEPTH": "0"}, "GRAPHQL_MAX_DEPTH"),
        ({"GRAPHQL_MAX_BODY_BYTES": "1MB"}, "GRAPHQL_MAX_BODY_BYTES"),
        ({"GRAPHQL_MAX_MULTIPART_BYTES": "-1"}, "GRAPHQL_MAX_MULTIPART_BYTES"),
        ({"GRAPHQL_MAX_SELECTIONS": "0"}, "GRAPHQL_MAX_SELECTIONS"),
        ({"ACCESS_TOKEN_TTL_S": "ten"}, "ACCESS_TOKEN_TTL_S"),
        ({"OSS_BACKEND": "tr069"}, "OSS_BACKEND must be one of wispgate, genieacs"),
        ({"GENIEACS_URL": "acs:7557"}, "GENIEACS_URL"),
        ({**PROD, "OSS_BACKEND": "genieacs"}, "GENIEACS_URL is required in production"),
        ({"GENIEACS_TAG_PREFIX": "sub "}, "GENIEACS_TAG_PREFIX"),
        ({"GENIEACS_TR181_MAC_PATH": "Device.Ethernet."}, "GENIEACS_TR181_MAC_PATH"),
        ({"GENIEACS_SESSION_WAIT_MS": "8000"}, "GENIEACS_READ_TIMEOUT_S must be longer"),
        ({"GENIEACS_SESSION_WAIT_MS": "600000"}, "GENIEACS_SESSION_WAIT_MS"),
        ({"GENIEACS_DEVICE_MATCH": "mac"}, "GENIEACS_DEVICE_MATCH"),
    ],
)
def test_invalid_configuration_is_explained(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(env)


def test_production_refuses_to_start_without_the_event_secrets() -> None:
    without_core = {k: v for k, v in PROD.items() if k != "CORE_EVENTS_SECRET"}
    with pytest.raises(SettingsError, match="CORE_EVENTS_SECRET"):
        load_settings(without_core)
    with pytest.raises(SettingsError, match="GATEWAY_WEBHOOK_SECRET"):
        load_settings({**PROD, "GATEWAY_SECRET_KEY": "sk_live_" + "x" * 24})
    with pytest.raises(SettingsError, match="at least 32 bytes"):
        load_settings({**PROD, "CORE_EVENTS_SECRET": "short"})
    payments = load_settings(
        {**PROD, "GATEWAY_SECRET_KEY": "sk_live_" + "x" * 24, "GATEWAY_WEBHOOK_SECRET": "w" * 32}
    )
    assert payments.gateway.webhook_secret == "w" * 32
    # Development keeps working with nothing set (the sandbox's published secrets).
    assert load_settings({}).core_events_secret


def test_trusted_proxies_and_the_csp_come_from_configuration() -> None:
    assert load_settings({}).forwarded_allow_ips == ""
    settings = load_settings(
        {"FORWARDED_ALLOW_IPS": " 10.0.0.5,10.0.0.6 ", "CSP_CONNECT_SRC": "https://a.example"}
    )
    assert settings.forwarded_allow_ips == "10.0.0.5,10.0.0.6"
    assert settings.csp_connect_src == ("https://a.example",)


def test_the_brand_comes_from_brand_variables() -> None:
    """Issue 12: BRAND_* configure the portal's name, colour and support contacts; a bad one stops the start."""
    assert load_settings({}).brand.name == "WISPGate Networks"
    settings = load_settings(
        {
            "BRAND_NAME": "Acme Fiber",
            "BRAND_PRIMARY_COLOR": "#7a1f5c",
            "BRAND_SUPPORT_EMAIL": "help@acme.example",
        }
    )
    assert (settings.brand.name, settings.brand.primary_color) == ("Acme Fiber", "#7a1f5c")
    assert settings.brand.support_email == "help@acme.example"
    with pytest.raises(SettingsError, match="BRAND_PRIMARY_COLOR #ffd23f is too light"):
        load_settings({"BRAND_PRIMARY_COLOR": "#ffd23f"})


def test_genieacs_is_chosen_and_configured_from_the_environment() -> None:
    development = load_settings({})
    assert development.oss_backend == "wispgate"
    sandbox = development.genieacs.config  # the sandbox's NBI and its credentials
    assert (sandbox.base_url, sandbox.username) == ("http://127.0.0.1:8000/_sandbox/genieacs", "nbi")
    settings = load_settings(
        {
            **PROD,
            "OSS_BACKEND": "GenieACS",
            "GENIEACS_URL": "http://acs.internal:7557/",
            "GENIEACS_TAG_PREFIX": "wisp:",
            "GENIEACS_DEVICE_MATCH": "serial",
            "GENIEACS_INFORM_INTERVAL_S": "600",
            "GENIEACS_TR098_FIRMWARE_PATH": "InternetGatewayDevice.DeviceInfo.X_VENDOR_Firmware",
            "GENIEACS_SESSION_WAIT_MS": "3000",
            "GENIEACS_READ_TIMEOUT_S": "30",
            "GENIEACS_TASK_POLL_S": "5",
            "GENIEACS_DEADLINE_S": "35",
            "GENIEACS_USERNAME": "portal",
            "GENIEACS_PASSWORD": "s3cret-nbi",
        }
    )
    config = settings.genieacs.config
    assert settings.oss_backend == "genieacs"
    assert (config.base_url, config.username, config.password) == (
        "http://acs.internal:7557",
        "portal",
        "s3cret-nbi",
    )
    assert (config.tag_prefix, config.inform_interval_s, config.session_wait_ms) == ("wisp:", 600.0, 3000)
    assert config.match == "serial" and load_settings({}).genieacs.config.match == "tag"
    assert config.tr098.firmware == "InternetGatewayDevice.DeviceInfo.X_VENDOR_Firmware"
    assert config.tr098.model == "InternetGatewayDevice.DeviceInfo.ModelName"  # the default kept
    assert (settings.genieacs.task_poll_s, settings.genieacs.resilience.deadline_s) == (5.0, 35.0)
    assert "s3cret-nbi" not in repr(settings)
    unauthenticated = load_settings({"GENIEACS_URL": "http://acs.internal:7557"}).genieacs.config
    assert (unauthenticated.username, unauthenticated.password) == ("", "")  # GenieACS's NBI has none
