"""The emulator's settings (its published test credentials) and PayPal's limits it enforces."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.brand import DEFAULT_BRAND, Brand


@dataclass(frozen=True)
class PayPalConfig:
    db_path: str = ":memory:"
    client_id: str = "sandbox-paypal-client-id"
    client_secret: str = "sandbox-paypal-client-secret-0123456789"
    webhook_id: str = "WHSANDBOX0123456789"
    webhook_url: str | None = None  # the BFF's /webhooks/paypal
    # Signs deliveries; never leaves the emulator (the BFF asks verify-webhook-signature, as with PayPal).
    signing_secret: str = "sandbox-paypal-transmission-signing-secret"
    public_base_url: str = "http://127.0.0.1:8000/_sandbox/paypal"  # where /checkoutnow is reachable
    operator_key: str = "sandbox-operator-key"
    merchant_name: str = "WISPGate Networks"
    brand: Brand = DEFAULT_BRAND


EVENT_TYPES = ("CHECKOUT.ORDER.APPROVED", "PAYMENT.CAPTURE.COMPLETED", "PAYMENT.CAPTURE.DENIED")
AUTH_ALGO = "HMACSHA256"  # PayPal's is SHA256withRSA over the same message; the emulator keys an HMAC
TOKEN_TTL_S = 32400
MAX_BODY = 64 * 1024
CUSTOM_ID_MAX = 127
DESCRIPTION_MAX = 127
REQUEST_ID_MAX = 108
NO_DECIMALS = frozenset({"HUF", "JPY", "TWD"})
