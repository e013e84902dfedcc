"""The gateway's settings (`GatewayConfig`, built by the composition root) and the limits it enforces as
Stripe does."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.brand import DEFAULT_BRAND, Brand


@dataclass(frozen=True)
class GatewayConfig:
    db_path: str = ":memory:"
    secret_key: str = "sk_test_sandbox_51WispGateSandboxSecretKey0123456789"
    publishable_key: str = "pk_test_sandbox_51WispGateSandboxPublishableKey0123"
    webhook_url: str | None = None  # where Stripe-shaped events are POSTed (the BFF's /webhooks/gateway)
    webhook_secret: str = "whsec_sandbox_0123456789abcdef0123456789abcdef"
    public_base_url: str = "http://127.0.0.1:8000/_sandbox/gateway"  # where /pay/{id} is reachable
    operator_key: str = "sandbox-operator-key"
    merchant_name: str = "WISPGate Networks"
    # The hosted page's colour and logo, as Stripe's account branding settings give them.
    brand: Brand = DEFAULT_BRAND


API_VERSION = "2026-10-28.endive"  # what stripe-python 16 pins; echoed when a request names none

EVENT_TYPES = (
    "customer.created",
    "checkout.session.completed",
    "checkout.session.expired",
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "setup_intent.succeeded",
    "setup_intent.setup_failed",
    "payment_method.attached",
    "payment_method.detached",
)

SESSION_TTL_S = 24 * 3600  # a Checkout Session's default and longest life
MIN_SESSION_TTL_S = 30 * 60
MAX_SESSION_TOTAL = 99_999_999  # in minor units, as Stripe caps it
MAX_LIST = 100  # items per page of a list
MAX_BODY = 256 * 1024  # bytes of a form-encoded request
